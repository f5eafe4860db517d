// Checks ONNX Runtime Web (its wasm execution provider, one thread) against dermtone's own
// burn networks and the engine's direct CPU kernels: for each <id>.onnx in DIR, runs the
// reference inputs that `dermtone export-onnx --out DIR` wrote beside it in <id>.reference.json
// and prints max |ORT - ours| per output (burn's `outputs`, then the kernels' `direct_outputs`
// where the network has them). Exit status 1 if any difference exceeds 1e-3 (or is NaN), or if
// DIR holds no graph; 2 on a usage error.
//
//   node bench/verify-onnx.mjs DIR

import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-web';

const TOLERANCE = 1e-3;

const dir = process.argv[2];
if (!dir || process.argv.length > 3) {
  console.error('usage: node bench/verify-onnx.mjs DIR   (DIR written by `dermtone export-onnx`)');
  process.exit(2);
}

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

/** Largest absolute difference; NaN if any value is NaN or the lengths differ. */
function maxAbsDiff(ours, theirs) {
  if (ours.length !== theirs.length) return NaN;
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i] - theirs[i]);
    if (Number.isNaN(d)) return NaN;
    if (d > worst) worst = d;
  }
  return worst;
}

const graphs = (await readdir(dir)).filter((f) => f.endsWith('.onnx')).sort();
if (graphs.length === 0) {
  console.error(`${dir}: no .onnx files; run \`dermtone export-onnx --out ${dir}\` first`);
  process.exit(1);
}

let failed = false;
for (const file of graphs) {
  const id = file.slice(0, -'.onnx'.length);
  const reference = JSON.parse(await readFile(path.join(dir, `${id}.reference.json`), 'utf8'));
  const session = await ort.InferenceSession.create(await readFile(path.join(dir, file)), {
    executionProviders: ['wasm'],
  });
  const feeds = {};
  for (const [name, { shape, data }] of Object.entries(reference.inputs)) {
    feeds[name] = new ort.Tensor('float32', Float32Array.from(data), shape);
  }
  const results = await session.run(feeds);
  const checks = [['burn', reference.outputs], ['direct kernels', reference.direct_outputs ?? {}]];
  for (const [who, outputs] of checks) {
    for (const [name, { shape, data }] of Object.entries(outputs)) {
      const got = results[name];
      const sameShape = got && got.dims.length === shape.length && got.dims.every((d, i) => d === shape[i]);
      const diff = sameShape ? maxAbsDiff(Float32Array.from(data), got.data) : NaN;
      const ok = diff <= TOLERANCE;
      failed ||= !ok;
      const what = sameShape ? `max |ORT - ours (${who})| = ${diff.toExponential(2)}` : `shape ${got?.dims} != ${shape}`;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${id} ${name} [${shape}]: ${what}`);
    }
  }
  await session.release();
}
console.log(`onnxruntime-web ${ort.env.versions.web}, wasm EP, tolerance ${TOLERANCE}`);
process.exit(failed ? 1 : 0);
