// Broken model files reaching the page: truncated weights, a manifest naming a missing file, a
// wrong sha256, an unknown weight format. Each is a readable error in the mode whose model is
// broken, and the other mode keeps working on the same page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, MODELS, startServer, openPage, waitReady, analyseFile, chooseMode, testImages } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

const manifest = () => JSON.parse(readFileSync(path.resolve(ROOT, MODELS, 'manifest.json'), 'utf8'));
const dermoscopyEntry = (m) => m.models.find((e) => e.task === 'dermoscopy');

/** Serves `changedManifest` instead of the real one and, when given, `weights` for the dermoscopy model's file. */
async function brokenPage(changedManifest, weights) {
  const session = await openPage('about:blank');
  await session.context.route('**/models/manifest.json', (route) => route.fulfill({
    contentType: 'application/json', body: JSON.stringify(changedManifest),
  }));
  if (weights) {
    await session.context.route(`**/models/${dermoscopyEntry(changedManifest).file}`, (route) => route.fulfill({
      contentType: 'application/octet-stream', body: weights,
    }));
  }
  await session.page.goto(`${server.url}?backend=cpu`);
  return session;
}

const original = () => readFileSync(path.resolve(ROOT, MODELS, dermoscopyEntry(manifest()).file));

const CASES = [
  ['truncated weights', () => [manifest(), original().subarray(0, 1000)], /incomplete or wrong download/],
  ['a manifest naming a missing file', () => {
    const m = manifest();
    dermoscopyEntry(m).file = 'nowhere.int8.bpk';
    return [m, null];
  }, /could not load models\/nowhere\.int8\.bpk \(404\)/],
  ['a wrong sha256', () => {
    const m = manifest();
    dermoscopyEntry(m).sha256 = '00'.repeat(32);
    return [m, null];
  }, /failed its integrity check/],
  ['an unknown weight format', () => {
    const m = manifest();
    dermoscopyEntry(m).format = 'int4-per-block-v7';
    return [m, null];
  }, /cannot read/],
];

for (const [name, make, words] of CASES) {
  test(`${name}: the dermatoscope mode says so, the photo mode keeps working`, { timeout: 180_000 }, async () => {
    const [changed, weights] = make();
    const session = await brokenPage(changed, weights);
    try {
      assert.equal(await waitReady(session), 'cpu');
      const [file] = testImages(1);
      const asPhoto = await analyseFile(session, file);
      assert.equal(asPhoto.error, null);
      assert.ok(Object.keys(asPhoto.probabilities).length > 0);
      const asDermoscopy = await chooseMode(session, 'dermoscopy');
      assert.match(asDermoscopy.error ?? '', words);
      assert.deepEqual(asDermoscopy.probabilities, {});
      const again = await chooseMode(session, 'photo');
      assert.equal(again.error, null);
      assert.deepEqual(again.probabilities, asPhoto.probabilities);
      assert.deepEqual(session.errors, []);
    } finally {
      await session.close();
    }
  });
}
