// `./build.sh bench`: every benchmark figure of issue 8 in one run on this machine, written to
// bench/RESULTS.md — native stage timings (`dermtone bench`), the same network calls through our
// wasm engine and ONNX Runtime Web in one page on the CPU and WebGPU paths, the app's own
// per-tone analysis time, the first visit's payload, memory over 200 analyses and the soak.
// The CPU page runs twice (each in interleaved rounds), so the report says how much two runs
// differ; native runs on one thread (RAYON_NUM_THREADS=1), as the page does.
//   node bench/run.mjs [runs=20] [warmup=5]
import { execFileSync } from 'node:child_process';
import { rmSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, arch } from 'node:os';
import path from 'node:path';
import { ROOT, DERMTONE, MODELS, startServerOn, testImages } from '../tests/browser/harness.mjs';
import { benchRoot, pageRun } from './page-run.mjs';
import { timeAnalyses } from './timing.mjs';
import { firstVisitPayload } from './payload.mjs';
import { memoryOver } from './memory.mjs';
import { soak, soakSection } from './soak.mjs';
import { render } from './results.mjs';

const runs = Number(process.argv[2] ?? 20);
const warmup = Number(process.argv[3] ?? 5);
const dermtone = (...args) => execFileSync(DERMTONE, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RAYON_NUM_THREADS: '1' } });

const [photoFile] = testImages(1);
const root = benchRoot(photoFile);
try {
  console.error('native: dermtone bench');
  const native = JSON.parse(dermtone('bench', '--json', '--runs', '30', '--warmup', '5'));
  const server = await startServerOn(root, MODELS);
  const page = {};
  try {
    for (const [key, backend, rounds] of [['cpu', 'cpu', 3], ['cpuAgain', 'cpu', 3], ['webgpu', 'webgpu', 1]]) {
      console.error(`bench page: ${key}`);
      page[key] = await pageRun(server.url, backend, { runs, warmup, rounds });
    }
  } finally {
    server.stop();
  }
  console.error('the app: per-tone analysis times');
  const app = await timeAnalyses({ runs, warmup });
  console.error('the app: first-visit payload');
  const payload = await firstVisitPayload({ backend: 'auto' });
  console.error('the app: memory over 200 analyses');
  const memory = await memoryOver({ analyses: 200, backend: 'cpu' });
  console.error('the app: soak, 500 analyses');
  const soaked = await soak({ analyses: 500, backend: 'cpu', log: (line) => console.error(line) });
  const versions = {
    chromium: execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim(),
    onnxruntimeWeb: JSON.parse(readFileSync(path.join(ROOT, 'bench/node_modules/onnxruntime-web/package.json'), 'utf8')).version,
    burn: /name = "burn"\nversion = "([^"]+)"/.exec(readFileSync(path.join(ROOT, 'Cargo.lock'), 'utf8'))?.[1],
    node: process.version,
    dermtone: dermtone('--version').trim(),
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(),
  };
  const machine = { cpu: native.machine?.cpu ?? cpus()[0]?.model, cores: cpus().length, os: `${platform()} ${arch()}` };
  const markdown = render({ command: `./build.sh bench (node bench/run.mjs ${runs} ${warmup})`, runs, warmup, machine, versions, native, page, app, payload, memory, soak: soakSection(soaked, 'node bench/soak.mjs 500 cpu'), photo: path.relative(ROOT, photoFile) });
  writeFileSync(path.join(ROOT, 'bench/RESULTS.md'), markdown);
  writeFileSync(path.join(ROOT, 'bench/results.json'), `${JSON.stringify({ versions, machine, native, page, app, payload: { ...payload, rows: payload.rows }, memory }, null, 2)}\n`);
  console.log(markdown);
} finally {
  rmSync(root, { recursive: true, force: true });
}
