// Before/after for an optimisation of the CPU engine: the bench page's CPU run (our network calls
// beside ONNX Runtime Web's, same page, same tensors) for each of several builds of www/pkg/cpu,
// in interleaved rounds so that a slower spell of the machine falls on every build alike.
//   node bench/compare.mjs [--runs 20] [--warmup 3] [--rounds 2] DIR...
// Each DIR holds a wasm-bindgen output (dermtone_web.js + dermtone_web_bg.wasm), e.g. a copy of
// www/pkg/cpu built at another commit or with other flags.
import { readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MODELS, startServerOn, testImages } from '../tests/browser/harness.mjs';
import { benchRoot, pageRun } from './page-run.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '20' }, warmup: { type: 'string', default: '3' }, rounds: { type: 'string', default: '2' } },
});
if (positionals.length === 0) throw new Error('usage: node bench/compare.mjs [--runs N] [--warmup N] [--rounds N] DIR...');
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const [photo] = testImages(1);
const fmt = (ms) => ms.toFixed(1);

console.log('| build | round | wasm gzip B | call: ours / ORT median ms | our analysis median ms |');
console.log('|---|---|---|---|---|');
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const dir of positionals) {
    const root = benchRoot(photo, { cpu: dir });
    const server = await startServerOn(root, MODELS);
    try {
      const result = await pageRun(server.url, 'cpu', { runs, warmup });
      if (result.error) throw new Error(`${dir}: ${result.error}`);
      const gzip = gzipSync(readFileSync(path.join(dir, 'dermtone_web_bg.wasm')), { level: 9 }).length;
      const calls = result.calls.map((c) => `${c.name} ${fmt(c.ours.median)} / ${fmt(c.ort.median)}`).join(', ');
      console.log(`| ${dir} | ${round} | ${gzip} | ${calls} | ${fmt(result.analysis.median)} |`);
    } finally {
      server.stop();
      rmSync(root, { recursive: true, force: true });
    }
  }
}
