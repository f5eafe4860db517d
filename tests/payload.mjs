// The first visit's download: every response the page (and its service worker's offline cache)
// receives from the server until the engine is ready and the app is saved for offline use, raw
// and as gzip -9 would send it. Prints figures; asserts nothing. Not part of CI.
//   node tests/payload.mjs
import { gzipSync } from 'node:zlib';
import { startServer, openPage, waitReady, waitOffline } from './browser/harness.mjs';

const server = await startServer();
const responses = [];
try {
  const session = await openPage('about:blank');
  try {
    session.context.on('response', (response) => responses.push(response));
    await session.page.goto(`${server.url}?backend=cpu`);
    await waitReady(session);
    await waitOffline(session, 'ready');
    const rows = [];
    let revalidated = 0;
    for (const response of responses) {
      if (response.fromServiceWorker() || !response.url().startsWith(server.url)) continue;
      const body = await response.body().catch(() => null);
      // The service worker's revalidation of what the page just loaded: a bodiless 304.
      if (response.status() === 304 || body?.length === 0) { revalidated++; continue; }
      if (!body) continue;
      rows.push({ url: response.url().slice(server.url.length) || '/', raw: body.length, gzip: gzipSync(body, { level: 9 }).length });
    }
    rows.sort((a, b) => b.raw - a.raw);
    for (const row of rows) console.log(`${String(row.raw).padStart(10)} ${String(row.gzip).padStart(10)}  ${row.url}`);
    const total = (key) => rows.reduce((sum, row) => sum + row[key], 0);
    console.log(`${String(total('raw')).padStart(10)} ${String(total('gzip')).padStart(10)}  total over ${rows.length} responses with a body (${revalidated} more revalidated with a bodiless 304)`);
  } finally {
    await session.close();
  }
} finally {
  server.stop();
}
