// Uploading photos: the page's numbers equal the CLI's, bad files fail visibly and harmlessly,
// and once the page has loaded nothing goes over the network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, openPage, waitReady, analyseFile, cliAnalysis, maxDifference, testImages, waitOffline } from './harness.mjs';

let server;
let session;
before(async () => {
  server = await startServer();
  session = await openPage(`${server.url}?backend=cpu&mode=dermoscopy`);
});
after(async () => {
  await session?.close();
  server?.stop();
});

test('an uploaded HAM10000 photo gives the CLI\'s probabilities, skin tone and malignancy flag on the CPU path in dermoscopy mode', { timeout: 180_000 }, async () => {
  assert.equal(await waitReady(session), 'cpu');
  for (const file of testImages(3)) {
    const { probabilities, error, tone, flagged } = await analyseFile(session, file);
    assert.equal(error, null);
    const values = Object.values(probabilities);
    assert.equal(values.length, 7);
    assert.ok(Math.abs(values.reduce((a, b) => a + b, 0) - 1) < 1e-4, `sum ${values}`);
    const reference = cliAnalysis(file, 'dermoscopy');
    assert.ok(maxDifference(probabilities, reference) < 1e-3, `${file}: page ${JSON.stringify(probabilities)} vs CLI ${JSON.stringify(reference.classes)}`);
    assert.deepEqual(tone, { fitzpatrick: String(reference.tone.fitzpatrick ?? 'unknown'), method: reference.tone.method });
    assert.equal(flagged, String(reference.malignancy.flagged));
  }
  assert.deepEqual(session.errors, []);
});

test('a file that is not an image shows an error, then a good image still works', { timeout: 180_000 }, async () => {
  await waitReady(session);
  const dir = mkdtempSync(path.join(tmpdir(), 'dermtone-bad-'));
  const bad = path.join(dir, 'notes.txt');
  writeFileSync(bad, 'this is not a photo of anything');
  const failed = await analyseFile(session, bad);
  assert.match(failed.error ?? '', /could not be read as a JPEG, PNG or WebP/);
  assert.deepEqual(failed.probabilities, {});
  assert.equal(await session.page.isVisible('#result'), false);

  const [good] = testImages(1);
  const ok = await analyseFile(session, good);
  assert.equal(ok.error, null);
  assert.ok(maxDifference(ok.probabilities, cliAnalysis(good, 'dermoscopy')) < 1e-3);
  assert.deepEqual(session.errors, []);
});

/** `file` redrawn through the canvas filter `filter` (e.g. `blur(4px)`), as a PNG upload. */
async function filtered(page, file, filter) {
  const base64 = readFileSync(file).toString('base64');
  const png = await page.evaluate(async ([b64, css]) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    ctx.filter = css;
    ctx.drawImage(bitmap, 0, 0);
    const out = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
    return btoa(String.fromCharCode(...out));
  }, [base64, filter]);
  return { name: 'retouched.png', mimeType: 'image/png', buffer: Buffer.from(png, 'base64') };
}

test('a blurred or darkened photo gets retake advice instead of a result', { timeout: 180_000 }, async () => {
  await waitReady(session);
  const [file] = testImages(1);
  for (const [filter, code, words] of [['blur(4px)', 'blurry', /blurry/], ['brightness(12%)', 'too_dark', /too dark/]]) {
    const outcome = await analyseFile(session, await filtered(session.page, file, filter));
    assert.equal(outcome.error, null);
    assert.ok(outcome.retake.includes(code), `${filter}: ${JSON.stringify(outcome)}`);
    assert.deepEqual(outcome.probabilities, {});
    assert.match(await session.page.textContent('#retake'), words);
    assert.equal(await session.page.isVisible('#per-tone'), false, 'no per-tone result either');
  }

  const sharp = await analyseFile(session, file);
  assert.deepEqual(sharp.retake, []);
  assert.equal(Object.keys(sharp.probabilities).length, 7);
  assert.deepEqual(session.errors, []);
});

test('after loading, 20 analyses make no network request at all', { timeout: 180_000 }, async () => {
  await waitReady(session);
  // The first visit's offline download is part of loading: wait for it to end.
  await waitOffline(session, 'ready');
  const requests = [];
  const log = (request) => requests.push(request.url());
  session.context.on('request', log);
  session.page.on('request', log);
  const files = testImages(5);
  for (let i = 0; i < 20; i++) {
    const { error } = await analyseFile(session, files[i % files.length]);
    assert.equal(error, null);
  }
  await session.page.waitForTimeout(500);
  session.context.off('request', log);
  session.page.off('request', log);
  assert.deepEqual(requests.filter((url) => !url.startsWith('blob:') && !url.startsWith('data:')), []);
});
