// The offline cache never keeps an older copy of a lazily cached file (issue 20 item 8). A lazy
// file (the dermatoscope model, the WebGPU engine) that the page fetched before the service
// worker took control is copied from the browser's HTTP cache (sw.js keepLazyFiles, at
// activation and on the page's `keepLazy` message), and a lazy file fetched later is kept by
// the fetch handler (cachedOrFetched). The HTTP cache may hold an older version's copy, left by an
// earlier visit; kept, it would be served cache-first for as long as this version runs, and the
// engine would refuse it (the manifest's sha256), so the mode would stay broken online and
// offline. Each path keeps a copy only if its sha256 is the one pkg/precache.js lists.
//
// The stale copies are planted in the HTTP cache for real: the server first serves them, a page
// that registers no service worker fetches them, and the server then serves this version's files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, MODELS, PAGE, startServerOn, openPage, waitReady, waitOffline, analyseFile, testImages } from './harness.mjs';

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Rejects after `ms` (or on a page error): a promise a panicking engine never settles must fail the test, not hang it. */
function within(session, ms, what, promise) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late, session.failed]).finally(() => clearTimeout(timer));
}

let copy; // { dir, www, models }: a page copy whose lazy files the tests swap on disk
let server;
let listed; // pkg/precache.js of the copy: { version, lazy, lazySha256 }
let files; // the lazy files the engine loads: the dermatoscope model and the WebGPU engine
let model; // the dermatoscope model's URL
const good = new Map(); // URL → this version's bytes
const stale = new Map(); // URL → an older copy's bytes

before(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dermtone-stale-'));
  copy = { dir, www: path.join(dir, 'www'), models: path.join(dir, 'models') };
  cpSync(path.join(ROOT, PAGE), copy.www, { recursive: true });
  cpSync(path.resolve(ROOT, MODELS), copy.models, { recursive: true, filter: (src) => !src.endsWith('.validation') });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/precache.mjs'), '--root', copy.www, '--models', copy.models]);
  const text = readFileSync(path.join(copy.www, 'pkg/precache.js'), 'utf8');
  listed = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
  const manifest = JSON.parse(readFileSync(path.join(copy.models, 'manifest.json'), 'utf8'));
  model = `models/${manifest.models.find((m) => m.task === 'dermoscopy').file}`;
  // The icons are lazy too, but the browser itself may fetch them (the app manifest): leave them be.
  files = listed.lazy.filter((url) => !url.startsWith('icons/'));
  assert.ok(files.includes(model), `${model} is cached lazily`);
  assert.ok(files.some((url) => url.startsWith('pkg/webgpu/')), 'the WebGPU engine is cached lazily');
  for (const url of files) {
    const bytes = readFileSync(onDisk(url));
    assert.equal(sha256(bytes), listed.lazySha256[url], `${url}: precache.js lists its sha256`);
    // An older version's copy, as far as the service worker can tell: same name and size (a size
    // check would pass it), one byte different.
    const older = Buffer.from(bytes);
    older[older.length >> 1] ^= 0xff;
    good.set(url, bytes);
    stale.set(url, older);
  }
  server = await startServerOn(copy.www, copy.models);
});

after(() => {
  server?.stop();
  if (copy) rmSync(copy.dir, { recursive: true, force: true });
});

/** Where the server reads `url` (relative to the page) from. */
function onDisk(url) {
  return url.startsWith('models/') ? path.join(copy.models, url.slice('models/'.length)) : path.join(copy.www, url);
}

/** Makes the server serve `bytes` (a Map URL → bytes) for the lazy files. */
const serve = (bytes) => { for (const url of files) writeFileSync(onDisk(url), bytes.get(url)); };

/** The sha256 of what `fetch(url, init)` gives the page, for each of `urls`. */
const fetchedHashes = (session, urls, init = {}) => within(session, 60_000, 'fetching the lazy files', session.page.evaluate(
  async ([list, options]) => Promise.all(list.map(async (url) => {
    const response = await fetch(new URL(url, location.origin + '/'), options);
    if (!response.ok) return `HTTP ${response.status}`;
    const digest = await crypto.subtle.digest('SHA-256', await response.arrayBuffer());
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  })),
  [urls, init],
));

/** The sha256 of each of `urls` in cache `name` (null where it holds none); never creates the cache. */
const keptHashes = (session, name, urls) => within(session, 30_000, 'reading the offline cache', session.page.evaluate(
  async ([cacheName, list]) => Promise.all(list.map(async (url) => {
    const hit = await caches.match(new URL(url, location.origin + '/').href, { cacheName });
    if (!hit) return null;
    const digest = await crypto.subtle.digest('SHA-256', await hit.arrayBuffer());
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  })),
  [name, urls],
));

/**
 * A first visit whose HTTP cache already holds `planted` copies of the lazy files: a page on the
 * same origin that registers no service worker fetches them while the server serves them; the
 * server then serves `served`, and the app page opens (plain photo, CPU: it loads none of them).
 */
async function visitWithPlanted(planted, served) {
  serve(planted);
  const session = await openPage(`${server.url}models/manifest.json`);
  try {
    assert.deepEqual(await fetchedHashes(session, files), files.map((url) => sha256(planted.get(url))), 'the planted copies were fetched');
    serve(served);
    await session.page.goto(`${server.url}?backend=cpu`);
    assert.equal(await within(session, 120_000, 'the engine', waitReady(session)), 'cpu');
    // 'ready' comes once the worker has claimed the page, which activation does after copying
    // what it keeps from the HTTP cache: from here on that copying is over.
    await within(session, 180_000, 'the offline install', waitOffline(session, 'ready'));
    assert.deepEqual(await within(session, 10_000, 'caches.keys', session.page.evaluate(() => caches.keys())), [`dermtone-${listed.version}`]);
    return session;
  } catch (error) {
    await session.close();
    throw error;
  }
}

test('a lazy file this version lists, found in the HTTP cache, is kept at activation', { timeout: 300_000 }, async () => {
  // The server serves the older copies during the visit: what is kept can only have come from
  // the HTTP cache (activation asks it `only-if-cached`, never the network).
  const session = await visitWithPlanted(good, stale);
  try {
    const kept = await keptHashes(session, `dermtone-${listed.version}`, files);
    assert.deepEqual(kept, files.map((url) => listed.lazySha256[url]), 'every planted current copy was kept');
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
    serve(good);
  }
});

test('an older copy of a lazy file in the HTTP cache is refused at activation, on keepLazy and by the fetch handler; the current one is then kept', { timeout: 300_000 }, async () => {
  const session = await visitWithPlanted(stale, good);
  const cacheName = `dermtone-${listed.version}`;
  const staleHashes = files.map((url) => sha256(stale.get(url)));
  /** Asserts that cache `cacheName` holds no older copy: none at all, or this version's. */
  const assertNoneStale = async (when) => {
    const kept = await keptHashes(session, cacheName, files);
    files.forEach((url, i) => {
      assert.notEqual(kept[i], staleHashes[i], `${when}: the older ${url} was kept`);
      assert.ok(kept[i] === null || kept[i] === listed.lazySha256[url], `${when}: ${url} is cached as ${kept[i]}`);
    });
  };
  try {
    // Activation (keepLazyFiles with no older cache) found the older copies and kept none.
    await assertNoneStale('at activation');

    // The page says its engine loaded them (a forged `keepLazy`: the page sends one only for
    // files its engine accepted, but the HTTP cache can change in between). The message has no
    // answer, so give the worker a few seconds: a kept copy shows up within milliseconds.
    await within(session, 10_000, 'posting keepLazy', session.page.evaluate(
      (list) => navigator.serviceWorker.controller.postMessage({ type: 'keepLazy', files: list }), files,
    ));
    for (let waited = 0; waited < 5_000; waited += 250) {
      if ((await keptHashes(session, cacheName, files)).some((hash) => hash !== null)) break;
      await session.page.waitForTimeout(250);
    }
    await assertNoneStale('after keepLazy');

    // Asked through the fetch handler, from the HTTP cache alone, the older copies are still
    // there (so the refusals above had something to refuse), are handed to the page, and are not
    // kept (cachedOrFetched stores before it answers).
    assert.deepEqual(await fetchedHashes(session, files, { cache: 'only-if-cached', mode: 'same-origin' }), staleHashes,
      'the HTTP cache still holds the older copies');
    await assertNoneStale('after the fetch handler');

    // Choosing the dermatoscope downloads the model (the HTTP cache revalidates its older copy
    // with the server: a new ETag, this version's bytes), and that one is kept and runs.
    await session.page.check('input[name="mode"][value="dermoscopy"]');
    const current = listed.lazySha256[model];
    for (let waited = 0; ; waited += 250) {
      const [kept] = await keptHashes(session, cacheName, [model]);
      if (kept === current) break;
      assert.ok(kept === null, `the dermatoscope model is cached as ${kept}, not ${current}`);
      assert.ok(waited < 60_000, 'the dermatoscope model was not cached within 60 s of choosing the mode');
      await within(session, 1_000, 'waiting', session.page.waitForTimeout(250));
    }
    await assertNoneStale('after choosing the dermatoscope');
    const [photo] = testImages(1);
    const outcome = await within(session, 120_000, 'the dermatoscope analysis', analyseFile(session, photo));
    assert.equal(outcome.error, null);
    assert.equal(outcome.mode, 'dermoscopy');
    assert.equal(Object.keys(outcome.probabilities).length, 7);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});
