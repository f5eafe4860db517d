// The service worker that lets the page work offline after its first visit. It caches exactly
// the files pkg/precache.js lists in a cache named for their content hash, so a new version
// installs beside the old one, all or nothing, and replaces it whole:
// - up front: the page, the CPU wasm engine (the SIMD one, which a browser without SIMD stores
//   and never runs), the models a plain-photo check needs with their cards, and the English
//   words;
// - lazily, when the page first fetches them: the WebGPU engine, the engine without wasm SIMD
//   (only browsers that lack SIMD load it), the dermatoscope model with its card and the other
//   languages' words, which many people never use (offline, a language this
//   browser never showed cannot be chosen). One the page fetched before this worker took
//   control (first visit) is taken from the browser's HTTP cache at activation or when the page
//   says it has loaded it, and one the previous version held is fetched again, so an update
//   never takes away a mode or a language that worked offline.
// Any other request goes to the network untouched: photos are never fetched at all.
importScripts('./pkg/precache.js');

const PREFIX = 'dermtone-';
const CACHE = PREFIX + self.PRECACHE.version;
const ASSETS = self.PRECACHE.assets.map((asset) => new URL(asset, self.registration.scope).href);
const LAZY = new Set(self.PRECACHE.lazy.map((asset) => new URL(asset, self.registration.scope).href));
const LAZY_SHA256 = new Map(Object.entries(self.PRECACHE.lazySha256).map(([asset, hash]) => [new URL(asset, self.registration.scope).href, hash]));
const LISTED = new Set(ASSETS);
/** The page, cached once under its bare URL (`./`), which also answers `index.html`. */
const PAGE = new URL('./', self.registration.scope).href;
const PAGE_FILE = new URL('index.html', self.registration.scope).href;

// All or nothing: a failed install drops its cache and leaves the running version in charge.
// (Its cache is never the running one's: sw.js is part of the version.)
self.addEventListener('install', (event) => {
  // 'no-cache' revalidates every file with the server, so a new version never stores an older
  // file, yet what the page has just downloaded comes back as a bodiless 304 (ETag), not twice.
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    try {
      const page = await fetch(await pageRequest());
      if (!page.ok) throw new Error(`could not fetch the page (${page.status})`);
      await cache.addAll(ASSETS.filter((url) => url !== PAGE).map((url) => new Request(url, { cache: 'no-cache' })));
      await cache.put(PAGE, page);
    } catch (error) {
      await caches.delete(CACHE);
      throw error;
    }
  })());
});

/**
 * The request for the page: the URL a window here opened it with (`?backend=auto`, say), which
 * the browser's HTTP cache holds, so that revalidating it is a bodiless 304; the server answers
 * every query with the same file. The bare URL when no window has the page open.
 */
async function pageRequest() {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const opened = windows.map((client) => new URL(client.url)).find(isPage);
  if (opened) opened.hash = '';
  return new Request(opened?.href ?? PAGE, { cache: 'no-cache' });
}

/** Whether `url` is the page, whatever its query and fragment. */
function isPage(url) {
  const bare = new URL(url);
  bare.search = '';
  bare.hash = '';
  return bare.href === PAGE || bare.href === PAGE_FILE;
}

// A new version waits until the page asks for it (offline.js applyUpdate), never mid-analysis.
// The page also says which files its engine has loaded (`keepLazy`): a lazy one fetched before
// this worker took control is then in the HTTP cache, and is kept.
self.addEventListener('message', (event) => {
  if (event.data?.type === 'skipWaiting') self.skipWaiting();
  if (event.data?.type === 'keepLazy') {
    const loaded = new Set((event.data.files ?? []).map((file) => new URL(file, self.registration.scope).href));
    event.waitUntil(keepLazyFiles([], (href) => loaded.has(href)));
  }
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    const old = names.filter((n) => n.startsWith(PREFIX) && n !== CACHE);
    await keepLazyFiles(old);
    await Promise.all(old.map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // A request's URL keeps the page's fragment (`#history`, `#compare/3`): the view, not the file.
  url.hash = '';
  // The page's options (`?backend=cpu`, `?mode=dermoscopy`) are read by app.js: same page.
  if (request.mode === 'navigate') url.search = '';
  if (url.href === PAGE_FILE) url.href = PAGE;
  if (LAZY.has(url.href)) {
    event.respondWith(cachedOrFetched(url.href, request));
    return;
  }
  if (!LISTED.has(url.href)) return;
  event.respondWith(caches.match(url.href, { cacheName: CACHE }).then((hit) => hit ?? fetch(request)));
});

/**
 * Caches each lazy file (those `wanted`) this browser already has: one an `old` cache held is
 * fetched again (revalidated: a 304 when unchanged), one only in the HTTP cache is copied from
 * there without going to the network, if it is this version's. A file that cannot be had is left
 * for the page to fetch when it needs it.
 */
async function keepLazyFiles(old, wanted = () => true) {
  const cache = await caches.open(CACHE);
  const held = async (href) => (await Promise.all(old.map((name) => caches.open(name).then((c) => c.match(href))))).some(Boolean);
  await Promise.all([...LAZY].filter(wanted).map(async (href) => {
    if (await cache.match(href)) return;
    const request = new Request(href, { cache: (await held(href)) ? 'no-cache' : 'only-if-cached', mode: 'same-origin' });
    const response = await fetch(request).catch(() => null);
    if (response?.ok && await isThisVersion(href, response.clone())) await cache.put(href, response);
  }));
}

/** Whether `response` holds this version's `href` (its sha256), not an older copy. */
async function isThisVersion(href, response) {
  const digest = await crypto.subtle.digest('SHA-256', await response.arrayBuffer());
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return hex === LAZY_SHA256.get(href);
}

/**
 * A lazily cached file (the WebGPU engine, the dermatoscope model and its card, a language's
 * words): from this version's cache, else fetched and kept.
 */
async function cachedOrFetched(href, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(href);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && await isThisVersion(href, response.clone())) await cache.put(href, response.clone());
  return response;
}
