// The page's side of the compute worker: one request, one answer, matched by id. The worker owns
// the engines; the UI thread only sends photos and draws answers.

const worker = new Worker('./worker.js', { type: 'module' });
const pending = new Map();
let nextId = 1;

worker.onmessage = ({ data }) => {
  const request = pending.get(data.id);
  if (!request) return;
  pending.delete(data.id);
  if (data.type === 'error') request.reject(Object.assign(new Error(data.message), { code: data.code }));
  else request.resolve(data);
};

/** Sends `message` to the worker (moving `transfer`); resolves to its answer, rejects on its error. */
export function call(message, transfer = []) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...message, id }, transfer);
  });
}
