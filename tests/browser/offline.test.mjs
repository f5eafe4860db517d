// The installable, offline page: after one visit a service worker serves the page, the wasm and
// the models from its cache, so a photo is analysed with the network off and the server gone
// (the dermatoscope model, the WebGPU engine, the engine without wasm SIMD and a language other
// than English once first used);
// a new version of any file installs as a new cache that replaces the old one whole; the web app
// manifest makes the page installable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ROOT, MODELS, PAGE, startServer, startServerOn, openPage, waitReady, waitOffline, analyseFile, cliAnalysis,
  maxDifference, testImages, clinicalTestImages, chooseLanguage, shippedModel,
} from './harness.mjs';
import { openView } from './history-helpers.mjs';

const DERMOSCOPY = shippedModel('dermoscopy');
const PHOTO = shippedModel('photo');

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

const cacheNames = (page) => page.evaluate(() => caches.keys());

/**
 * Resolves once the current version's cache holds `url` (relative to the page); rejects after
 * 60 s. It polls: page.waitForFunction takes the promise an async predicate returns for a true
 * answer, and so would not wait at all.
 */
async function waitCached(page, url) {
  const cached = () => page.evaluate(async (u) => {
    const [name] = (await caches.keys()).filter((n) => n.startsWith('dermtone-'));
    return Boolean(name && await (await caches.open(name)).match(u));
  }, url);
  for (const deadline = Date.now() + 60_000; !(await cached());) {
    if (Date.now() > deadline) throw new Error(`${url} was not cached within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The paths the current version's cache holds. */
const cachedPaths = (page) => page.evaluate(async () => {
  const [name] = (await caches.keys()).filter((n) => n.startsWith('dermtone-'));
  const keys = name ? await (await caches.open(name)).keys() : [];
  return keys.map((r) => new URL(r.url).pathname);
});

/** Reruns scripts/precache.mjs on a page copy; resolves to the new version. */
function precache(www, models) {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/precache.mjs'), '--root', www, '--models', models]);
  return /"version": "([0-9a-f]{64})"/.exec(readFileSync(path.join(www, 'pkg/precache.js'), 'utf8'))[1];
}

test('after the first visit a photo is analysed with the network off and the server stopped', { timeout: 240_000 }, async () => {
  const [file] = testImages(1);
  const session = await openPage(`${server.url}?backend=cpu&mode=dermoscopy`);
  try {
    await waitReady(session);
    await waitOffline(session, 'ready');
    // The first visit fetched the dermatoscope model before the service worker was in charge;
    // it is kept all the same, from the HTTP cache.
    await waitCached(session.page, `models/${DERMOSCOPY.file}`);

    const requests = [];
    session.context.on('request', (r) => requests.push(r));
    await session.context.setOffline(true);
    server.stop();
    await session.page.reload();
    assert.equal(await waitReady(session), 'cpu');
    await waitOffline(session, 'ready');
    const outcome = await analyseFile(session, file);
    assert.equal(outcome.error, null);
    assert.equal(outcome.mode, 'dermoscopy');
    assert.ok(maxDifference(outcome.probabilities, cliAnalysis(file, 'dermoscopy')) < 1e-3);

    // Every request of the page and its engine worker was answered by the service worker (the
    // photo's preview is a blob: URL, never a request that leaves the browser).
    const urls = requests.map((r) => r.url()).filter((url) => !url.startsWith('blob:'));
    for (const asset of ['pkg/cpu/dermtone_web_bg.wasm', `models/${DERMOSCOPY.file}`]) {
      assert.ok(urls.includes(server.url + asset), `${asset} was requested`);
    }
    const network = [];
    for (const request of requests.filter((r) => !r.url().startsWith('blob:'))) {
      if (!(await request.response())?.fromServiceWorker()) network.push(request.url());
    }
    assert.deepEqual(network, []);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
    server.stop();
    server = await startServer();
  }
});

test('the WebGPU engine is cached when first used, not up front, and then works offline', { timeout: 300_000 }, async () => {
  const session = await openPage(`${server.url}?backend=webgpu&mode=dermoscopy`, { webgpu: true });
  try {
    assert.equal(await waitReady(session), 'webgpu');
    await waitOffline(session, 'ready');
    const cached = () => cachedPaths(session.page);
    assert.ok((await cached()).includes('/pkg/cpu/dermtone_web_bg.wasm'), 'the CPU engine is cached up front');
    // The first visit fetched these before the service worker was in charge; they are kept all
    // the same, from the HTTP cache.
    await waitCached(session.page, 'pkg/webgpu/dermtone_web_bg.wasm');
    await waitCached(session.page, `models/${DERMOSCOPY.file}`);

    await session.context.setOffline(true);
    server.stop();
    await session.page.reload();
    assert.equal(await waitReady(session), 'webgpu');
    const [file] = testImages(1);
    const outcome = await analyseFile(session, file);
    assert.equal(outcome.error, null);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
    server.stop();
    server = await startServer();
  }
});

test('a browser without wasm SIMD caches the engine it runs when first used, and then works offline', { timeout: 240_000 }, async () => {
  // `simd=off` makes the worker choose as a browser without wasm SIMD does (iOS before 16.4).
  const session = await openPage(`${server.url}?backend=cpu&simd=off`);
  const bundle = () => session.page.evaluate(() => document.body.dataset.bundle);
  try {
    assert.equal(await waitReady(session), 'cpu');
    assert.equal(await bundle(), 'scalar');
    await waitOffline(session, 'ready');
    // Fetched before the service worker was in charge, it is kept from the HTTP cache.
    await waitCached(session.page, 'pkg/scalar/dermtone_web_bg.wasm');

    await session.context.setOffline(true);
    server.stop();
    await session.page.reload();
    assert.equal(await waitReady(session), 'cpu');
    assert.equal(await bundle(), 'scalar');
    const [file] = clinicalTestImages(1);
    const outcome = await analyseFile(session, file);
    assert.equal(outcome.error, null);
    assert.equal(outcome.mode, 'photo');
    assert.ok(maxDifference(outcome.probabilities, cliAnalysis(file, 'photo')) < 1e-3);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
    server.stop();
    server = await startServer();
  }
});

/** About's section for the dermatoscope model: whether it shows the card, or says it is not saved yet. */
const dermoscopyCardShown = async (page) => {
  await openView(page, 'about');
  const section = `#about-cards .card[data-model="${DERMOSCOPY.id}"]`;
  await page.waitForSelector(`${section} dl, ${section} .card-not-saved`);
  return page.isVisible(`${section} dl`);
};

test('the dermatoscope model and its card are cached when first chosen, not up front; offline before that, choosing it says so', { timeout: 240_000 }, async () => {
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    await waitReady(session);
    await waitOffline(session, 'ready');
    const upFront = await cachedPaths(session.page);
    assert.ok(upFront.includes(`/models/${PHOTO.file}`), 'the plain-photo model is cached up front');
    assert.ok(upFront.includes(`/models/${PHOTO.card}`), 'so is its card, for About');
    assert.deepEqual(upFront.filter((p) => p.startsWith(`/models/${DERMOSCOPY.id}.`)), [], 'the dermatoscope model and its card are not cached up front');

    await session.context.setOffline(true);
    assert.equal(await dermoscopyCardShown(session.page), false, 'offline, About says the card is not saved yet');
    await openView(session.page, 'check');
    await session.page.check('input[name="mode"][value="dermoscopy"]');
    await session.page.waitForSelector('#error:not([hidden])');
    assert.match(await session.page.textContent('#error'), /Dermatoscope mode is not saved on this device yet/);

    // Back online, choosing the mode again downloads the model and the service worker keeps it.
    await session.context.setOffline(false);
    await session.page.check('input[name="mode"][value="photo"]');
    await session.page.check('input[name="mode"][value="dermoscopy"]');
    await waitCached(session.page, `models/${DERMOSCOPY.file}`);
    await waitCached(session.page, `models/${DERMOSCOPY.card}`);
    assert.equal(await session.page.isHidden('#error'), true);

    await session.context.setOffline(true);
    server.stop();
    await session.page.goto(`${server.url}?backend=cpu&mode=dermoscopy`);
    assert.equal(await waitReady(session), 'cpu');
    const [file] = testImages(1);
    const outcome = await analyseFile(session, file);
    assert.equal(outcome.error, null);
    assert.equal(outcome.mode, 'dermoscopy');
    assert.ok(maxDifference(outcome.probabilities, cliAnalysis(file, 'dermoscopy')) < 1e-3);
    await session.page.evaluate(() => { delete document.body.dataset.summary; });
    await openView(session.page, 'summary');
    await session.page.waitForFunction(() => document.body.dataset.summary === 'done');
    assert.deepEqual(await session.page.$$eval('.summary-models p.note', (notes) => notes.map((n) => n.textContent)), [],
      'offline, the summary of a dermatoscope result finds its model\'s card');
    assert.equal(await dermoscopyCardShown(session.page), true, 'offline, About shows the card saved with the model');
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
    server.stop();
    server = await startServer();
  }
});

test('a first visit downloads the page once, English and the language shown, no other; one picked later is kept, and offline only those are offered', { timeout: 240_000 }, async () => {
  const spanish = JSON.parse(readFileSync(path.join(ROOT, 'www/i18n/es.json'), 'utf8'));
  const session = await openPage('about:blank');
  const downloaded = new Set();
  const pageBodies = [];
  session.context.on('response', async (response) => {
    if (response.fromServiceWorker()) return;
    const words = /\/i18n\/(\w+)\.json$/.exec(response.url());
    if (words) downloaded.add(words[1]);
    // The service worker's copy of the page is a revalidation: a 304, or a 200 without a body.
    const { pathname } = new URL(response.url());
    const length = Number(await response.headerValue('content-length'));
    if (['/', '/index.html'].includes(pathname) && response.status() === 200 && length > 0) pageBodies.push(response.url());
  });
  try {
    await session.page.goto(`${server.url}?backend=cpu&lang=fr`);
    await waitReady(session);
    await waitOffline(session, 'ready');
    await waitCached(session.page, 'i18n/fr.json');
    assert.deepEqual([...downloaded].sort(), ['en', 'fr']);
    assert.deepEqual(pageBodies, [`${server.url}?backend=cpu&lang=fr`]);
    assert.deepEqual((await cachedPaths(session.page)).filter((p) => p.startsWith('/i18n/')).sort(), ['/i18n/en.json', '/i18n/fr.json']);

    // Online, a language picked for the first time is fetched, shown and kept.
    await chooseLanguage(session.page, 'es');
    await waitCached(session.page, 'i18n/es.json');

    await session.context.setOffline(true);
    server.stop();
    await session.page.reload();
    await waitReady(session);
    assert.equal(await session.page.evaluate(() => fetch('index.html').then((r) => r.ok)), true, 'the one cached copy also answers index.html');
    assert.equal(await session.page.evaluate(() => document.documentElement.lang), 'fr');
    await chooseLanguage(session.page, 'es');
    assert.equal(await session.page.textContent('[data-view-link="about"]'), spanish['nav.about']);
    // Swahili was never shown: the switch stays on Spanish and says why.
    await session.page.selectOption('#language', 'sw');
    await session.page.waitForSelector('#language-error:not([hidden])');
    assert.equal(await session.page.textContent('#language-error'), spanish['error.language_not_downloaded'].replace('{language}', 'Kiswahili'));
    assert.equal(await session.page.inputValue('#language'), 'es');
    assert.equal(await session.page.evaluate(() => document.documentElement.lang), 'es');
    await chooseLanguage(session.page, 'en');
    assert.equal(await session.page.isHidden('#language-error'), true);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
    server.stop();
    server = await startServer();
  }
});

/** A copy of the page as served and of the models it uses, which a test may change. */
function pageCopy() {
  const dir = mkdtempSync(path.join(tmpdir(), 'dermtone-offline-'));
  const www = path.join(dir, 'www');
  const models = path.join(dir, 'models');
  cpSync(path.join(ROOT, PAGE), www, { recursive: true });
  cpSync(path.resolve(ROOT, MODELS), models, { recursive: true, filter: (src) => !src.endsWith('.validation') });
  return { dir, www, models };
}

/** Runs the browser's update check now; resolves to how the new worker's install ended. */
const checkForUpdate = (page) => page.evaluate(async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  const installed = new Promise((resolve) => registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker.addEventListener('statechange', () => {
      if (worker.state === 'installed' || worker.state === 'redundant') resolve(worker.state);
    });
  }, { once: true }));
  await registration.update();
  return installed;
});

test('a new version installs whole or not at all, and once applied replaces the old cache', { timeout: 240_000 }, async () => {
  const copy = pageCopy();
  const oldVersion = precache(copy.www, copy.models);
  let copyServer = await startServerOn(copy.www, copy.models);
  const session = await openPage(`${copyServer.url}?backend=cpu`);
  const servedCard = () => session.page.evaluate((url) => fetch(url).then((r) => r.text()), `models/${DERMOSCOPY.card}`);
  try {
    await waitReady(session);
    await waitOffline(session, 'ready');
    assert.deepEqual(await cacheNames(session.page), [`dermtone-${oldVersion}`]);
    const card = path.join(copy.models, DERMOSCOPY.card);
    const oldCard = readFileSync(card, 'utf8');
    // Once used, the dermatoscope model and its card (cached lazily) must survive the update below.
    await session.page.check('input[name="mode"][value="dermoscopy"]');
    await waitCached(session.page, `models/${DERMOSCOPY.file}`);
    await waitCached(session.page, `models/${DERMOSCOPY.card}`);

    // Whitespace keeps the card's meaning, but it is a new file: a new version. With one of its
    // files missing it cannot install, and the old version stays in charge, its cache alone.
    appendFileSync(card, '\n');
    const newVersion = precache(copy.www, copy.models);
    assert.notEqual(newVersion, oldVersion);
    const listed = path.join(copy.www, 'i18n/en.json');
    const listedBytes = readFileSync(listed);
    rmSync(listed);
    assert.equal(await checkForUpdate(session.page), 'redundant');
    assert.equal(await session.page.evaluate(() => document.documentElement.dataset.offline), 'ready');
    assert.deepEqual(await cacheNames(session.page), [`dermtone-${oldVersion}`]);
    assert.equal(await servedCard(), oldCard);

    writeFileSync(listed, listedBytes);
    await session.page.reload();
    await waitOffline(session, 'update');
    assert.ok(await session.page.isVisible('#offline-update'));
    await Promise.all([session.page.waitForEvent('load'), session.page.click('#offline-update')]);
    await waitReady(session);
    await waitOffline(session, 'ready');
    assert.deepEqual(await cacheNames(session.page), [`dermtone-${newVersion}`]);
    const kept = await cachedPaths(session.page);
    assert.ok(kept.includes(`/models/${DERMOSCOPY.file}`), 'the update kept the dermatoscope model');
    assert.ok(kept.includes(`/models/${DERMOSCOPY.card}`), 'and its card, in its new version');

    copyServer.stop();
    copyServer = null;
    assert.equal(await servedCard(), readFileSync(card, 'utf8'));
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
    copyServer?.stop();
    rmSync(copy.dir, { recursive: true, force: true });
  }
});

test('the web app manifest is valid and installable, with 192 and 512 px PNG icons', { timeout: 120_000 }, async () => {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'www/manifest.webmanifest'), 'utf8'));
  assert.equal(manifest.start_url, './');
  assert.equal(manifest.display, 'standalone');
  const any = manifest.icons.filter((i) => i.purpose === 'any').map((i) => i.sizes);
  assert.deepEqual(any.sort(), ['192x192', '512x512']);
  assert.ok(manifest.icons.some((i) => i.purpose === 'maskable'));

  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    await waitOffline(session, 'ready');
    const cdp = await session.context.newCDPSession(session.page);
    const { errors } = await cdp.send('Page.getAppManifest');
    assert.deepEqual(errors, []);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, []);

    const decoded = await session.page.evaluate((icons) => Promise.all(icons.map(async (icon) => {
      const blob = await (await fetch(icon.src)).blob();
      const bitmap = await createImageBitmap(blob);
      return { type: blob.type, sizes: `${bitmap.width}x${bitmap.height}` };
    })), manifest.icons);
    assert.deepEqual(decoded, manifest.icons.map((i) => ({ type: 'image/png', sizes: i.sizes })));
  } finally {
    await session.close();
  }
});
