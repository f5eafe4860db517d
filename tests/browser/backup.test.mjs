// The history's backup (issue 23): "Export the history" downloads one JSON file (format
// dermtone-history, version 1, photos as base64 inside); after "Delete everything", importing it
// brings back the same marks, entries, analysis JSON and photo bytes, and importing it twice
// adds nothing. A damaged file, a foreign JSON file, a file from a newer version and a file
// whose last photo is damaged are each refused with a message, and the history is unchanged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, openPage, waitReady, analyseFile, clinicalTestImages } from './harness.mjs';
import { fileSha256, openView, turnOnHistory, saveResult, readDatabase } from './history-helpers.mjs';

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

/** The history as kept, without the ids IndexedDB gave it: marks by name, each with its entries. */
async function history(page) {
  const kept = await readDatabase(page);
  const json = (value) => JSON.parse(JSON.stringify(value));
  return kept.marks.map((mark) => ({
    name: mark.name,
    entries: kept.entries.filter((e) => e.markId === mark.id)
      .map(({ id, markId, analysis, ...entry }) => ({ ...entry, analysis: json(analysis) }))
      .sort((a, b) => a.date.localeCompare(b.date)),
  })).sort((a, b) => a.name.localeCompare(b.name));
}

/** Imports `file` ({ name, mimeType, buffer }); resolves to the status and error shown. */
async function importFile(page, file) {
  await page.evaluate(() => { delete document.body.dataset.backup; });
  await page.setInputFiles('#backup-import', file);
  await page.waitForFunction(() => document.body.dataset.backup === 'idle');
  return page.evaluate(() => ({
    status: document.getElementById('backup-status').textContent,
    error: document.getElementById('backup-error').hidden ? null : document.getElementById('backup-error').textContent,
  }));
}

const asFile = (text) => ({ name: 'backup.json', mimeType: 'application/json', buffer: Buffer.from(text) });

test('export, delete everything, import: the same history comes back; bad files change nothing', { timeout: 300_000 }, async () => {
  const [photo, other] = clinicalTestImages(2);
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    await waitReady(session);
    const { page } = session;
    await turnOnHistory(page);
    for (const [file, name, date] of [[photo, 'left shoulder', '2025-01-10'], [other, 'left shoulder', '2025-03-10'], [other, 'right knee', '2025-02-01']]) {
      assert.equal((await analyseFile(session, file)).error, null);
      assert.equal((await saveResult(page, name, date)).error, null);
    }
    const saved = await history(page);
    assert.deepEqual(saved.map((m) => [m.name, m.entries.length]), [['left shoulder', 2], ['right knee', 1]]);
    assert.equal(saved[0].entries[0].photo.sha256, fileSha256(photo));

    await openView(page, 'history');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#backup-export')]);
    assert.match(download.suggestedFilename(), /^dermtone-history-\d{4}-\d{2}-\d{2}\.json$/);
    const text = readFileSync(await download.path(), 'utf8');
    const backup = JSON.parse(text);
    assert.equal(backup.format, 'dermtone-history');
    assert.equal(backup.version, 1);
    const shoulder = backup.marks.find((m) => m.name === 'left shoulder');
    assert.equal(shoulder.entries.length, 2);
    const first = shoulder.entries.find((e) => e.date === '2025-01-10');
    assert.deepEqual(Buffer.from(first.photo.base64, 'base64'), readFileSync(photo), 'the photo is inside, as base64 of its bytes');
    assert.equal(first.photo.type, 'image/jpeg');
    assert.equal(first.analysis.mode, 'photo');
    assert.match(await page.textContent('#backup-status'), /Exported 2 mark\(s\) with 3 photo\(s\)/);

    await page.click('#history-delete-all');
    await page.waitForSelector('#history-empty:not([hidden])');
    assert.deepEqual(await history(page), []);

    const imported = await importFile(page, asFile(text));
    assert.equal(imported.error, null);
    assert.match(imported.status, /Imported 3 photo\(s\); 0 were already here/);
    assert.deepEqual(await history(page), saved, 'the same marks, entries, analyses and photo bytes');
    await page.waitForFunction(() => document.querySelectorAll('#history-marks li').length === 2);

    const again = await importFile(page, asFile(text));
    assert.match(again.status, /Imported 0 photo\(s\); 3 were already here/);
    assert.deepEqual(await history(page), saved, 'importing the same file twice adds nothing');

    const newer = { ...backup, version: 99 };
    const foreign = { name: 'dermtone-browser-tests', private: true, marks: backup.marks };
    const damaged = structuredClone(backup);
    damaged.marks.at(-1).entries.at(-1).photo.base64 = 'not base64!';
    const renamed = structuredClone(backup);
    renamed.marks.forEach((m) => { m.name = `${m.name} (copy)`; });
    renamed.marks.at(-1).entries.at(-1).analysis = null;
    const refusals = [
      ['a damaged file', asFile(text.slice(0, text.length / 2)), /damaged or incomplete .*Nothing was changed/],
      ['a foreign JSON file', asFile(JSON.stringify(foreign)), /not a dermtone history backup.*Nothing was changed/],
      ['a file from a newer version', asFile(JSON.stringify(newer)), /newer version of dermtone \(format version 99\).*Nothing was changed/],
      ['a file whose last photo is damaged', asFile(JSON.stringify(damaged)), /damaged or incomplete \(mark 2, photo 1: the photo is damaged\)/],
      ['new marks whose last analysis is missing', asFile(JSON.stringify(renamed)), /damaged or incomplete \(mark 2, photo 1: no valid analysis\)/],
      ['a file that is not JSON at all', { name: 'photo.json', mimeType: 'application/json', buffer: readFileSync(photo) }, /damaged or incomplete/],
    ];
    for (const [what, file, message] of refusals) {
      const outcome = await importFile(page, file);
      assert.match(outcome.error ?? '', message, what);
      assert.equal(outcome.status, '', `${what}: no success is reported`);
      assert.deepEqual(await history(page), saved, `${what}: the history is unchanged`);
    }
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});
