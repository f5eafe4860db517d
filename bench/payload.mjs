// The first visit's download: every response the page (and its service worker's offline cache)
// receives from the server until the engine is ready and the app is saved for offline use, raw,
// as gzip -9 would send it, and as `dermtone serve` did send it (its content-length, in the
// encoding it chose from its precompressed copies: scripts/precompress.mjs). Prints figures;
// asserts nothing.
//   node bench/payload.mjs [backend=auto]
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, MODELS, startServer, openPage, waitReady, waitOffline } from '../tests/browser/harness.mjs';
import { isMain } from './stats.mjs';

/** The file `dermtone serve` answers `url` with (`models/…` from the models folder). */
function servedFile(url) {
  const pathname = url.split('?')[0];
  if (pathname.startsWith('models/')) return path.resolve(ROOT, MODELS, pathname.slice('models/'.length));
  return path.join(ROOT, 'www', pathname === '' || pathname === '/' ? 'index.html' : pathname);
}

/**
 * Every response with a body of a first visit with `?backend=BACKEND` (largest first): its raw
 * size, its gzip -9 size, and the bytes served with the encoding served; their totals, and how
 * many responses were bodiless revalidations.
 */
export async function firstVisitPayload({ backend = 'auto', webgpu = false } = {}) {
  const server = await startServer();
  try {
    const session = await openPage('about:blank', { webgpu });
    try {
      const responses = [];
      session.context.on('response', (response) => responses.push(response));
      await session.page.goto(`${server.url}?backend=${backend}`);
      await waitReady(session);
      await waitOffline(session, 'ready');
      const rows = [];
      let revalidated = 0;
      for (const response of responses) {
        if (response.fromServiceWorker() || !response.url().startsWith(server.url)) continue;
        const url = response.url().slice(server.url.length) || '/';
        const length = Number(await response.headerValue('content-length'));
        // The service worker's revalidation of what the page just loaded: a bodiless 304
        // (Chromium may report it as a 200 without a body).
        if (response.status() === 304 || length === 0) { revalidated++; continue; }
        // Playwright cannot read the bodies the service worker fetched: gzip the served file.
        const body = await response.body().then((b) => (b.length ? b : null), () => null) ?? readFileSync(servedFile(url));
        // The body is the decoded one; content-length is what the server sent.
        const encoding = await response.headerValue('content-encoding') ?? 'identity';
        rows.push({ url, raw: body.length, gzip: gzipSync(body, { level: 9 }).length, served: length || body.length, encoding });
      }
      rows.sort((x, y) => y.raw - x.raw);
      const total = (key) => rows.reduce((sum, row) => sum + row[key], 0);
      return { backend, rows, raw: total('raw'), gzip: total('gzip'), served: total('served'), revalidated };
    } finally {
      await session.close();
    }
  } finally {
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
