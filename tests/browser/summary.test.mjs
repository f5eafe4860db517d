// The summary to take to a clinician (issue 23 item 3): for the result shown (no history needed)
// and for two saved photos of a mark, one page with the photo(s), their days, the triage, the
// per-tone table, the engine's comparison, the models' ids with their cards' real-photo figures
// and the disclaimer. "Print / save as PDF" calls window.print(); in print media only the
// summary is left, in black on white, and making it fetches nothing. A print screenshot and a
// PDF are kept as test artefacts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, MODELS, startServer, openPage, waitReady, analyseFile, clinicalTestImages } from './harness.mjs';
import { turnOnHistory, saveResult, listedMarks, openComparison } from './history-helpers.mjs';

const ARTIFACTS = path.join(ROOT, 'tests/artifacts');
const manifest = JSON.parse(readFileSync(path.join(ROOT, MODELS, 'manifest.json'), 'utf8'));
const idOf = (task) => manifest.models.find((m) => m.task === task).id;

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

/** A day as the page writes it in English. */
const english = (isoDay) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'long' }).format(new Date(`${isoDay}T12:00:00`));

/** Runs `open` (which opens the summary view) and waits until it is drawn; resolves to what it shows. */
async function openSummary(session, open) {
  const { page } = session;
  await page.evaluate(() => { delete document.body.dataset.summary; });
  await open();
  await page.waitForFunction(() => document.body.dataset.view === 'summary');
  await Promise.race([page.waitForFunction(() => document.body.dataset.summary === 'done'), session.failed]);
  return page.evaluate(async () => {
    const body = document.getElementById('summary-body');
    return {
      text: body.textContent,
      entries: await Promise.all([...body.querySelectorAll('.summary-entry')].map(async (section) => {
        const image = section.querySelector('img');
        return {
          heading: section.querySelector('h3').textContent,
          photo: await image.decode().then(() => image.naturalWidth > 0, () => false),
          triage: section.querySelector('.triage')?.dataset.level ?? null,
          triageText: section.querySelector('.triage .level')?.textContent ?? null,
          perToneRows: section.querySelectorAll('.per-tone-table tbody tr').length,
        };
      })),
      models: [...body.querySelectorAll('.summary-model-list li')].map((li) => li.dataset.model),
      evidence: [...body.querySelectorAll('.evidence-table')].map((table) => ({
        model: table.dataset.model, rows: table.querySelectorAll('tbody tr').length,
      })),
      comparison: (() => {
        const section = body.querySelector('.summary-compare');
        if (!section) return null;
        return {
          triage: section.querySelector('.triage')?.dataset.level ?? null,
          rows: [...section.querySelectorAll('.compare-table tbody tr')].map((tr) => tr.dataset.code),
        };
      })(),
      disclaimer: body.querySelector('.summary-disclaimer')?.textContent ?? '',
    };
  });
}

/** In print media: what is still shown, and the colours the summary prints in. */
async function printed(page, name) {
  await page.emulateMedia({ media: 'print' });
  const seen = await page.evaluate(() => {
    const shown = (selector) => [...document.querySelectorAll(selector)].some((e) => e.checkVisibility());
    const style = (selector) => {
      const s = getComputedStyle(document.querySelector(selector));
      return { color: s.color, background: s.backgroundColor };
    };
    return {
      header: shown('header'), footer: shown('footer'), printButton: shown('#summary-print'),
      topDisclaimer: shown('main > .disclaimer'), summary: shown('#summary-body .summary-entry'),
      triage: style('#summary-body .triage'), level: style('#summary-body .triage .level'),
    };
  });
  await page.screenshot({ path: path.join(ARTIFACTS, 'screenshots', `${name}.png`), fullPage: true });
  const pdf = await page.pdf({ format: 'A4' });
  writeFileSync(path.join(ARTIFACTS, `${name}.pdf`), pdf);
  await page.emulateMedia({ media: 'screen' });
  return { ...seen, pdf: pdf.subarray(0, 5).toString('latin1'), pdfBytes: pdf.length };
}

function assertPrintable(seen) {
  assert.equal(seen.summary, true, 'the summary is printed');
  assert.equal(seen.header, false, 'the page header is not printed');
  assert.equal(seen.footer, false, 'the footer is not printed');
  assert.equal(seen.printButton, false, 'the print button is not printed');
  assert.equal(seen.topDisclaimer, false, 'the disclaimer is printed once, inside the summary');
  assert.equal(seen.level.color, 'rgb(0, 0, 0)', 'the triage prints black');
  assert.match(seen.triage.background, /rgba\(0, 0, 0, 0\)|transparent/, 'and on no colour');
  assert.equal(seen.pdf, '%PDF-');
}

test('the summary of the result shown: photo, day, triage, per-tone table, models with their figures, disclaimer; it prints', { timeout: 240_000 }, async () => {
  mkdirSync(path.join(ARTIFACTS, 'screenshots'), { recursive: true });
  const [photo] = clinicalTestImages(1);
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    const { page } = session;
    await session.context.addInitScript(() => {
      window.print = () => { document.body.dataset.printed = String(Number(document.body.dataset.printed ?? 0) + 1); };
    });
    await page.reload();
    await waitReady(session);
    assert.equal((await analyseFile(session, photo)).error, null);
    const triage = await page.textContent('#triage .level');
    const requests = [];
    session.context.on('request', (r) => { if (!r.url().startsWith('blob:')) requests.push(r.url()); });
    const shown = await openSummary(session, () => page.click('#save a[href="#summary"]'));
    assert.deepEqual(requests, [], 'making the summary fetches nothing');

    assert.equal(shown.entries.length, 1);
    const [entry] = shown.entries;
    assert.equal(entry.photo, true, 'the photo is shown');
    const today = new Date();
    const iso = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    assert.equal(entry.heading, `Photo of ${english(iso)}`);
    assert.equal(entry.triageText, triage, 'the same triage as the result');
    assert.equal(entry.perToneRows, 6);
    for (const task of ['photo', 'tone', 'generator']) assert.ok(shown.models.includes(idOf(task)), `${task} model id`);
    assert.deepEqual(shown.evidence, [{ model: idOf('photo'), rows: 6 }], 'the classifier card\'s real-photo figures by tone');
    assert.match(shown.disclaimer, /A screening aid, not a diagnosis\./);
    assert.equal(shown.comparison, null);

    await page.click('#summary-print');
    assert.equal(await page.evaluate(() => document.body.dataset.printed), '1', 'the button calls window.print()');
    assertPrintable(await printed(page, 'summary-result-print'));
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('the summary of two saved photos of a mark shows both days, each triage and the engine\'s comparison', { timeout: 300_000 }, async () => {
  const [photo, other] = clinicalTestImages(2);
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    await waitReady(session);
    const { page } = session;
    await turnOnHistory(page);
    for (const [file, date] of [[photo, '2025-01-10'], [other, '2025-02-20'], [photo, '2025-03-10']]) {
      assert.equal((await analyseFile(session, file)).error, null);
      assert.equal((await saveResult(page, 'left shoulder', date)).error, null);
    }
    const [mark] = await listedMarks(page);
    assert.equal(mark.entries, 3);
    // Pick the first and the second photo in Compare; the summary link carries the choice.
    await openComparison(session, mark.id);
    await page.evaluate(() => { delete document.body.dataset.compare; });
    const second = await page.$eval('#compare-new', (select) => select.options[1].value);
    await page.selectOption('#compare-new', second);
    await Promise.race([page.waitForFunction(() => ['done', 'failed'].includes(document.body.dataset.compare)), session.failed]);
    assert.equal(await page.isHidden('#compare-error'), true, await page.textContent('#compare-error'));
    const href = await page.getAttribute('#compare-summary', 'href');
    assert.match(href, new RegExp(`^#summary/${mark.id}/\\d+,${second}$`));

    const shown = await openSummary(session, () => page.click('#compare-summary'));
    assert.deepEqual(shown.entries.map((e) => e.heading), [`Photo of ${english('2025-01-10')}`, `Photo of ${english('2025-02-20')}`]);
    assert.ok(shown.entries.every((e) => e.photo && e.triage && e.perToneRows === 6));
    assert.match(shown.text, /Mark.*left shoulder/);
    assert.ok(shown.comparison, 'the comparison is in the summary');
    assert.ok(shown.comparison.triage, 'with its triage');
    for (const code of ['asymmetry', 'border_irregularity', 'colour_variegation', 'frame_share']) {
      assert.ok(shown.comparison.rows.includes(code), `the ${code} row`);
    }
    assert.match(shown.text, /Size cannot be measured/);
    assert.match(shown.disclaimer, /A screening aid, not a diagnosis\./);
    assertPrintable(await printed(page, 'summary-mark-print'));
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});
