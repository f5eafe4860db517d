// Memory over repeated analyses in headless Chromium: the worker's wasm linear memory and JS
// heap, and the page's JS heap, sampled every 10 analyses. Prints the peak and the growth from
// the second sample to the last; asserts nothing.
//   node bench/memory.mjs [analyses=200] [backend=cpu]
import { startServer, openPage, waitReady, analyseFile, testImages } from '../tests/browser/harness.mjs';
import { isMain } from './stats.mjs';

const mb = (bytes) => (bytes == null ? '–' : (bytes / 2 ** 20).toFixed(1));

/**
 * Reads the compute worker's used JS heap over CDP (a dedicated worker has no
 * `performance.memory`): attaches to the worker target and asks `Runtime.getHeapUsage`.
 */
async function workerHeapReader(cdp) {
  const { targetInfos } = await cdp.send('Target.getTargets');
  const worker = targetInfos.find((t) => t.type === 'worker');
  if (!worker) return async () => null;
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false });
  let next = 1;
  const waiting = new Map();
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    const message = JSON.parse(event.message);
    waiting.get(message.id)?.(message.result);
    waiting.delete(message.id);
  });
  return () => new Promise((resolve) => {
    const id = next++;
    waiting.set(id, (result) => resolve(result?.usedSize ?? null));
    cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) });
  });
}

/** Samples `{ after, wasm, workerHeap, pageHeap, total }` (bytes) every 10 of `analyses` analyses. */
export async function memoryOver({ analyses = 200, backend = 'cpu', log = () => {} } = {}) {
  const files = testImages(5);
  const server = await startServer();
  const session = await openPage(`${server.url}?backend=${backend}`, { webgpu: backend === 'webgpu' });
  try {
    await waitReady(session);
    const cdp = await session.context.newCDPSession(session.page);
    await cdp.send('Performance.enable');
    const workerHeap = await workerHeapReader(cdp);
    const sample = async () => {
      const worker = await session.page.evaluate(async () => {
        const { call } = await import('./engine-client.js');
        return call({ type: 'memory' });
      });
      const { metrics } = await cdp.send('Performance.getMetrics');
      const pageHeap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? null;
      const heap = worker.jsHeapBytes ?? await workerHeap();
      return { wasm: worker.wasmBytes, workerHeap: heap, pageHeap, total: worker.wasmBytes + (heap ?? 0) + (pageHeap ?? 0) };
    };
    const samples = [];
    for (let i = 1; i <= analyses; i++) {
      const { error } = await analyseFile(session, files[i % files.length]);
      if (error) throw new Error(error);
      if (i % 10 === 0) {
        const s = { after: i, ...(await sample()) };
        samples.push(s);
        log(`after ${String(i).padStart(4)}: wasm ${mb(s.wasm)} MiB, worker heap ${mb(s.workerHeap)} MiB, page heap ${mb(s.pageHeap)} MiB, total ${mb(s.total)} MiB`);
      }
    }
    return samples;
  } finally {
    await session.close();
    server.stop();
  }
}

if (isMain(import.meta.url)) {
  const [analyses, backend] = [Number(process.argv[2] ?? 200), process.argv[3] ?? 'cpu'];
  const samples = await memoryOver({ analyses, backend, log: console.log });
  const peak = Math.max(...samples.map((s) => s.total));
  const [first, last] = [samples[1] ?? samples[0], samples.at(-1)];
  console.log(`${backend}: peak ${mb(peak)} MiB over ${analyses} analyses; wasm memory ${mb(first.wasm)} → ${mb(last.wasm)} MiB, total ${mb(first.total)} → ${mb(last.total)} MiB from analysis ${first.after} to ${last.after}`);
}
