// Time per analysis in headless Chromium on each backend, as measured inside the worker
// (decode + resize + classify + read back). Prints figures; asserts nothing. Not part of CI.
//   node tests/timing.mjs [runs=20] [warmup=5]
import { startServer, openPage, waitReady, analyseFile, testImages } from './browser/harness.mjs';

const runs = Number(process.argv[2] ?? 20);
const warmup = Number(process.argv[3] ?? 5);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const [file] = testImages(1);
const server = await startServer();
try {
  for (const [label, query, webgpu] of [['cpu', 'cpu', false], ['webgpu', 'webgpu', true]]) {
    const session = await openPage(`${server.url}?backend=${query}`, { webgpu });
    try {
      const t0 = Date.now();
      const backend = await waitReady(session);
      const startup = Date.now() - t0;
      const times = [];
      for (let i = 0; i < warmup + runs; i++) {
        await analyseFile(session, file);
        if (i >= warmup) times.push(Number(await session.page.evaluate(() => document.body.dataset.elapsedMs)));
      }
      const p90 = [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.9)];
      console.log(`${label}: backend=${backend} startup(page load → ready)=${startup} ms; per analysis over ${runs} runs after ${warmup} warm-up: median ${median(times).toFixed(1)} ms, p90 ${p90.toFixed(1)} ms`);
    } finally {
      await session.close();
    }
  }
} finally {
  server.stop();
}
