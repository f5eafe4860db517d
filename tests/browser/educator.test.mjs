// Educator mode: a real photo across the six tones, labelled synthetic, a downloadable grid
// stamped as synthetic with the generator's sha256, the card's real-photo evidence beside it,
// and a synthetic file refused as a source.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, MODELS, startServer, openPage, waitReady, clinicalTestImages } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

/** The `tEXt` chunks of a PNG as a key → value map. */
function pngText(bytes) {
  const text = {};
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = bytes.readUInt32BE(at);
    const kind = bytes.toString('latin1', at + 4, at + 8);
    if (kind === 'tEXt') {
      const data = bytes.subarray(at + 8, at + 8 + length);
      const zero = data.indexOf(0);
      text[data.toString('latin1', 0, zero)] = data.toString('latin1', zero + 1);
    }
    if (kind === 'IEND') break;
    at += 12 + length;
  }
  return text;
}

test('a photo is shown at six tones, labelled synthetic, with a stamped grid download and the real-photo evidence', { timeout: 240_000 }, async () => {
  const [file] = clinicalTestImages(1);
  const manifest = JSON.parse(readFileSync(path.join(ROOT, MODELS, 'manifest.json'), 'utf8'));
  const generator = manifest.models.find((m) => m.task === 'generator');
  const session = await openPage(`${server.url}?backend=cpu#educator`);
  try {
    await waitReady(session);
    const { page } = session;
    await page.setInputFiles('#educator-file', file);
    await Promise.race([page.waitForSelector('#educator-grid canvas'), session.failed]);
    const tiles = await page.evaluate(() => [...document.querySelectorAll('#educator-grid figure')].map((f) => ({
      fitzpatrick: Number(f.dataset.fitzpatrick),
      caption: f.querySelector('figcaption').textContent,
      label: f.querySelector('canvas').getAttribute('aria-label'),
    })));
    assert.deepEqual(tiles.map((t) => t.fitzpatrick), [1, 2, 3, 4, 5, 6]);
    for (const tile of tiles) {
      assert.match(tile.caption, /synthetic/);
      assert.match(tile.label, /Synthetic/);
    }
    const evidenceRows = await page.$$eval('#educator-evidence tbody tr', (rows) => rows.map((r) => r.dataset.fitzpatrick));
    assert.deepEqual(evidenceRows, ['1', '2', '3', '4', '5', '6']);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#educator-download')]);
    const grid = readFileSync(await download.path());
    assert.equal(grid.toString('latin1', 1, 4), 'PNG');
    const stamp = pngText(grid);
    assert.equal(stamp['dermtone:synthetic'], 'true');
    assert.equal(stamp['dermtone:generator'], generator.sha256);
    assert.equal(stamp['dermtone:target_tone'], '1-6');

    await page.setInputFiles('#educator-file', { name: 'grid.png', mimeType: 'image/png', buffer: grid });
    await Promise.race([page.waitForSelector('#educator-error:not([hidden])'), session.failed]);
    assert.match(await page.textContent('#educator-error'), /already a synthetic image/);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});
