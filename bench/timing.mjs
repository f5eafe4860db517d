// Time per analysis in headless Chromium on each backend: inside the worker (decode, quality,
// tone, classify, six renders, six classifications, read-backs) and from choosing the photo to
// the drawn per-tone result (as the test driver sees it). Prints figures; asserts nothing.
//   node bench/timing.mjs [runs=20] [warmup=5] [paths=cpu,cpu-scalar,webgpu]
// (`DERMTONE_MODELS=DIR` serves another models folder, e.g. one whose manifest reads the photo
// model at another size.)
import { startServer, openPage, waitReady, analyseFile, testImages } from '../tests/browser/harness.mjs';
import { isMain, summary } from './stats.mjs';

/** Each timed path: its label, the page's query, whether the browser offers WebGPU. */
const PATHS = [['cpu', 'backend=cpu', false], ['cpu-scalar', 'backend=cpu&simd=off', false], ['webgpu', 'backend=webgpu', true]];

/**
 * Per path (`cpu`; `cpu-scalar`, the engine a browser without wasm SIMD gets, forced by the
 * page's `simd=off` hook; `webgpu` on Chromium's software adapter here): page load → ready, and
 * the per-analysis times over `runs` after `warmup`, as `{ worker, drawn }` summaries in ms;
 * the `paths` named, every one by default.
 */
export async function timeAnalyses({ runs = 20, warmup = 5, paths = PATHS.map(([label]) => label) } = {}) {
  const [file] = testImages(1);
  const server = await startServer();
  const results = [];
  try {
    for (const [label, query, webgpu] of PATHS.filter(([label]) => paths.includes(label))) {
      const session = await openPage(`${server.url}?${query}`, { webgpu });
      try {
        const t0 = Date.now();
        const backend = await waitReady(session);
        const startupMs = Date.now() - t0;
        const bundle = await session.page.evaluate(() => document.body.dataset.bundle);
        const worker = [];
        const drawn = [];
        for (let i = 0; i < warmup + runs; i++) {
          const started = performance.now();
          const { error } = await analyseFile(session, file);
          if (error) throw new Error(error);
          if (!(await session.page.isVisible('#per-tone-rows tr'))) throw new Error('no per-tone result');
          if (i < warmup) continue;
          drawn.push(performance.now() - started);
          worker.push(Number(await session.page.evaluate(() => document.body.dataset.elapsedMs)));
        }
        results.push({ label, backend, bundle, startupMs, runs, warmup, worker: summary(worker), drawn: summary(drawn) });
      } finally {
        await session.close();
      }
    }
  } finally {
    server.stop();
  }
  return results;
}

if (isMain(import.meta.url)) {
  const paths = process.argv[4]?.split(',');
  const unknown = paths?.filter((path) => !PATHS.some(([label]) => label === path)) ?? [];
  if (unknown.length) throw new Error(`unknown path ${unknown.join(', ')}: cpu, cpu-scalar or webgpu`);
  for (const r of await timeAnalyses({ runs: Number(process.argv[2] ?? 20), warmup: Number(process.argv[3] ?? 5), paths })) {
    console.log(`${r.label}: backend=${r.backend} bundle=${r.bundle} startup(page load → ready)=${r.startupMs} ms; over ${r.runs} runs after ${r.warmup} warm-up: `
      + `in the worker median ${r.worker.median.toFixed(1)} ms (p90 ${r.worker.p90.toFixed(1)}, min ${r.worker.min.toFixed(1)}); `
      + `photo chosen → per-tone result drawn median ${r.drawn.median.toFixed(1)} ms (p90 ${r.drawn.p90.toFixed(1)})`);
  }
}
