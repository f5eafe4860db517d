// The Web Worker that owns the engine: the UI thread only draws. Every request carries an id
// and is answered with exactly one message; a failed request never wedges the worker.
import init, { Engine } from './pkg/dermtone_web.js';

let engine = null;

self.onmessage = async (event) => {
  const { id, type } = event.data;
  try {
    if (type === 'init') {
      engine = start(event.data.backend);
      const ready = await engine;
      self.postMessage({ id, type: 'ready', backend: ready.backend, reason: ready.reason });
    } else if (type === 'analyze' || type === 'analyzeRgba') {
      if (!engine) throw new Error('the engine was not started');
      const ready = await engine;
      const started = performance.now();
      const analysis = type === 'analyze'
        ? await ready.analyzeBytes(new Uint8Array(event.data.bytes))
        : await ready.analyzeRgba(event.data.width, event.data.height, new Uint8Array(event.data.rgba));
      self.postMessage({ id, type: 'result', analysis, elapsedMs: performance.now() - started });
    } else {
      throw new Error(`unknown request ${type}`);
    }
  } catch (error) {
    self.postMessage({ id, type: 'error', code: error?.code ?? 'internal', message: error?.message ?? String(error) });
  }
};

async function start(backend) {
  await init();
  const manifestResponse = await fetch('models/manifest.json');
  if (!manifestResponse.ok) throw new Error(`could not load models/manifest.json (${manifestResponse.status})`);
  const manifestText = await manifestResponse.text();
  const models = JSON.parse(manifestText).models;
  const classifier = models.find((m) => m.task === 'dermoscopy');
  if (!classifier) throw new Error('the manifest lists no dermoscopy model');
  const tone = models.find((m) => m.task === 'tone');
  const [weights, toneWeights] = await Promise.all([
    fetchWeights(classifier),
    tone ? fetchWeights(tone) : undefined,
  ]);
  return Engine.create(manifestText, weights, toneWeights, backend);
}

async function fetchWeights(entry) {
  const response = await fetch(`models/${entry.file}`);
  if (!response.ok) throw new Error(`could not load models/${entry.file} (${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}
