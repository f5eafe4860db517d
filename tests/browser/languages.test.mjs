// English, French, Spanish and Swahili: every message file has every key, each language renders
// a full result, the history, the comparison and the clinician's summary without a missing key
// or an unfilled placeholder, the browser's language is the default, and screenshots at phone
// and laptop sizes are saved as test artefacts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, openPage, waitReady, analyseFile, clinicalTestImages, chooseLanguage } from './harness.mjs';
import { openView, turnOnHistory, saveResult, listedMarks, openComparison } from './history-helpers.mjs';

const LANGUAGES = ['en', 'fr', 'es', 'sw'];
/** Keys English leaves to the engine's own English words; the other languages translate them. */
const ENGINE_WORDED = /^(quality\.|class\.|disclaimer\.result$)/;
const SCREENSHOTS = path.join(ROOT, 'tests/artifacts/screenshots');
const messages = Object.fromEntries(LANGUAGES.map((lang) => [lang, JSON.parse(readFileSync(path.join(ROOT, 'www/i18n', `${lang}.json`), 'utf8'))]));

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

test('every language has every key, with the same placeholders', () => {
  const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  const { en, ...others } = messages;
  const translated = Object.keys(others.fr).filter((key) => ENGINE_WORDED.test(key));
  assert.ok(translated.length > 20, 'the engine-worded keys are translated');
  for (const [lang, words] of Object.entries(others)) {
    assert.deepEqual(Object.keys(words).sort(), [...Object.keys(en), ...translated].sort(), lang);
    for (const [key, text] of Object.entries(en)) assert.deepEqual(placeholders(words[key]), placeholders(text), `${lang} ${key}`);
  }
});

/** Text nodes and labels that look like a message key or still hold a `{placeholder}`. */
function untranslated(page) {
  return page.evaluate(() => {
    const keyLike = /^[a-z_]+(\.[a-z_-]+)+$/;
    const bad = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      if (node.parentElement.closest('[hidden], script, style')) continue;
      if (keyLike.test(text) || /\{\w+\}/.test(text)) bad.push(text);
    }
    for (const element of document.querySelectorAll('[aria-label], [alt]')) {
      const label = element.getAttribute('aria-label') ?? element.getAttribute('alt');
      if (keyLike.test(label) || /\{\w+\}/.test(label)) bad.push(label);
    }
    return bad;
  });
}

test('each language renders the result with no missing key; screenshots at 360×740 and 1280×800', { timeout: 300_000 }, async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const [file] = clinicalTestImages(1);
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    await waitReady(session);
    const { page } = session;
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en', 'Chromium here prefers English');
    await analyseFile(session, file);
    for (const lang of LANGUAGES) {
      await chooseLanguage(page, lang);
      for (const view of ['check', 'educator', 'about']) {
        await page.evaluate((v) => { location.hash = v; }, view);
        await page.waitForFunction((v) => document.body.dataset.view === v, view);
        assert.deepEqual(await untranslated(page), [], `${lang} ${view}`);
      }
      await page.evaluate(() => { location.hash = 'check'; });
      await page.waitForFunction(() => document.body.dataset.view === 'check');
      const words = messages[lang][`triage.${await page.getAttribute('#triage', 'data-level')}`];
      assert.equal(await page.textContent('#triage .level'), words);
      assert.ok((await page.textContent('#status')).startsWith(words), 'the status line is said again in the new language');
      for (const [width, height] of [[360, 740], [1280, 800]]) {
        await page.setViewportSize({ width, height });
        await page.screenshot({ path: path.join(SCREENSHOTS, `result-${lang}-${width}x${height}.png`), fullPage: true });
      }
    }
    await page.setViewportSize({ width: 360, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px at 360 px`);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('the browser\'s language is the default, and ?lang= overrides it', { timeout: 120_000 }, async () => {
  for (const [query, lang] of [['', 'fr'], ['&lang=sw', 'sw']]) {
    const session = await openPage(`${server.url}?backend=cpu${query}`, { locale: 'fr-FR' });
    try {
      await waitReady(session);
      assert.equal(await session.page.evaluate(() => document.documentElement.lang), lang);
      assert.equal(await session.page.textContent('[data-view-link="about"]'), messages[lang]['nav.about']);
    } finally {
      await session.close();
    }
  }
});

test('each language words the history, the comparison and the clinician\'s summary', { timeout: 300_000 }, async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const [file] = clinicalTestImages(1);
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    await waitReady(session);
    const { page } = session;
    await turnOnHistory(page);
    for (const date of ['2025-01-10', '2025-03-10']) {
      await openView(page, 'check');
      assert.equal((await analyseFile(session, file)).error, null);
      assert.equal((await saveResult(page, 'left shoulder', date)).error, null);
    }
    const [mark] = await listedMarks(page);
    assert.equal((await openComparison(session, mark.id)).error, null);
    for (const lang of LANGUAGES) {
      await chooseLanguage(page, lang);
      const words = messages[lang];
      for (const view of ['check', 'history', `compare/${mark.id}`, `summary/${mark.id}`, 'summary', 'about']) {
        await page.evaluate(() => { delete document.body.dataset.summary; delete document.body.dataset.compare; });
        await openView(page, view);
        if (view.startsWith('summary')) await page.waitForFunction(() => document.body.dataset.summary === 'done');
        if (view.startsWith('compare')) await page.waitForFunction(() => ['done', 'failed'].includes(document.body.dataset.compare));
        assert.deepEqual(await untranslated(page), [], `${lang} ${view}`);
      }
      await openView(page, 'history');
      assert.equal(await page.textContent('label[for="history-on"]'), words['history.switch']);
      assert.equal(await page.textContent(`#history-marks li[data-mark-id="${mark.id}"] button[data-delete]`), words['history.delete_mark']);
      await openView(page, `compare/${mark.id}`);
      await page.waitForFunction(() => document.body.dataset.compare === 'done');
      const rows = await page.$$eval('#compare-table tbody tr', (trs) => trs.map((tr) => ({
        code: tr.dataset.code, name: tr.querySelector('th').firstChild.textContent, change: tr.querySelector('.change').textContent,
      })));
      assert.ok(rows.length >= 4);
      for (const row of rows) {
        assert.equal(row.name, words[`measure.${row.code}`], `${lang}: ${row.code} is worded`);
        assert.ok(row.change.includes(words['compare.same']), `${lang}: "${row.change}" says the direction in words`);
      }
      assert.equal(await page.textContent('#compare-size-note'), words['compare.note.size_unmeasurable']);
      assert.equal(await page.textContent('#compare-change-note'), words['compare.note.change_needs_clinician']);
      await page.setViewportSize({ width: 360, height: 740 });
      for (const view of ['history', `compare/${mark.id}`]) {
        await page.evaluate(() => { delete document.body.dataset.compare; });
        await openView(page, view);
        if (view.startsWith('compare')) await page.waitForFunction(() => document.body.dataset.compare === 'done');
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(wide <= 360, `${lang} ${view}: ${wide} px wide at 360 px`);
        await page.screenshot({ path: path.join(SCREENSHOTS, `${view.split('/')[0]}-${lang}-360x740.png`), fullPage: true });
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});
