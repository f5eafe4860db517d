// The in-browser half of the benchmark (bench/run.mjs serves and drives it): dermtone's engine
// and ONNX Runtime Web run the same four network calls of one per-tone analysis (tone estimate,
// classify, six renderings, six classifications) on the same prepared tensors, first checked to
// agree within 1e-3, then timed; our whole analysis is timed too. Results land in
// `window.benchResults` (or `window.benchError`).
const params = new URLSearchParams(location.search);
const backend = params.get('backend') ?? 'cpu';
const runs = Number(params.get('runs') ?? 20);
const warmup = Number(params.get('warmup') ?? 5);
const photo = params.get('photo');
const log = (line) => { document.getElementById('log').textContent += `${line}\n`; };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Our engine for plain photos on `backend`, from the shipped manifest and weights. */
async function ourEngine() {
  const { default: init, Engine } = await import(`./pkg/${backend}/dermtone_web.js`);
  await init();
  const manifestText = await (await fetch('models/manifest.json')).text();
  const { models } = JSON.parse(manifestText);
  const entry = (task) => models.find((m) => m.task === task);
  const engine = await Engine.create(
    manifestText, await fetchBytes(`models/${entry('photo').file}`), await fetchBytes(`models/${entry('tone').file}`),
    backend, 'photo', await (await fetch(`models/${entry('photo').card}`)).text(), await fetchBytes(`models/${entry('generator').file}`),
  );
  return { engine, ids: { classifier: entry('photo').id, tone: entry('tone').id, generator: entry('generator').id } };
}

/** ONNX Runtime Web sessions for the same three networks, on its wasm or WebGPU provider. */
async function ortSessions(ids) {
  const ort = await import('./ort/ort.all.min.mjs');
  ort.env.wasm.wasmPaths = new URL('./ort/', location.href).href;
  ort.env.wasm.numThreads = 1; // no cross-origin isolation here, so no threads: same as ours
  const options = { executionProviders: [backend === 'webgpu' ? 'webgpu' : 'wasm'], graphOptimizationLevel: 'all' };
  const sessions = {};
  for (const [network, id] of Object.entries(ids)) sessions[network] = await ort.InferenceSession.create(`onnx/${id}.onnx`, options);
  return { ort, sessions };
}

/** The network calls of one analysis, as `{ name, network, batch }`. */
const CALLS = [
  { name: 'tone_1', network: 'tone', batch: 1 },
  { name: 'classify_1', network: 'classifier', batch: 1 },
  { name: 'render_6', network: 'generator', batch: 6 },
  { name: 'classify_6', network: 'classifier', batch: 6 },
];

/** Deterministic inputs for `batch` images of `side`² pixels (and generator conditions). */
function inputsFor(network, batch, side) {
  let seed = 7;
  const next = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const images = Float32Array.from({ length: batch * 3 * side * side }, () => (network === 'generator' ? next() : next() * 4 - 2));
  const conditions = Float32Array.from({ length: batch * 3 }, (_, i) => [0.8, -0.9, -1.7][i % 3]);
  return { images, conditions };
}

function oursCall(engine, network, inputs, batch) {
  return engine.forwardPrepared(network, inputs.images, batch, network === 'generator' ? inputs.conditions : undefined);
}

async function ortCall({ ort, sessions }, network, inputs, batch, side) {
  const feeds = { images: new ort.Tensor('float32', inputs.images, [batch, 3, side, side]) };
  if (network === 'generator') feeds.conditions = new ort.Tensor('float32', inputs.conditions, [batch, 3]);
  const result = await sessions[network].run(feeds);
  return Object.values(result)[0].getData(); // a WebGPU tensor is read back here, as ours is
}

async function timed(fn) {
  const times = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = performance.now();
    await fn();
    if (i >= warmup) times.push(performance.now() - t0);
  }
  return { median: median(times), p90: p90(times), runs };
}

/** Largest |ORT − ours| and |ours − the exporter's burn reference| on the exporter's reference batch. */
async function agreement(engine, ortRuntime, network, id) {
  const reference = await (await fetch(`onnx/${id}.reference.json`)).json();
  const { images, conditions } = reference.inputs;
  const [batch, , side] = images.shape;
  const inputs = { images: Float32Array.from(images.data), conditions: conditions ? Float32Array.from(conditions.data) : undefined };
  const expected = Object.values(reference.outputs)[0].data;
  const ours = await oursCall(engine, network, inputs, batch);
  const theirs = await ortCall(ortRuntime, network, inputs, batch, side);
  let oursVsReference = 0;
  let ortVsOurs = 0;
  for (let i = 0; i < expected.length; i++) {
    oursVsReference = Math.max(oursVsReference, Math.abs(ours[i] - expected[i]));
    ortVsOurs = Math.max(ortVsOurs, Math.abs(theirs[i] - ours[i]));
  }
  return { oursVsReference, ortVsOurs };
}

async function main() {
  const { engine, ids } = await ourEngine();
  log(`our engine: ${engine.backend} (${engine.reason})`);
  const ortRuntime = await ortSessions(ids);
  log(`ONNX Runtime Web ${ortRuntime.ort.env.versions?.web ?? ''}: ${backend === 'webgpu' ? 'webgpu' : 'wasm'} provider`);
  const sides = { classifier: 64, tone: 64, generator: 96 };
  const agree = {};
  for (const [network, id] of Object.entries(ids)) {
    agree[network] = await agreement(engine, ortRuntime, network, id);
    log(`${network}: |ours − burn reference| ${agree[network].oursVsReference.toExponential(2)}, |ORT − ours| ${agree[network].ortVsOurs.toExponential(2)}`);
    if (!(agree[network].ortVsOurs <= 1e-3 && agree[network].oursVsReference <= 1e-3)) throw new Error(`${network}: the implementations disagree beyond 1e-3`);
  }
  const calls = [];
  for (const { name, network, batch } of CALLS) {
    const inputs = inputsFor(network, batch, sides[network]);
    const ours = await timed(() => oursCall(engine, network, inputs, batch));
    const ort = await timed(() => ortCall(ortRuntime, network, inputs, batch, sides[network]));
    calls.push({ name, network, batch, ours, ort });
    log(`${name}: ours ${ours.median.toFixed(1)} ms, ORT ${ort.median.toFixed(1)} ms (medians of ${runs})`);
  }
  const bytes = await fetchBytes(photo);
  const analysis = await timed(() => engine.analyzeBytes(bytes));
  log(`our whole per-tone analysis: ${analysis.median.toFixed(1)} ms`);
  window.benchResults = { backend: engine.backend, reason: engine.reason, runs, warmup, agree, calls, analysis, userAgent: navigator.userAgent };
}

main().catch((error) => {
  log(`failed: ${error.message}`);
  window.benchError = error.message;
});
