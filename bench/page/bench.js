// The in-browser half of the benchmark (bench/run.mjs serves and drives it): dermtone's engine
// and ONNX Runtime Web run the same four network calls of one per-tone analysis (tone estimate,
// classify, six renderings, six classifications) on the same prepared tensors, first checked to
// agree within 1e-3, then timed; our whole analysis is timed too. Ours and ORT's runs of a call
// alternate, and the whole set is repeated in `rounds`, so a slow spell of the machine falls on
// both; each figure is the median over rounds of a round's median, with the minimum over rounds
// and every round's median beside it. Results land in `window.benchResults` (or
// `window.benchError`).
const params = new URLSearchParams(location.search);
const backend = params.get('backend') ?? 'cpu';
const runs = Number(params.get('runs') ?? 20);
const warmup = Number(params.get('warmup') ?? 5);
const rounds = Number(params.get('rounds') ?? 3);
const photo = params.get('photo');
const log = (line) => { document.getElementById('log').textContent += `${line}\n`; };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Our engine for plain photos on `backend`, from the shipped manifest and weights, with each
 * network's id and input side.
 */
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
  const networks = { classifier: entry('photo'), tone: entry('tone'), generator: entry('generator') };
  const pick = (field) => Object.fromEntries(Object.entries(networks).map(([network, m]) => [network, field(m)]));
  return { engine, ids: pick((m) => m.id), sides: pick((m) => m.input.size) };
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

/** Times of `runs` calls of each of `fns` after `warmup`, the functions taking turns. */
async function timedTogether(...fns) {
  const times = fns.map(() => []);
  for (let i = 0; i < warmup + runs; i++) {
    for (const [k, fn] of fns.entries()) {
      const t0 = performance.now();
      await fn();
      if (i >= warmup) times[k].push(performance.now() - t0);
    }
  }
  return times;
}

/** A figure over rounds: the median and minimum of the rounds' medians, and the median p90. */
function overRounds(perRound) {
  const medians = perRound.map((times) => median(times));
  return { median: median(medians), min: Math.min(...medians), p90: median(perRound.map((times) => p90(times))), rounds: medians, runs };
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
  const { engine, ids, sides } = await ourEngine();
  log(`our engine: ${engine.backend} (${engine.reason})`);
  const ortRuntime = await ortSessions(ids);
  log(`ONNX Runtime Web ${ortRuntime.ort.env.versions?.web ?? ''}: ${backend === 'webgpu' ? 'webgpu' : 'wasm'} provider`);
  const agree = {};
  for (const [network, id] of Object.entries(ids)) {
    agree[network] = await agreement(engine, ortRuntime, network, id);
    log(`${network}: |ours − burn reference| ${agree[network].oursVsReference.toExponential(2)}, |ORT − ours| ${agree[network].ortVsOurs.toExponential(2)}`);
    if (!(agree[network].ortVsOurs <= 1e-3 && agree[network].oursVsReference <= 1e-3)) throw new Error(`${network}: the implementations disagree beyond 1e-3`);
  }
  const inputs = Object.fromEntries(CALLS.map(({ name, network, batch }) => [name, inputsFor(network, batch, sides[network])]));
  const bytes = await fetchBytes(photo);
  const perRound = { analysis: [] };
  for (let round = 1; round <= rounds; round++) {
    for (const { name, network, batch } of CALLS) {
      const [ours, ort] = await timedTogether(
        () => oursCall(engine, network, inputs[name], batch),
        () => ortCall(ortRuntime, network, inputs[name], batch, sides[network]),
      );
      (perRound[name] ??= []).push({ ours, ort });
    }
    const [analysis] = await timedTogether(() => engine.analyzeBytes(bytes));
    perRound.analysis.push(analysis);
    log(`round ${round} of ${rounds}: our analysis ${median(analysis).toFixed(1)} ms`);
  }
  const calls = CALLS.map(({ name, network, batch }) => ({
    name, network, batch,
    ours: overRounds(perRound[name].map((r) => r.ours)),
    ort: overRounds(perRound[name].map((r) => r.ort)),
  }));
  for (const c of calls) log(`${c.name}: ours ${c.ours.median.toFixed(1)} ms, ORT ${c.ort.median.toFixed(1)} ms`);
  const analysis = overRounds(perRound.analysis);
  log(`our whole per-tone analysis: ${analysis.median.toFixed(1)} ms`);
  window.benchResults = { backend: engine.backend, reason: engine.reason, runs, warmup, rounds, agree, calls, analysis, userAgent: navigator.userAgent };
}

main().catch((error) => {
  log(`failed: ${error.message}`);
  window.benchError = error.message;
});
