// The capture-mode switch: a plain photo (the default) and a dermatoscope photo run different
// models, each the one the CLI runs for that mode; switching re-analyses the same photo, on the
// backend the page started with; a mode the manifest lacks is an error, not a dead page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ROOT, MODELS, startServer, openPage, waitReady, analyseFile, chooseMode, outcomeOf, cliAnalysis,
  maxDifference, clinicalTestImages, testImages,
} from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

/** The first Fitzpatrick17k test photo good enough to analyse, with the CLI's result per mode. */
function clinicalPhoto() {
  for (const file of clinicalTestImages(20)) {
    const photo = cliAnalysis(file, 'photo');
    if (photo.quality.ok) return { file, photo, dermoscopy: cliAnalysis(file, 'dermoscopy') };
  }
  throw new Error('none of the first 20 Fitzpatrick17k test photos passed the quality check');
}

/** Asserts that the page's outcome is the CLI's `reference` analysis. */
function assertSameAs(outcome, reference) {
  assert.equal(outcome.error, null);
  assert.equal(outcome.mode, reference.mode);
  assert.equal(outcome.model, reference.model.id);
  assert.equal(outcome.flagged, reference.malignancy ? String(reference.malignancy.flagged) : null);
  assert.ok(maxDifference(outcome.probabilities, reference) < 1e-3,
    `page ${JSON.stringify(outcome.probabilities)} vs CLI ${JSON.stringify(reference.classes)}`);
}

test('a clinical photo runs the photo model by default and the dermoscopy model once switched by keyboard, each as the CLI does', { timeout: 240_000 }, async () => {
  const { file, photo, dermoscopy } = clinicalPhoto();
  assert.equal(photo.mode, 'photo');
  assert.equal(dermoscopy.mode, 'dermoscopy');
  assert.notEqual(photo.model.id, dermoscopy.model.id);

  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    assert.equal(await waitReady(session), 'cpu');
    assert.equal(await session.page.isChecked('input[name="mode"][value="photo"]'), true, 'plain photo is the default');
    const asPhoto = await analyseFile(session, file);
    assertSameAs(asPhoto, photo);
    assert.match(await session.page.textContent('#result .note'), /clinical photos \(Fitzpatrick17k\)/);

    const asDermoscopy = await outcomeOf(session, async () => {
      await session.page.focus('input[name="mode"]:checked');
      await session.page.keyboard.press('ArrowDown');
    });
    assert.equal(await session.page.isChecked('input[name="mode"][value="dermoscopy"]'), true);
    assertSameAs(asDermoscopy, dermoscopy);
    assert.match(await session.page.textContent('#result .note'), /dermoscopic images \(HAM10000\)/);
    assert.notEqual(asPhoto.model, asDermoscopy.model);

    assertSameAs(await chooseMode(session, 'photo'), photo);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('on WebGPU, the second mode\'s engine shares the first one\'s device', { timeout: 300_000 }, async () => {
  const { file, photo, dermoscopy } = clinicalPhoto();
  const session = await openPage(`${server.url}?backend=webgpu&mode=dermoscopy`, { webgpu: true });
  try {
    assert.equal(await waitReady(session), 'webgpu');
    assertSameAs(await analyseFile(session, file), dermoscopy);
    assertSameAs(await chooseMode(session, 'photo'), photo);
    assert.match(await session.page.textContent('#status'), /on WebGPU/);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('a manifest without a photo model is a readable error, and the dermatoscope mode still works', { timeout: 180_000 }, async () => {
  const manifest = JSON.parse(readFileSync(path.resolve(ROOT, MODELS, 'manifest.json'), 'utf8'));
  manifest.models = manifest.models.filter((m) => m.task !== 'photo');
  const session = await openPage('about:blank');
  try {
    await session.context.route('**/models/manifest.json', (route) => route.fulfill({
      contentType: 'application/json', body: JSON.stringify(manifest),
    }));
    await session.page.goto(`${server.url}?backend=cpu`);
    await Promise.race([session.page.waitForSelector('#error:not([hidden])'), session.failed]);
    assert.match(await session.page.textContent('#error'), /the manifest lists no photo model/);

    const [file] = testImages(1);
    const asPhoto = await analyseFile(session, file);
    assert.match(asPhoto.error ?? '', /the manifest lists no photo model/);
    const asDermoscopy = await chooseMode(session, 'dermoscopy');
    assertSameAs(asDermoscopy, cliAnalysis(file, 'dermoscopy'));
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});
