// The page's side of the compute worker: one request, one answer, matched by id. The worker owns
// the engines; the UI thread only sends photos and draws answers.
//
// A worker that dies (an uncaught error, or a wasm trap that leaves its memory unknown) is
// replaced by a fresh one, started as the first was: the requests it held fail with code
// `restarted`, and listeners hear `{ type: 'restarted', info }`. A worker that keeps dying is
// not restarted again and again: after a few restarts in a minute, requests fail with `stopped`.

const RESTARTS_PER_MINUTE = 3;

const pending = new Map();
const listeners = new Set();
const restarts = [];
let nextId = 1;
let initMessage = null;
let stopped = false;
let worker = startWorker();

function startWorker() {
  const started = new Worker('./worker.js', { type: 'module' });
  started.onmessage = ({ data }) => {
    if (data.type === 'notice' && data.id === undefined) {
      emit(data);
      return;
    }
    const request = pending.get(data.id);
    if (!request) return;
    pending.delete(data.id);
    if (data.type !== 'error') request.resolve(data);
    else {
      request.reject(codedError(data.code, data.message));
      if (data.code === 'crashed') restart(data.message);
    }
  };
  started.onerror = (event) => {
    event.preventDefault();
    restart(event.message || 'the worker stopped');
  };
  return started;
}

/** Replaces a dead worker with a fresh one, started as the first was. */
function restart(reason) {
  worker.terminate();
  const held = [...pending.values()];
  pending.clear();
  const now = Date.now();
  while (restarts.length && now - restarts[0] > 60_000) restarts.shift();
  stopped = restarts.length >= RESTARTS_PER_MINUTE;
  const code = stopped ? 'stopped' : 'restarted';
  held.forEach((request) => request.reject(codedError(code, `the analysis engine stopped (${reason})`)));
  if (stopped) {
    emit({ type: 'stopped', reason });
    return;
  }
  restarts.push(now);
  worker = startWorker();
  if (initMessage) {
    send(initMessage).then((info) => emit({ type: 'restarted', reason, info }), (error) => emit({ type: 'stopped', reason: error.message }));
  }
}

/** Sends `message` to the worker (moving `transfer`); resolves to its answer, rejects on its error. */
export function call(message, transfer = []) {
  if (message.type === 'init') initMessage = message;
  return send(message, transfer);
}

/**
 * The engine's comparison of two saved analyses of one mark (`old` taken first), as the
 * worker's `compareAnalyses` returns it; rejects with the engine's reason when they cannot be
 * compared (different capture modes, a photo without a lesion outline).
 */
export async function compare(old, next) {
  const { comparison } = await call({ type: 'compare', old, new: next });
  return comparison;
}

function send(message, transfer = []) {
  if (stopped) return Promise.reject(codedError('stopped', 'the analysis engine stopped and could not be restarted'));
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...message, id }, transfer);
  });
}

/**
 * Calls `listener` with what the worker reports unasked: `{ type: 'notice', code: 'gpu_lost',
 * backend, bundle, reason, files }` once WebGPU was lost and the CPU took over, `{ type:
 * 'restarted', reason, info }` after a dead worker was replaced, `{ type: 'stopped', reason }`
 * when it could not be.
 */
export function onWorkerEvent(listener) {
  listeners.add(listener);
}

function emit(event) {
  listeners.forEach((listener) => listener(event));
}

function codedError(code, message) {
  return Object.assign(new Error(message), { code });
}
