// A mark's history on the device (issue 23): off by default, with nothing stored and no way to
// save; once switched on, results saved to a named mark survive a reload (online and offline),
// two photos of one mark are compared by the engine, "Delete this mark" and "Delete everything"
// empty IndexedDB at once, and a storage failure is reported without losing what was saved or
// stopping the analysis; when the engine cannot compare two photos, the page says why; the
// WebGPU bundle compares as the CPU one does. IndexedDB is read directly, not through the
// page's code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, openPage, waitReady, waitOffline, analyseFile, clinicalTestImages } from './harness.mjs';
import { fileSha256, openView, turnOnHistory, saveResult, readDatabase, listedMarks, openComparison } from './history-helpers.mjs';

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

/** The shape measures a comparison always has (malignancy is added when both sides give one). */
const SHAPE = ['asymmetry', 'border_irregularity', 'colour_variegation', 'frame_share'];

test('the history is off by default: no save form, nothing in IndexedDB, and About says what it would keep', { timeout: 180_000 }, async () => {
  const [file] = clinicalTestImages(1);
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    await waitReady(session);
    const { page } = session;
    assert.equal((await analyseFile(session, file)).error, null);
    assert.equal(await page.isVisible('#save-off'), true, 'the result says the history is off');
    assert.equal(await page.isHidden('#save-form'), true, 'no save form while the history is off');
    // Submitting the hidden form (as a script could) keeps nothing either.
    await page.evaluate(() => document.getElementById('save-form').requestSubmit());
    await openView(page, 'history');
    await page.waitForFunction(() => document.body.dataset.history === 'drawn');
    assert.equal(await page.isChecked('#history-on'), false);
    assert.equal(await page.isVisible('#history-empty'), true);
    assert.equal(await page.isHidden('#backup-import-label'), true, 'no import while the history is off');
    assert.equal(await page.isDisabled('#backup-export'), true, 'nothing to export');
    assert.equal(await readDatabase(page), null, 'no history database was created');
    assert.equal(await page.evaluate(() => localStorage.length), 0);

    await openView(page, 'about');
    const privacy = await page.textContent('#about-history');
    for (const word of ['photo', 'analysis', 'models', 'date', 'IndexedDB', 'this device', 'Delete everything']) {
      assert.ok(privacy.includes(word), `About's privacy text says "${word}"`);
    }
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('saved results survive reloads, online and offline; the engine compares them; deleting empties IndexedDB', { timeout: 420_000 }, async () => {
  const [photo, other] = clinicalTestImages(2);
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    await waitReady(session);
    const { page } = session;
    await turnOnHistory(page);
    // One photo analysed twice, kept as two photos of one mark taken weeks apart, and one of another mark.
    for (const [file, name, date] of [[photo, 'left shoulder', '2025-01-10'], [photo, 'left shoulder', '2025-03-10'], [other, 'right knee', '2025-02-01']]) {
      await openView(page, 'check');
      assert.equal((await analyseFile(session, file)).error, null);
      const saved = await saveResult(page, name, date);
      assert.equal(saved.error, null);
      assert.match(saved.status, new RegExp(name));
    }
    const kept = await readDatabase(page);
    assert.deepEqual(kept.stores.sort(), ['entries', 'marks']);
    assert.deepEqual(kept.marks.map((m) => m.name).sort(), ['left shoulder', 'right knee']);
    const shoulder = kept.marks.find((m) => m.name === 'left shoulder');
    const entries = kept.entries.filter((e) => e.markId === shoulder.id);
    assert.deepEqual(entries.map((e) => e.date).sort(), ['2025-01-10', '2025-03-10']);
    for (const entry of entries) {
      assert.equal(entry.photo.sha256, fileSha256(photo), 'the photo is kept as its own file bytes');
      assert.equal(entry.photo.type, 'image/jpeg');
      assert.equal(entry.analysis.mode, 'photo');
      assert.equal(entry.analysis.quality.ok, true);
      assert.ok(Array.isArray(entry.analysis.classes) && entry.analysis.classes.length > 0, 'the analysis is kept');
      assert.equal(entry.analysis.renderings, undefined, 'the synthetic renderings are not kept');
      assert.ok(entry.models.some((m) => m.id === entry.analysis.model.id && m.task === 'photo'), 'the classifier id is kept');
      assert.ok(!Number.isNaN(Date.parse(entry.saved)));
    }

    const check = async (when) => {
      const marks = await listedMarks(page);
      assert.deepEqual(marks.map((m) => [m.name, m.entries]), [['left shoulder', 2], ['right knee', 1]], when);
      const shown = await openComparison(session, shoulder.id);
      assert.equal(shown.error, null, `${when}: ${shown.error}`);
      assert.equal(shown.photos.length, 2);
      assert.ok(shown.photos.every((p) => p.loaded), `${when}: both photos are drawn from IndexedDB`);
      assert.match(shown.photos[0].alt, /10 January 2025/);
      assert.match(shown.photos[1].alt, /10 March 2025/);
      for (const code of SHAPE) {
        const row = shown.rows.find((r) => r.code === code);
        assert.ok(row, `${when}: a row for ${code}`);
        assert.equal(row.direction, 'same', `${when}: a photo against itself: ${code} is the same`);
        assert.equal(row.large, false);
        assert.match(row.cells[3], /about the same/, 'the direction is said in words');
      }
      assert.ok(shown.triage, 'the comparison\'s triage is shown');
      assert.match(shown.sizeNote, /Size cannot be measured/);
      assert.match(shown.changeNote, /changing is a reason to see a clinician/);
    };
    await check('after saving');
    await page.reload();
    await waitReady(session);
    await check('after a reload');

    await waitOffline(session, 'ready');
    await session.context.setOffline(true);
    server.stop();
    await page.reload();
    await waitReady(session);
    await check('after a reload offline');

    await listedMarks(page);
    const knee = kept.marks.find((m) => m.name === 'right knee');
    await page.click(`#history-marks li[data-mark-id="${knee.id}"] button[data-delete]`);
    await page.waitForFunction(() => document.querySelectorAll('#history-marks li').length === 1);
    const afterOne = await readDatabase(page);
    assert.deepEqual(afterOne.marks.map((m) => m.name), ['left shoulder']);
    assert.deepEqual(afterOne.entries.map((e) => e.markId), [shoulder.id, shoulder.id], 'the knee\'s photo went with it');
    assert.match(await page.textContent('#history-status'), /Deleted “right knee”/);

    await page.click('#history-delete-all');
    await page.waitForSelector('#history-empty:not([hidden])');
    const afterAll = await readDatabase(page);
    assert.deepEqual([afterAll.marks, afterAll.entries], [[], []], 'nothing is left in IndexedDB');
    assert.equal(await page.isHidden('#history-list'), true);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
    server.stop();
    server = await startServer();
  }
});

test('with IndexedDB refused, the page says so clearly and still analyses', { timeout: 180_000 }, async () => {
  const [file] = clinicalTestImages(1);
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    const { page } = session;
    // As in a browser that refuses the site storage: every open throws.
    await session.context.addInitScript(() => {
      IDBFactory.prototype.open = function open() { throw new DOMException('The user denied permission to access the database.', 'SecurityError'); };
    });
    await page.reload();
    await waitReady(session);
    await turnOnHistory(page);
    await page.waitForSelector('#history-error:not([hidden])');
    assert.match(await page.textContent('#history-error'), /does not let the page store anything here .*Nothing already saved was lost/);
    await openView(page, 'check');
    const outcome = await analyseFile(session, file);
    assert.equal(outcome.error, null, 'the analysis still works');
    assert.ok(Object.keys(outcome.probabilities).length > 0);
    const saved = await saveResult(page, 'left shoulder', '2025-01-10');
    assert.match(saved.error, /does not let the page store anything here/);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('a full disk refuses the new photo with a message and keeps what was already saved', { timeout: 180_000 }, async () => {
  const [file] = clinicalTestImages(1);
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    await waitReady(session);
    const { page } = session;
    await turnOnHistory(page);
    await openView(page, 'check');
    await analyseFile(session, file);
    assert.equal((await saveResult(page, 'left shoulder', '2025-01-10')).error, null);
    // The next write finds no room, as IndexedDB reports it.
    await page.evaluate(() => {
      IDBObjectStore.prototype.add = function add() { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
    });
    await analyseFile(session, file);
    const saved = await saveResult(page, 'left shoulder', '2025-03-10');
    assert.match(saved.error, /no room left on this device.*Nothing already saved was lost/);
    const kept = await readDatabase(page);
    assert.deepEqual(kept.marks.map((m) => m.name), ['left shoulder']);
    assert.deepEqual(kept.entries.map((e) => e.date), ['2025-01-10'], 'the first photo is still there, and only it');
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('when the engine cannot compare two photos, the Compare view says why', { timeout: 240_000 }, async () => {
  const [file] = clinicalTestImages(1);
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    await waitReady(session);
    const { page } = session;
    await turnOnHistory(page);
    assert.equal((await analyseFile(session, file)).error, null);
    assert.equal((await saveResult(page, 'left shoulder', '2025-01-10')).error, null);
    await openView(page, 'history');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#backup-export')]);
    const backup = JSON.parse(readFileSync(await download.path(), 'utf8'));
    const [entry] = backup.marks[0].entries;
    // A later photo of the mark in which no lesion was outlined, as the engine reports it.
    const outlineless = structuredClone(entry);
    outlineless.date = '2025-03-10';
    outlineless.saved = new Date(Date.parse(entry.saved) + 1000).toISOString();
    outlineless.analysis.lesion = null;
    backup.marks[0].entries.push(outlineless);
    await page.click('#history-delete-all');
    await page.waitForSelector('#history-empty:not([hidden])');
    await page.setInputFiles('#backup-import', { name: 'backup.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(backup)) });
    const [mark] = await (async () => {
      await page.waitForFunction(() => document.querySelectorAll('#history-marks li').length === 1);
      return listedMarks(page);
    })();
    assert.equal(mark.entries, 2);
    const shown = await openComparison(session, mark.id);
    assert.equal(shown.state, 'failed');
    assert.match(shown.error, /^These two photos could not be compared: .*lesion outline/);
    assert.deepEqual(shown.rows, [], 'no table is drawn');
    assert.equal(shown.photos.length, 2, 'the photos are still shown side by side');
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('the WebGPU engine compares two analyses as the CPU engine does', { timeout: 240_000 }, async () => {
  const lesion = (asymmetry) => ({ asymmetry, border_irregularity: 1.3, colour_variegation: 6, frame_share: 0.1 });
  const analysis = (asymmetry) => ({
    mode: 'photo', model: { id: 'clinical-v3' }, lesion: lesion(asymmetry), malignancy: { probability: 0.1 },
    triage: { level: 'low_concern', reasons: ['below_threshold'] },
  });
  const results = {};
  for (const backend of ['cpu', 'webgpu']) {
    const session = await openPage(`${server.url}?backend=${backend}`, { webgpu: backend === 'webgpu' });
    try {
      assert.equal(await waitReady(session), backend);
      results[backend] = await session.page.evaluate(async ([old, next]) => {
        const { compare } = await import('./engine-client.js');
        return compare(old, next);
      }, [analysis(0.1), analysis(0.45)]);
      assert.deepEqual(session.errors, []);
    } finally {
      await session.close();
    }
  }
  assert.deepEqual(results.webgpu, results.cpu);
  const asymmetry = results.cpu.measures.find((m) => m.code === 'asymmetry');
  assert.deepEqual([asymmetry.direction, asymmetry.large], ['up', true]);
  assert.equal(results.cpu.triage.level, 'show_clinician', 'a large change raises low concern');
  assert.ok(results.cpu.triage.reasons.includes('changed'));
});
