// The service worker that lets the page work offline after its first visit. It caches exactly
// the files pkg/precache.js lists (the page, the CPU wasm engine, the models up front; the WebGPU
// engine when the page first fetches it) in a cache named for their content hash, so a new version installs beside the old one, all or nothing, and replaces it
// whole. Any other request goes to the network untouched: photos are never fetched at all.
importScripts('./pkg/precache.js');

const PREFIX = 'dermtone-';
const CACHE = PREFIX + self.PRECACHE.version;
const ASSETS = self.PRECACHE.assets.map((asset) => new URL(asset, self.registration.scope).href);
const LAZY = new Set(self.PRECACHE.lazy.map((asset) => new URL(asset, self.registration.scope).href));
const LISTED = new Set(ASSETS);

// All or nothing: a failed install drops its cache and leaves the running version in charge.
// (Its cache is never the running one's: sw.js is part of the version.)
self.addEventListener('install', (event) => {
  // 'no-cache' revalidates every file with the server, so a new version never stores an older
  // file, yet what the page has just downloaded comes back as a bodiless 304 (ETag), not twice.
  event.waitUntil(caches.open(CACHE)
    .then((cache) => cache.addAll(ASSETS.map((url) => new Request(url, { cache: 'no-cache' }))))
    .catch(async (error) => {
      await caches.delete(CACHE);
      throw error;
    }));
});

// A new version waits until the page asks for it (offline.js applyUpdate), never mid-analysis.
self.addEventListener('message', (event) => {
  if (event.data?.type === 'skipWaiting') self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // The page's options (`?backend=cpu`, `?mode=dermoscopy`) are read by app.js: same page.
  if (request.mode === 'navigate') url.search = '';
  if (LAZY.has(url.href)) {
    event.respondWith(cachedOrFetched(url.href, request));
    return;
  }
  if (!LISTED.has(url.href)) return;
  event.respondWith(caches.match(url.href, { cacheName: CACHE }).then((hit) => hit ?? fetch(request)));
});

/** A lazily cached file (the WebGPU engine): from this version's cache, else fetched and kept. */
async function cachedOrFetched(href, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(href);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(href, response.clone());
  return response;
}
