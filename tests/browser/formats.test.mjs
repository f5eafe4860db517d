// Photos as phones save them. A WebP (Android, chat apps) and an AVIF (Chromium decodes it, the
// engine does not: the same browser-decoder path a HEIC from an iPhone takes in Safari) chosen
// through the file input give the CLI's analysis of the same pixels; an AVIF stored sideways with
// a rotation property is analysed upright; the educator view renders an AVIF as it renders the
// PNG of its pixels. Every file is made here from a HAM10000 test image:
// the WebP and the PNGs by Chromium's canvas, the AVIF by libavif's avifenc (Debian's
// libavif-bin, which ./build.sh installs) and decoded back to PNG by its avifdec for the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, openPage, waitReady, analyseFile, cliAnalysis, maxDifference, testImages } from './harness.mjs';

/**
 * Page against CLI, as analyse.test.mjs allows. It holds across decoders too: Chromium's WebP and
 * AVIF decoders and the CLI's (the image crate's WebP, avifdec's PNG) gave the same pixels here
 * (differences near 1e-9), where a photo read sideways is 8e-3 away.
 */
const TOLERANCE = 1e-3;

let server;
let session;
let dir;
before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dermtone-formats-'));
  server = await startServer();
  session = await openPage(`${server.url}?backend=cpu&mode=dermoscopy`);
});
after(async () => {
  await session?.close();
  server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * `file` as Chromium decodes it, re-encoded by its canvas as `type` (`quality` for WebP), turned
 * a quarter clockwise first (`turn` 1) or anticlockwise (`turn` -1); written to `name` in the
 * scratch folder. Quarter turns move whole pixels: nothing is resampled.
 */
async function reencode(file, name, type, { quality, turn = 0 } = {}) {
  const base64 = readFileSync(file).toString('base64');
  const out = await session.page.evaluate(async ([b64, kind, q, quarter]) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes]));
    const [w, h] = quarter ? [bitmap.height, bitmap.width] : [bitmap.width, bitmap.height];
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext('2d');
    ctx.imageSmoothingEnabled = false;
    if (quarter === 1) ctx.translate(w, 0);
    if (quarter === -1) ctx.translate(0, h);
    ctx.rotate((quarter * Math.PI) / 2);
    ctx.drawImage(bitmap, 0, 0);
    const blob = await canvas.convertToBlob({ type: kind, ...(q === null ? {} : { quality: q }) });
    if (blob.type !== kind) throw new Error(`the canvas wrote ${blob.type}, not ${kind}`);
    const data = new Uint8Array(await blob.arrayBuffer());
    let text = '';
    for (let i = 0; i < data.length; i += 0x8000) text += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return btoa(text);
  }, [base64, type, quality ?? null, turn]);
  const target = path.join(dir, name);
  writeFileSync(target, Buffer.from(out, 'base64'));
  return target;
}

/** A PNG's width and height from its header. */
function pngSize(file) {
  const header = readFileSync(file);
  return [header.readUInt32BE(16), header.readUInt32BE(20)];
}

/** `input` encoded by avifenc: fast, 4:2:0 like a phone's, lossy. */
function avifenc(input, output, extra = []) {
  execFileSync('avifenc', ['--speed', '8', '--yuv', '420', '--min', '8', '--max', '16', ...extra, input, output], { stdio: 'pipe' });
  return output;
}

function avifdec(input, output) {
  execFileSync('avifdec', ['--depth', '8', input, output], { stdio: 'pipe' });
  return output;
}

/** Chooses `file` in the page; the outcome plus which decoder read it (`engine` or `browser`). */
async function analysed(file) {
  const outcome = await analyseFile(session, file);
  assert.equal(outcome.error, null, `${file}: ${outcome.error}`);
  assert.equal(Object.keys(outcome.probabilities).length, 7, file);
  return { ...outcome, decoder: await session.page.evaluate(() => document.body.dataset.decoder) };
}

test('a WebP chosen in the page gives the CLI\'s analysis of the same file', { timeout: 180_000 }, async () => {
  assert.equal(await waitReady(session), 'cpu');
  const [jpeg] = testImages(1);
  const webp = await reencode(jpeg, 'photo.webp', 'image/webp', { quality: 1 });
  const bytes = readFileSync(webp);
  assert.equal(bytes.subarray(8, 12).toString('latin1'), 'WEBP');
  const page = await analysed(webp);
  // The page's engine leaves WebP to the browser (README: the decoder was left out while the
  // first visit's download had no room for it); the CLI decodes it itself.
  assert.equal(page.decoder, 'browser');
  const reference = cliAnalysis(webp, 'dermoscopy');
  const difference = maxDifference(page.probabilities, reference);
  console.log(`WebP (${bytes.subarray(12, 16).toString('latin1').trim()}): page − CLI ${difference.toExponential(2)}`);
  assert.ok(difference < TOLERANCE, `page ${JSON.stringify(page.probabilities)} vs CLI ${JSON.stringify(reference.classes)}`);
  assert.equal(page.flagged, String(reference.malignancy.flagged));
  assert.deepEqual(session.errors, []);
});

test('an AVIF, which only the browser decodes, gives the CLI\'s analysis of its decoded pixels', { timeout: 180_000 }, async () => {
  await waitReady(session);
  const [jpeg] = testImages(1);
  const png = await reencode(jpeg, 'photo.png', 'image/png');
  const avif = avifenc(png, path.join(dir, 'photo.avif'));
  const page = await analysed(avif);
  assert.equal(page.decoder, 'browser');
  const reference = cliAnalysis(avifdec(avif, path.join(dir, 'photo-avifdec.png')), 'dermoscopy');
  const difference = maxDifference(page.probabilities, reference);
  console.log(`AVIF: page − CLI on avifdec's PNG ${difference.toExponential(2)}; CLI on the source PNG ${maxDifference(page.probabilities, cliAnalysis(png, 'dermoscopy')).toExponential(2)}`);
  assert.ok(difference < TOLERANCE, `page ${JSON.stringify(page.probabilities)} vs CLI ${JSON.stringify(reference.classes)}`);
  assert.equal(page.flagged, String(reference.malignancy.flagged));

  // A JPEG, PNG or WebP never takes the browser's path in the engine's place, and a file neither
  // can read keeps the engine's sentence.
  assert.equal((await analysed(png)).decoder, 'engine');
  const broken = path.join(dir, 'broken.avif');
  writeFileSync(broken, readFileSync(avif).subarray(0, 200));
  const refused = await analyseFile(session, broken);
  assert.match(refused.error ?? '', /could not be read as a JPEG, PNG or WebP photo \(it is a AVIF file/);
  assert.deepEqual(refused.probabilities, {});
  assert.deepEqual(session.errors, []);
});

test('an AVIF stored sideways with a rotation property is analysed upright', { timeout: 180_000 }, async () => {
  await waitReady(session);
  const [jpeg] = testImages(1);
  const png = await reencode(jpeg, 'photo.png', 'image/png');
  // Stored turned a quarter clockwise, with `irot` 1 saying to show it turned a quarter
  // anticlockwise, as a phone held sideways records a photo: shown, it is upright again.
  const sideways = await reencode(png, 'sideways.png', 'image/png', { turn: 1 });
  const avif = avifenc(sideways, path.join(dir, 'sideways.avif'), ['--irot', '1']);
  const page = await analysed(avif);
  assert.equal(page.decoder, 'browser');
  // avifdec writes the stored (sideways) pixels; the reference turns them as irot says.
  const stored = avifdec(avif, path.join(dir, 'sideways-avifdec.png'));
  assert.deepEqual(pngSize(stored), pngSize(sideways), 'avifdec applied the rotation itself');
  const upright = await reencode(stored, 'upright-avifdec.png', 'image/png', { turn: -1 });
  assert.deepEqual(pngSize(upright), pngSize(png));
  const toUpright = maxDifference(page.probabilities, cliAnalysis(upright, 'dermoscopy'));
  const toSideways = maxDifference(page.probabilities, cliAnalysis(stored, 'dermoscopy'));
  console.log(`AVIF with irot: page − CLI upright ${toUpright.toExponential(2)}, page − CLI sideways ${toSideways.toExponential(2)}`);
  assert.ok(toUpright < TOLERANCE, `page − CLI upright ${toUpright}`);
  assert.ok(toSideways > TOLERANCE, `page − CLI sideways ${toSideways}: the page read the photo sideways`);
  assert.deepEqual(session.errors, []);
});

/** The educator view's tiles for `file`: which types are shown, and which is the photo's own. */
async function educatorTiles(educator, file) {
  const { page } = educator;
  await page.evaluate(() => document.getElementById('educator-grid').replaceChildren());
  await page.setInputFiles('#educator-file', file);
  await Promise.race([
    page.waitForSelector('#educator-grid canvas'),
    page.waitForSelector('#educator-error:not([hidden])'),
    educator.failed,
  ]);
  const error = await page.evaluate(() => {
    const box = document.getElementById('educator-error');
    return box.hidden ? null : box.textContent;
  });
  assert.equal(error, null, `${file}: ${error}`);
  return page.$$eval('#educator-grid figure', (figures) => figures.map((f) => ({
    fitzpatrick: Number(f.dataset.fitzpatrick),
    source: f.querySelector('figcaption').textContent.includes("(the photo's own tone)"),
  })));
}

test('the educator view renders an AVIF, which only the browser decodes, like its decoded PNG', { timeout: 240_000 }, async () => {
  const educator = await openPage(`${server.url}?backend=cpu#educator`);
  try {
    await waitReady(educator);
    const [jpeg] = testImages(1);
    const png = await reencode(jpeg, 'educator.png', 'image/png');
    const avif = avifenc(png, path.join(dir, 'educator.avif'));
    const fromAvif = await educatorTiles(educator, avif);
    assert.deepEqual(fromAvif.map((t) => t.fitzpatrick), [1, 2, 3, 4, 5, 6]);
    const fromPng = await educatorTiles(educator, avifdec(avif, path.join(dir, 'educator-avifdec.png')));
    assert.deepEqual(fromAvif, fromPng, 'the AVIF and its decoded PNG have different own tones');
    assert.deepEqual(educator.errors, []);
  } finally {
    await educator.close();
  }
});
