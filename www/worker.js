// The Web Worker that owns the engines: the UI thread only draws. Every request carries an id
// and is answered with exactly one message; a failed request never wedges the worker.
//
// Each capture mode has its own classifier, so the worker keeps one engine per mode, created on
// first use. The wasm module, the manifest and the tone weights are fetched once and shared, and
// every engine runs on the backend the first one chose.
//
// Three wasm engines ship: `cpu`, small, which every browser with wasm SIMD runs; `scalar`, the
// same engine built without SIMD, fetched only by a browser that lacks it (iOS before 16.4, older
// Android WebViews); and `webgpu`, several times larger, fetched only where WebGPU is asked for
// or a hardware adapter exists.
//
// Should the WebGPU device be lost (a driver reset, a phone reclaiming the GPU), the worker
// switches to the CPU engine, says so once with an unsolicited `notice` message, and runs any
// request caught by the loss again on the CPU.

const MODES = ['photo', 'dermoscopy'];
const DEFAULT_MODE = 'photo';

let shared = null; // Promise<{ Engine, compareAnalyses, checkImageSize, bundle, memory, manifestText, models, toneWeights, generatorWeights }>
let preference = 'auto';
let simdOff = false; // a test hook (`?simd=off`): behave as a browser without wasm SIMD
let backend = null; // the first engine's backend, once one exists
const engines = new Map(); // mode → Promise<Engine>
const fetched = new Set(); // files fetched so far, relative to this worker: the page tells the service worker
let creating = Promise.resolve(); // engines are created one at a time: only the first chooses
const gpuDevices = new Set(); // the WebGPU devices the engine asked for, watched for loss
let gpuLost = deferred(); // settles when the device the engines run on is lost

self.onmessage = async (event) => {
  const { id, type } = event.data;
  try {
    if (type === 'init') {
      preference = event.data.backend;
      simdOff = event.data.simd === 'off';
      backend = null;
      engines.clear();
      shared = load();
      const ready = await engineFor(event.data.mode ?? DEFAULT_MODE);
      const { bundle } = await shared;
      self.postMessage({ id, type: 'ready', backend: ready.backend, reason: ready.reason, bundle, files: [...fetched] });
    } else if (type === 'prepare') {
      // A mode was chosen: its model downloads now, while the person frames the photo.
      await engineFor(event.data.mode);
      self.postMessage({ id, type: 'prepared', files: [...fetched] });
    } else if (type === 'analyze' || type === 'analyzeRgba') {
      const started = performance.now();
      const { analysis, decoder } = await withEngine(event.data.mode, (engine) => (type === 'analyze'
        ? analyzeFile(engine, new Uint8Array(event.data.bytes))
        : engine.analyzeRgba(event.data.width, event.data.height, new Uint8Array(event.data.rgba))
          .then((result) => ({ analysis: result, decoder: 'pixels' }))));
      self.postMessage({ id, type: 'result', analysis, decoder, elapsedMs: performance.now() - started });
    } else if (type === 'compare') {
      // Two saved analyses of one mark: the engine measures the change; no Engine is needed.
      if (!shared) throw new Error('the engine was not started');
      const { compareAnalyses } = await shared;
      if (typeof compareAnalyses !== 'function') {
        throw codedError('unsupported', 'this version of the analysis engine cannot compare photos');
      }
      const comparison = compareAnalyses(event.data.old, event.data.new);
      self.postMessage({ id, type: 'comparison', comparison });
    } else if (type === 'memory') {
      // For the memory probe (bench/memory.mjs): the wasm linear memory and this worker's JS heap.
      const { memory } = await shared;
      self.postMessage({ id, type: 'memory', wasmBytes: memory.buffer.byteLength, jsHeapBytes: performance.memory?.usedJSHeapSize ?? null });
    } else if (type === 'renderGrid') {
      // The generator is shared by both modes' engines: the plain-photo one renders.
      const grid = await withEngine(DEFAULT_MODE, (engine) => renderGridOfFile(engine, new Uint8Array(event.data.bytes)));
      self.postMessage({ id, type: 'grid', grid }, [grid.png.buffer]);
    } else if (type === 'loseGpuDevice') {
      // The device-loss drill (tests): destroys the WebGPU device as a driver reset would, and
      // answers once the worker has switched to the CPU.
      const devices = [...gpuDevices];
      devices.forEach((device) => device.destroy());
      if (devices.length) {
        await gpuLost.promise;
        await shared;
      }
      self.postMessage({ id, type: 'lostGpuDevice', devices: devices.length });
    } else {
      throw new Error(`unknown request ${type}`);
    }
  } catch (error) {
    // A wasm trap leaves the engine's memory in an unknown state: the page restarts this worker.
    const code = error instanceof WebAssembly.RuntimeError ? 'crashed' : error?.code ?? 'internal';
    self.postMessage({ id, type: 'error', code, message: error?.message ?? String(error) });
  }
};

/**
 * Analyses a file's bytes; resolves to `{ analysis, decoder }`. The engine decodes JPEG and PNG
 * (and WebP where its build has the decoder: the CLI's does, the page's does not, to keep the
 * download small). A file in a format it does not decode (code `format`: WebP here, HEIC from an
 * iPhone, AVIF...) is decoded by the browser instead, EXIF orientation honoured, and its pixels
 * analysed (`decoder: 'browser'`). Where the browser cannot decode it either, the engine's own
 * sentence ("could not be read as a JPEG, PNG or WebP photo...") is the answer.
 */
async function analyzeFile(engine, bytes) {
  try {
    return { analysis: await engine.analyzeBytes(bytes), decoder: 'engine' };
  } catch (error) {
    if (error?.code !== 'format') throw error;
    const { checkImageSize } = await shared;
    const pixels = await browserDecode(bytes, checkImageSize);
    if (!pixels) throw error;
    return { analysis: await engine.analyzeRgba(pixels.width, pixels.height, pixels.rgba), decoder: 'browser' };
  }
}

/**
 * The educator's grid of a file's bytes. A format the engine does not decode (code `format`) is
 * decoded by the browser, as for an analysis, and handed to the engine as a lossless PNG of those
 * pixels; where the browser cannot decode it either, the engine's own sentence is the answer.
 */
async function renderGridOfFile(engine, bytes) {
  try {
    return await engine.renderGrid(bytes);
  } catch (error) {
    if (error?.code !== 'format') throw error;
    const { checkImageSize } = await shared;
    const canvas = await browserCanvas(bytes, checkImageSize);
    if (!canvas) throw error;
    const png = await canvas.convertToBlob({ type: 'image/png' });
    return engine.renderGrid(new Uint8Array(await png.arrayBuffer()));
  }
}

/**
 * The photo in `bytes` as the browser's own decoder reads it, upright by its EXIF orientation:
 * `{ width, height, rgba }`, or `null` where the browser cannot decode it. A size beyond the
 * engine's decode limits throws the engine's sentence before any canvas is made.
 */
async function browserDecode(bytes, checkImageSize) {
  const canvas = await browserCanvas(bytes, checkImageSize);
  if (!canvas) return null;
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  return { width: canvas.width, height: canvas.height, rgba: new Uint8Array(data.buffer) };
}

/** The photo in `bytes` drawn upright on an OffscreenCanvas by the browser's decoder, or `null`. */
async function browserCanvas(bytes, checkImageSize) {
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function') return null;
  const blob = new Blob([bytes]);
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' }).catch((error) => (
    // A browser that predates the option name: its default honours EXIF orientation too.
    error instanceof TypeError ? createImageBitmap(blob) : Promise.reject(error)
  )).catch(() => null);
  if (!bitmap) return null;
  try {
    checkImageSize?.(bitmap.width, bitmap.height);
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    canvas.getContext('2d').drawImage(bitmap, 0, 0);
    return canvas;
  } finally {
    bitmap.close();
  }
}

/**
 * Runs `work` on the engine for `mode`. Should the WebGPU device be lost while it runs (the
 * work then fails, or never finishes), it runs again on the CPU engine that replaces it.
 */
async function withEngine(mode, work) {
  const engine = await engineFor(mode);
  if (engine.backend !== 'webgpu') return work(engine);
  const lost = gpuLost.promise.then(() => ({ lost: true }));
  const outcome = await Promise.race([work(engine).then((value) => ({ value }), (error) => ({ error })), lost]);
  if ('value' in outcome) return outcome.value;
  // A failure may come just before the loss is reported: give the report a moment to arrive.
  const caught = outcome.lost || (await Promise.race([lost, delay(500)]))?.lost;
  if (!caught) throw outcome.error;
  return work(await engineFor(mode));
}

/**
 * Watches every WebGPU device the engine creates (wgpu asks `GPUAdapter.requestDevice`), so
 * that losing one switches the worker to the CPU engine.
 */
function watchGpuDevices() {
  const adapter = self.GPUAdapter?.prototype;
  if (!adapter || adapter.requestDevice.dermtoneWatched) return;
  const requestDevice = adapter.requestDevice;
  adapter.requestDevice = async function watchedRequestDevice(...args) {
    const device = await requestDevice.apply(this, args);
    gpuDevices.add(device);
    device.lost.then((info) => onGpuLost(device, info));
    return device;
  };
  adapter.requestDevice.dermtoneWatched = true;
}

/** The WebGPU device is gone: every later request runs on the CPU engine, and the page is told once. */
function onGpuLost(device, info) {
  gpuDevices.delete(device);
  if (preference === 'cpu') return; // already on the CPU: a later loss changes nothing
  preference = 'cpu';
  backend = null;
  engines.clear();
  creating = Promise.resolve();
  shared = load();
  const reason = `the graphics processor's WebGPU device was lost (${info?.reason ?? 'unknown'}${info?.message ? `: ${info.message}` : ''})`;
  shared.then(
    ({ bundle }) => self.postMessage({ type: 'notice', code: 'gpu_lost', backend: 'cpu', bundle, reason, files: [...fetched] }),
    (error) => self.postMessage({ type: 'notice', code: 'gpu_lost_no_cpu', reason: error?.message ?? String(error) }),
  );
  gpuLost.resolve();
  gpuLost = deferred();
}

function deferred() {
  let resolve;
  const promise = new Promise((r) => { resolve = r; });
  return { promise, resolve };
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The engine for `mode`; a failed creation is forgotten so that a later request retries it. */
function engineFor(mode) {
  if (!shared) throw new Error('the engine was not started');
  if (!MODES.includes(mode)) throw codedError('input', `unknown mode ${JSON.stringify(mode)}: use photo or dermoscopy`);
  if (!engines.has(mode)) {
    const engine = creating.then(() => create(mode));
    creating = engine.catch(() => {});
    engines.set(mode, engine);
    engine.catch(() => { if (engines.get(mode) === engine) engines.delete(mode); });
  }
  return engines.get(mode);
}

async function create(mode) {
  const { Engine, manifestText, models, toneWeights, generatorWeights } = await shared;
  const entry = models.find((m) => m.task === mode);
  if (!entry) throw codedError('manifest', `the manifest lists no ${mode} model`);
  const engine = await Engine.create(
    manifestText, await fetchWeights(entry), toneWeights, backend ?? preference, mode,
    await fetchText(`models/${entry.card}`), generatorWeights,
  );
  backend ??= engine.backend;
  return engine;
}

/**
 * Which engine to load: `webgpu` when WebGPU is asked for or a hardware adapter exists, else a
 * CPU-only one. `auto` passes a software (fallback) adapter by: it is slower than the CPU.
 */
async function bundleFor(wanted) {
  if (wanted === 'webgpu') return wanted;
  if (wanted === 'cpu') return cpuBundle();
  const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
  const software = adapter?.info?.isFallbackAdapter ?? adapter?.isFallbackAdapter;
  return adapter && !software ? 'webgpu' : cpuBundle();
}

/** A module whose one function uses a 128-bit SIMD instruction (`i8x16.splat`, `i8x16.popcnt`). */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** The CPU engine this browser can load: `cpu` (wasm SIMD), else `scalar`. */
function cpuBundle() {
  return !simdOff && WebAssembly.validate(SIMD_PROBE) ? 'cpu' : 'scalar';
}

/** The wasm engine, the manifest and the tone estimator's and generator's weights: what every engine shares. */
async function load() {
  const bundle = await bundleFor(preference);
  if (bundle === 'webgpu') watchGpuDevices();
  const { default: init, Engine, compareAnalyses, checkImageSize } = await import(`./pkg/${bundle}/dermtone_web.js`);
  const { memory } = await init();
  fetched.add(`pkg/${bundle}/dermtone_web.js`).add(`pkg/${bundle}/dermtone_web_bg.wasm`);
  const manifestResponse = await fetch('models/manifest.json');
  if (!manifestResponse.ok) throw new Error(`could not load models/manifest.json (${manifestResponse.status})`);
  const manifestText = await manifestResponse.text();
  const { models } = JSON.parse(manifestText);
  const tone = models.find((m) => m.task === 'tone');
  const generator = models.find((m) => m.task === 'generator');
  return {
    Engine,
    compareAnalyses,
    checkImageSize,
    bundle,
    memory,
    manifestText,
    models,
    toneWeights: tone ? await fetchWeights(tone) : undefined,
    generatorWeights: generator ? await fetchWeights(generator) : undefined,
  };
}

async function fetchText(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url} (${response.status})`);
  fetched.add(url);
  return response.text();
}

/** A model's weights; `not_downloaded` when the browser has neither a copy nor a connection. */
async function fetchWeights(entry) {
  const url = `models/${entry.file}`;
  const response = await fetch(url).catch(() => {
    throw codedError('not_downloaded', `${url} is not saved on this device and there is no connection to download it`);
  });
  if (!response.ok) throw new Error(`could not load ${url} (${response.status})`);
  fetched.add(url);
  return new Uint8Array(await response.arrayBuffer());
}

function codedError(code, message) {
  return Object.assign(new Error(message), { code });
}
