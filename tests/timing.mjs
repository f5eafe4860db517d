// Time per analysis in headless Chromium on each backend: inside the worker (decode, quality,
// tone, classify, six renders, six classifications, read-backs) and from choosing the photo to
// the drawn per-tone result (as the test driver sees it). Prints figures; asserts nothing. Not
// part of CI.
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
      const walls = [];
      for (let i = 0; i < warmup + runs; i++) {
        const started = performance.now();
        const { error } = await analyseFile(session, file);
        if (error) throw new Error(error);
        if (!(await session.page.isVisible('#per-tone-rows tr'))) throw new Error('no per-tone result');
        if (i < warmup) continue;
        walls.push(performance.now() - started);
        times.push(Number(await session.page.evaluate(() => document.body.dataset.elapsedMs)));
      }
      const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
      console.log(`${label}: backend=${backend} startup(page load → ready)=${startup} ms; over ${runs} runs after ${warmup} warm-up: `
        + `in the worker median ${median(times).toFixed(1)} ms (p90 ${p90(times).toFixed(1)}); `
        + `photo chosen → per-tone result drawn median ${median(walls).toFixed(1)} ms (p90 ${p90(walls).toFixed(1)})`);
    } finally {
      await session.close();
    }
  }
} finally {
  server.stop();
}
