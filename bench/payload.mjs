// The first visit's download: every response the page (and its service worker's offline cache)
// receives from the server until the engine is ready and the app is saved for offline use, raw,
// as gzip -9 would send it, and as `dermtone serve` did send it (the bytes on the wire, in the
// encoding it chose from its precompressed copies: scripts/precompress.mjs). Prints figures;
// asserts nothing.
//   node bench/payload.mjs [backend=auto]
// The responses are counted by a pass-through proxy between Chromium and the server, not by the
// browser's own network events: those miss the service worker's script (sw.js) now and then,
// which Chromium fetches before the tools can watch the worker.
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import http from 'node:http';
import { startServer, openPage, waitReady, waitOffline } from '../tests/browser/harness.mjs';
import { isMain } from './stats.mjs';

/** The body as the page received it, from the bytes the server sent in `encoding`. */
function decoded(body, encoding) {
  if (encoding === 'br') return brotliDecompressSync(body);
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === 'identity') return body;
  throw new Error(`unexpected content-encoding ${encoding}`);
}

/**
 * A proxy on a free port that passes every request to `upstream` unchanged and keeps each
 * response: `{ url, status, encoding, body }`, `body` the bytes sent. Resolves to
 * `{ url, responses, settled(), stop() }`; `settled()` resolves once no response is in flight.
 */
function countingProxy(upstream) {
  const target = new URL(upstream);
  const responses = [];
  let inFlight = 0;
  let idle = [];
  const done = () => {
    if (--inFlight === 0) for (const resolve of idle.splice(0)) resolve();
  };
  const server = http.createServer((request, reply) => {
    inFlight++;
    const forwarded = http.request({
      host: target.hostname, port: target.port, method: request.method, path: request.url,
      headers: { ...request.headers, host: target.host },
    }, (response) => {
      reply.writeHead(response.statusCode, response.rawHeaders);
      const chunks = [];
      response.on('data', (chunk) => { chunks.push(chunk); reply.write(chunk); });
      response.on('end', () => {
        reply.end();
        responses.push({
          url: request.url.slice(1) || '/', status: response.statusCode,
          encoding: response.headers['content-encoding'] ?? 'identity', body: Buffer.concat(chunks),
        });
        done();
      });
      response.on('error', () => { reply.destroy(); done(); });
    });
    forwarded.on('error', () => { reply.destroy(); done(); });
    request.pipe(forwarded);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/`,
    responses,
    settled: () => (inFlight === 0 ? Promise.resolve() : new Promise((r) => idle.push(r))),
    stop: () => { server.closeAllConnections(); server.close(); },
  })));
}

/**
 * Every response with a body of a first visit with `?backend=BACKEND` (largest first): its raw
 * size, its gzip -9 size, and the bytes served with the encoding served; their totals, and how
 * many responses were bodiless revalidations.
 */
export async function firstVisitPayload({ backend = 'auto', webgpu = false } = {}) {
  const server = await startServer();
  const proxy = await countingProxy(server.url);
  try {
    const session = await openPage('about:blank', { webgpu });
    try {
      await session.page.goto(`${proxy.url}?backend=${backend}`);
      await waitReady(session);
      await waitOffline(session, 'ready');
      await proxy.settled();
    } finally {
      await session.close();
    }
    const rows = [];
    let revalidated = 0;
    for (const { url, status, encoding, body } of proxy.responses) {
      // The service worker's revalidation of what the page just loaded: a bodiless 304.
      if (status === 304 || body.length === 0) { revalidated++; continue; }
      const raw = decoded(body, encoding);
      rows.push({ url, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length, served: body.length, encoding });
    }
    rows.sort((x, y) => y.raw - x.raw);
    const total = (key) => rows.reduce((sum, row) => sum + row[key], 0);
    return { backend, rows, raw: total('raw'), gzip: total('gzip'), served: total('served'), revalidated };
  } finally {
    proxy.stop();
    server.stop();
  }
}

if (isMain(import.meta.url)) {
  const { rows, raw, gzip, served, revalidated } = await firstVisitPayload({ backend: process.argv[2] ?? 'auto' });
  for (const row of rows) console.log(`${String(row.raw).padStart(10)} ${String(row.gzip).padStart(10)}  ${row.url}  (served: ${row.served} ${row.encoding})`);
  console.log(`${String(raw).padStart(10)} ${String(gzip).padStart(10)}  total over ${rows.length} responses with a body (${revalidated} more revalidated with a bodiless 304)`);
  const counts = rows.reduce((count, row) => ({ ...count, [row.encoding]: (count[row.encoding] ?? 0) + 1 }), {});
  const encodings = Object.entries(counts).map(([name, count]) => `${count} ${name}`).join(', ');
  console.log(`${String(served).padStart(21)}  as served (${encodings})`);
}
