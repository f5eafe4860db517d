// Shared pieces of the real-browser tests: the project's own server, Debian Chromium driven by
// playwright-core, and the CLI as the reference the page must agree with.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DERMTONE = process.env.DERMTONE_BIN ?? path.join(ROOT, 'target/release/dermtone');
export const HAM = path.resolve(ROOT, '../shared/data/ham10000');
export const FITZPATRICK = path.resolve(ROOT, '../shared/data/fitzpatrick17k_ajl_subset');
/** The models folder the server and the CLI both use (`DERMTONE_MODELS` to try another one). */
export const MODELS = process.env.DERMTONE_MODELS ?? 'models';

/**
 * The manifest entry of the model shipped in MODELS for `task` (`photo`, `dermoscopy`, `tone`,
 * `generator`): tests name its files through it, so shipping a new model does not touch them.
 */
export function shippedModel(task) {
  const manifest = JSON.parse(readFileSync(path.resolve(ROOT, MODELS, 'manifest.json'), 'utf8'));
  const entry = manifest.models.find((m) => m.task === task);
  if (!entry) throw new Error(`no ${task} model in ${MODELS}/manifest.json`);
  return entry;
}

/** Test-split HAM10000 images, in split.csv order. */
export function testImages(count) {
  const rows = readFileSync(path.join(HAM, 'split.csv'), 'utf8').trim().split('\n').slice(1);
  return rows.filter((r) => r.endsWith(',test')).slice(0, count)
    .map((r) => path.join(HAM, 'images_200x150', `${r.split(',')[0]}.jpg`));
}

/** Test-split Fitzpatrick17k photos (plain clinical photos), in labels.csv order. */
export function clinicalTestImages(count) {
  const [header, ...rows] = readFileSync(path.join(FITZPATRICK, 'labels.csv'), 'utf8').trim().split('\n');
  const split = header.split(',').indexOf('split');
  return rows.map((r) => r.split(',')).filter((r) => r[split] === 'test').slice(0, count)
    .map((r) => path.join(FITZPATRICK, 'images', `${r[0]}.jpg`));
}

/** `dermtone analyze --json --mode MODE` on a file: the native reference result. */
export function cliAnalysis(file, mode) {
  const args = ['analyze', '--json', '--mode', mode, '--models', MODELS, file];
  return JSON.parse(execFileSync(DERMTONE, args, { cwd: ROOT, encoding: 'utf8' }));
}

/** The page as served: www/ built into dist/ by ./build.sh (scripts/build-page.mjs: minified,
 * with the engines and the offline cache list). */
export const PAGE = 'dist';

/** Starts `dermtone serve` on a free port; resolves to { url, stop }. */
export function startServer() {
  return startServerOn(PAGE, MODELS);
}

const BASE_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/**
 * Opens `url` in a fresh headless Chromium. Every `pageerror` and worker error is collected in
 * `errors`; `failed()` rejects as soon as one happens, so a panicking engine fails a test at once
 * instead of hanging it. `locale` sets the browser's language (`navigator.languages`).
 */
export async function openPage(url, { webgpu = false, extraArgs = [], locale } = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), 'dermtone-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    ...(locale ? { locale } : {}),
    args: [...BASE_ARGS, ...(webgpu ? ['--enable-unsafe-webgpu'] : []), ...extraArgs],
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(60_000);
  const errors = [];
  let fail;
  const failed = new Promise((_, reject) => { fail = reject; });
  failed.catch(() => {});
  const record = (error) => { errors.push(String(error)); fail(new Error(`page error: ${error}`)); };
  page.on('pageerror', record);
  page.on('worker', (worker) => worker.on('console', (m) => m.type() === 'error' && record(m.text())));
  page.on('console', (m) => { if (m.type() === 'error' && /panicked|unreachable/i.test(m.text())) record(m.text()); });
  await page.goto(url);
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { page, context, errors, failed, close };
}

/** Waits for the engine to be ready; resolves to the backend it reports. */
export async function waitReady(session) {
  await Promise.race([session.page.waitForSelector('body[data-backend]'), session.failed]);
  return session.page.evaluate(() => document.body.dataset.backend);
}

/** Picks `lang` in the page's language switch and waits until the page is worded in it (its words
 * may have to be fetched first). */
export async function chooseLanguage(page, lang) {
  await page.selectOption('#language', lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

/** Chooses `file` (a path, or `{ name, mimeType, buffer }`) and waits for the outcome. */
export function analyseFile(session, file) {
  return outcomeOf(session, () => session.page.setInputFiles('#file', file));
}

/** Selects capture mode `mode` in the page's switch and waits for the photo's re-analysis. */
export function chooseMode(session, mode) {
  return outcomeOf(session, () => session.page.check(`input[name="mode"][value="${mode}"]`));
}

/** Runs `action`, which starts an analysis, and waits for that analysis's outcome. */
export async function outcomeOf(session, action) {
  const { page } = session;
  // Forget the previous outcome so that only this analysis can satisfy the wait below.
  await page.evaluate(() => {
    document.getElementById('classes').replaceChildren();
    document.getElementById('error').hidden = true;
    document.getElementById('retake').hidden = true;
    delete document.body.dataset.state;
  });
  await action();
  await Promise.race([
    page.waitForFunction(() => document.body.dataset.state === 'idle'
      && (document.querySelectorAll('#classes li').length > 0 || !document.getElementById('error').hidden
        || !document.getElementById('retake').hidden)),
    session.failed,
  ]);
  return readResult(page);
}

/** Probabilities shown in the page keyed by class code, retake advice codes, the visible error, the skin tone shown, the malignancy flag, and the model that ran with its mode. */
export function readResult(page) {
  return page.evaluate(() => ({
    probabilities: document.getElementById('result').hidden ? {} : Object.fromEntries(
      [...document.querySelectorAll('#classes li')].map((li) => [li.dataset.code, Number(li.dataset.probability)]),
    ),
    retake: document.getElementById('retake').hidden ? []
      : [...document.querySelectorAll('#retake-problems li')].map((li) => li.dataset.code),
    error: document.getElementById('error').hidden ? null : document.getElementById('error').textContent,
    tone: document.getElementById('result').hidden ? null : {
      fitzpatrick: document.getElementById('tone').dataset.fitzpatrick,
      method: document.getElementById('tone').dataset.method,
    },
    flagged: document.getElementById('malignancy').hidden ? null : document.getElementById('malignancy').dataset.flagged,
    model: document.getElementById('result').hidden ? null : document.getElementById('model-id').textContent,
    mode: document.getElementById('result').hidden ? null : document.getElementById('result').dataset.mode,
  }));
}

/** Largest absolute difference between the page's and the CLI's probabilities. */
export function maxDifference(probabilities, analysis) {
  return Math.max(...analysis.classes.map((c) => Math.abs(probabilities[c.code] - c.probability)));
}

/** Waits until the offline state (`<html data-offline>`, set by offline.js) is `state`; 'failed' fails at once. */
export async function waitOffline(session, state) {
  await Promise.race([
    session.page.waitForFunction((s) => [s, 'failed'].includes(document.documentElement.dataset.offline), state),
    session.failed,
  ]);
  const reached = await session.page.evaluate(() => document.documentElement.dataset.offline);
  if (reached !== state) throw new Error(`the offline state is ${reached}, not ${state}`);
}

/** Starts `dermtone serve` on a free port for the `www` and `models` folders given (e.g. a copy a test changes); resolves to { url, stop }. */
export function startServerOn(www, models) {
  const server = spawn(DERMTONE, ['serve', '--port', '0', '--root', www, '--models', models], { cwd: ROOT });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('dermtone serve did not start in 10 s')), 10_000);
    server.on('exit', (code) => reject(new Error(`dermtone serve exited with ${code}`)));
    server.stderr.on('data', (d) => process.stderr.write(d));
    server.stdout.on('data', (chunk) => {
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(chunk.toString());
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[0], stop: () => server.kill() });
      }
    });
  });
}
