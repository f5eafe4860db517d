// Backend choice: `webgpu` runs on WebGPU and agrees with the CPU; `auto` takes the small
// CPU-only engine, never fetching the WebGPU one, where there is no hardware adapter (none at all,
// or only a software fallback such as SwiftShader, which is slower than the CPU), says why, and
// still works; a browser without wasm SIMD (forced by `?simd=off`) gets the engine built without
// it, whose every network agrees with the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, openPage, waitReady, analyseFile, chooseMode, cliAnalysis, maxDifference, testImages, clinicalTestImages,
} from './harness.mjs';
import { readPerTone } from './readers.mjs';

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

test('with --enable-unsafe-webgpu, the WebGPU engine runs and matches the CPU within 1e-3', { timeout: 300_000 }, async () => {
  const session = await openPage(`${server.url}?backend=webgpu&mode=dermoscopy`, { webgpu: true });
  try {
    assert.equal(await waitReady(session), 'webgpu');
    assert.equal(await session.page.evaluate(() => document.body.dataset.bundle), 'webgpu');
    for (const file of testImages(3)) {
      const { probabilities, error } = await analyseFile(session, file);
      assert.equal(error, null);
      assert.ok(maxDifference(probabilities, cliAnalysis(file, 'dermoscopy')) < 1e-3, `${file}: ${JSON.stringify(probabilities)}`);
    }
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

for (const [what, webgpu] of [['without WebGPU', false], ['with only a software WebGPU adapter', true]]) {
  test(`${what}, auto loads only the CPU engine, says why, and works`, { timeout: 180_000 }, async () => {
    const session = await openPage('about:blank', { webgpu });
    try {
      // Answered requests only: at activation the service worker asks the HTTP cache, and
      // nothing else, for each lazily cached file, and such a request fails when it is not there.
      const requests = [];
      session.context.on('requestfinished', (r) => requests.push(new URL(r.url()).pathname));
      await session.page.goto(`${server.url}?backend=auto&mode=dermoscopy`);
      assert.equal(await waitReady(session), 'cpu');
      assert.equal(await session.page.evaluate(() => document.body.dataset.bundle), 'cpu');
      assert.match(await session.page.textContent('footer'), /Backend: CPU \(WebGPU is not available\)/);
      const [file] = testImages(1);
      const { probabilities, error } = await analyseFile(session, file);
      assert.equal(error, null);
      assert.ok(maxDifference(probabilities, cliAnalysis(file, 'dermoscopy')) < 1e-3);
      assert.ok(requests.includes('/pkg/cpu/dermtone_web_bg.wasm'));
      assert.deepEqual(requests.filter((p) => p.startsWith('/pkg/webgpu/')), [], 'the WebGPU engine is never fetched');
      assert.deepEqual(session.errors, []);
    } finally {
      await session.close();
    }
  });
}

test('asking for WebGPU where there is none is a readable error, not a hang', { timeout: 180_000 }, async () => {
  const session = await openPage(`${server.url}?backend=webgpu&mode=dermoscopy`);
  try {
    await Promise.race([session.page.waitForSelector('#error:not([hidden])'), session.failed]);
    assert.match(await session.page.textContent('#error'), /WebGPU is not available/);
  } finally {
    await session.close();
  }
});

test('without wasm SIMD, the engine built without it runs every network as the CLI does', { timeout: 300_000 }, async () => {
  // A plain photo with per-tone results exercises the tone estimator, the generator and the
  // photo classifier; a dermatoscope photo the other classifier.
  const photo = clinicalTestImages(20).map((file) => ({ file, reference: cliAnalysis(file, 'photo') }))
    .find(({ reference }) => reference.quality.ok && reference.per_tone.length === 6);
  assert.ok(photo, 'one of the first 20 Fitzpatrick17k test photos has per-tone results');
  const session = await openPage('about:blank');
  try {
    const requests = [];
    session.context.on('requestfinished', (r) => requests.push(new URL(r.url()).pathname));
    await session.page.goto(`${server.url}?backend=auto&simd=off&mode=photo`);
    assert.equal(await waitReady(session), 'cpu');
    assert.equal(await session.page.evaluate(() => document.body.dataset.bundle), 'scalar');
    const outcome = await analyseFile(session, photo.file);
    assert.equal(outcome.error, null);
    assert.ok(maxDifference(outcome.probabilities, photo.reference) < 1e-3, JSON.stringify(outcome.probabilities));
    assert.equal(outcome.tone.fitzpatrick, String(photo.reference.tone.fitzpatrick ?? 'unknown'));
    const { rows } = await readPerTone(session.page);
    assert.equal(rows.length, 6);
    rows.forEach((row, i) => assert.ok(Math.abs(row.malignancy - photo.reference.per_tone[i].malignancy) < 1e-3,
      `type ${row.fitzpatrick}: ${row.malignancy} vs ${photo.reference.per_tone[i].malignancy}`));
    const [file] = testImages(1);
    await chooseMode(session, 'dermoscopy');
    const dermoscopy = await analyseFile(session, file);
    assert.equal(dermoscopy.error, null);
    assert.ok(maxDifference(dermoscopy.probabilities, cliAnalysis(file, 'dermoscopy')) < 1e-3);
    assert.ok(requests.includes('/pkg/scalar/dermtone_web_bg.wasm'), 'the no-SIMD engine is fetched');
    assert.deepEqual(requests.filter((p) => p.startsWith('/pkg/webgpu/')), []);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});
