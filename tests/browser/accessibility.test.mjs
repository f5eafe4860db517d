// Accessibility: axe-core finds no violations on the start, result, educator, about, history,
// compare and summary views, and the whole flow (photo, result, educator grid, about; the
// history switch, saving, comparing, the summary and deleting) works with the keyboard alone.
// The about view also shows how many real and synthetic images the photo model was trained on
// per group.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, MODELS, startServer, openPage, waitReady, clinicalTestImages, chooseLanguage } from './harness.mjs';
import { readPerTone, readTriage } from './readers.mjs';
import { openView, turnOnHistory, saveResult, listedMarks, openComparison, readDatabase } from './history-helpers.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

/** axe-core's violations on the page as it is now, as "rule: target" lines. */
async function violations(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}`));
}

/**
 * Chooses `file` in the focused file input `selector` from the keyboard: Space, then Enter.
 * The page's part is that the key activates the input (a trusted click reaches it); whether
 * headless Chromium then shows a chooser is the browser's, and under load it sometimes shows
 * none (seen twice in CI). So a keyboard click without a chooser still passes, and the file is
 * given to the input directly; no click at all fails.
 */
async function chooseFileByKeyboard(page, selector, file) {
  await page.evaluate((s) => {
    const input = document.querySelector(s);
    delete input.dataset.keyboardClick;
    input.addEventListener('click', (event) => { input.dataset.keyboardClick = String(event.isTrusted); }, { once: true });
  }, selector);
  for (const key of ['Space', 'Enter']) {
    const chooser = page.waitForEvent('filechooser', { timeout: 15_000 }).catch(() => null);
    await page.keyboard.press(key);
    const opened = await chooser;
    if (opened) {
      await opened.setFiles(file);
      return;
    }
  }
  const clicked = await page.evaluate((s) => document.querySelector(s).dataset.keyboardClick, selector);
  if (clicked !== 'true') throw new Error(`neither Space nor Enter activated ${selector}`);
  await page.setInputFiles(selector, file);
}

/** Presses Tab until `selector` has focus (at most `limit` presses); fails otherwise. */
async function tabTo(page, selector, limit = 40) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
  }
  throw new Error(`${selector} was not reached by Tab`);
}

test('axe-core finds no violations on the start, result, educator and about views', { timeout: 240_000 }, async () => {
  const [file] = clinicalTestImages(1);
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    await waitReady(session);
    const { page } = session;
    assert.deepEqual(await violations(page), [], 'start view');

    await page.setInputFiles('#file', file);
    await Promise.race([page.waitForSelector('#per-tone-rows tr'), session.failed]);
    assert.deepEqual(await violations(page), [], 'result view');

    await page.click('a[href="#educator"]');
    await page.setInputFiles('#educator-file', file);
    await Promise.race([page.waitForSelector('#educator-grid canvas'), session.failed]);
    assert.deepEqual(await violations(page), [], 'educator view');

    await page.click('a[href="#about"]');
    await page.waitForSelector('#about-cards .card');
    assert.deepEqual(await violations(page), [], 'about view');
    // The photo model's card says how many of its training images were synthetic, per group.
    const photo = JSON.parse(readFileSync(path.join(ROOT, MODELS, 'manifest.json'), 'utf8')).models.find((m) => m.task === 'photo');
    const composition = JSON.parse(readFileSync(path.join(ROOT, MODELS, photo.card), 'utf8')).data.training_composition_by_tone;
    const shown = await page.$$eval(`#about-cards .card[data-model="${photo.id}"] .composition-table tbody tr`,
      (rows) => rows.map((r) => [r.dataset.group, ...[...r.querySelectorAll('td')].map((td) => Number(td.textContent))]));
    assert.deepEqual(shown, Object.entries(composition).map(([group, c]) => [group, c.real, c.synthetic]));
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('the flow works by keyboard alone: choose a photo, read the result, render the tones, open the model card', { timeout: 240_000 }, async () => {
  const [file] = clinicalTestImages(1);
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    await waitReady(session);
    const { page } = session;
    await tabTo(page, 'input[name="mode"]');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.querySelector('input[name="mode"]:checked').value), 'dermoscopy');
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.evaluate(() => document.querySelector('input[name="mode"]:checked').value), 'photo');

    await tabTo(page, '#file');
    await chooseFileByKeyboard(page, '#file', file);
    await Promise.race([page.waitForSelector('#per-tone-rows tr'), session.failed]);
    assert.ok(await readTriage(page), 'a triage level is shown');
    assert.equal((await readPerTone(page)).rows.length, 6);
    assert.match(await page.textContent('#status'), /Done in/, 'the result is announced in the live status line');

    await page.focus('body');
    await tabTo(page, 'a[href="#educator"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.body.dataset.view === 'educator');
    await tabTo(page, '#educator-file');
    await chooseFileByKeyboard(page, '#educator-file', file);
    await Promise.race([page.waitForSelector('#educator-grid canvas'), session.failed]);
    await tabTo(page, '#educator-download');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    assert.match(download.suggestedFilename(), /SYNTHETIC\.png$/);

    await page.focus('body');
    await tabTo(page, 'a[href="#about"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.body.dataset.view === 'about');
    assert.ok(await page.isVisible('#about-cards .card'));
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('axe-core finds no violations on the history, compare and summary views, in every language', { timeout: 300_000 }, async () => {
  const [file, other] = clinicalTestImages(2);
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    await waitReady(session);
    const { page } = session;
    await openView(page, 'history');
    await page.waitForFunction(() => document.body.dataset.history === 'drawn');
    assert.deepEqual(await violations(page), [], 'history view, switched off');
    await turnOnHistory(page);
    for (const [photo, name, date] of [[file, 'left shoulder', '2025-01-10'], [other, 'left shoulder', '2025-03-10'], [other, 'right knee', '2025-02-01']]) {
      await openView(page, 'check');
      await page.setInputFiles('#file', photo);
      await Promise.race([page.waitForSelector('#save-form:not([hidden])'), session.failed]);
      assert.equal((await saveResult(page, name, date)).error, null);
    }
    assert.deepEqual(await violations(page), [], 'result view with the save form, after saving');
    const marks = await listedMarks(page);
    const shoulder = marks.find((m) => m.name === 'left shoulder');
    for (const lang of ['en', 'fr', 'es', 'sw']) {
      await chooseLanguage(page, lang);
      await openView(page, 'history');
      assert.deepEqual(await violations(page), [], `${lang} history view with marks`);
      const compared = await openComparison(session, shoulder.id);
      assert.equal(compared.error, null);
      assert.deepEqual(await violations(page), [], `${lang} compare view`);
      for (const view of [`summary/${shoulder.id}`, 'summary']) {
        await page.evaluate(() => { delete document.body.dataset.summary; });
        await openView(page, view);
        await Promise.race([page.waitForFunction(() => document.body.dataset.summary === 'done'), session.failed]);
        assert.deepEqual(await violations(page), [], `${lang} ${view} view`);
      }
    }
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('the history works by keyboard alone: switch it on, save twice, compare, print the summary, delete', { timeout: 300_000 }, async () => {
  const [file] = clinicalTestImages(1);
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    const { page } = session;
    await session.context.addInitScript(() => {
      window.print = () => { document.body.dataset.printed = 'yes'; };
    });
    await page.reload();
    await waitReady(session);
    await page.focus('body');
    await tabTo(page, 'a[href="#history"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.body.dataset.view === 'history');
    await tabTo(page, '#history-on');
    await page.keyboard.press('Space');
    assert.equal(await page.isChecked('#history-on'), true);

    for (const round of [1, 2]) {
      await page.focus('body');
      await tabTo(page, 'a[href="#check"]');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.body.dataset.view === 'check');
      await tabTo(page, '#file');
      await chooseFileByKeyboard(page, '#file', file);
      await Promise.race([page.waitForSelector('#save-form:not([hidden])'), session.failed]);
      await tabTo(page, '#save-name', 80);
      if (round === 1) await page.keyboard.type('left shoulder');
      await tabTo(page, '#save-button');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.getElementById('save-status').textContent.includes('left shoulder'));
    }
    assert.match(await page.textContent('#save-status'), /now has 2 photo\(s\)/);
    // The saved photo's status takes the focus from the vanished form, and offers the comparison.
    assert.equal(await page.evaluate(() => document.activeElement.matches('#save-status a')), true);
    await page.evaluate(() => { delete document.body.dataset.compare; });
    await page.keyboard.press('Enter');
    await Promise.race([page.waitForFunction(() => ['done', 'failed'].includes(document.body.dataset.compare)), session.failed]);
    assert.equal(await page.isHidden('#compare-error'), true, await page.textContent('#compare-error'));
    await tabTo(page, '#compare-old');
    await tabTo(page, '#compare-table .table-scroll');
    await tabTo(page, '#compare-summary');
    await page.evaluate(() => { delete document.body.dataset.summary; });
    await page.keyboard.press('Enter');
    await Promise.race([page.waitForFunction(() => document.body.dataset.summary === 'done'), session.failed]);
    await tabTo(page, '#summary-print');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.body.dataset.printed), 'yes');

    await page.focus('body');
    await tabTo(page, 'a[href="#history"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('#history-marks li').length === 1);
    await tabTo(page, '#history-marks button[data-delete]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#history-empty:not([hidden])');
    const kept = await readDatabase(page);
    assert.deepEqual([kept.marks, kept.entries], [[], []]);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});
