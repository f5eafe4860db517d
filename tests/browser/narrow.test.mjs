// Every view fits a 360 px wide phone screen without sideways scrolling (issue 23 item 6): the
// result, the educator grid with its evidence table, About with the model cards, History with
// saved marks, Compare with the engine's table, and both clinician's summaries. Wide tables
// scroll inside their own box instead. A screenshot of each view is kept as a test artefact.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, openPage, waitReady, analyseFile, clinicalTestImages } from './harness.mjs';
import { openView, turnOnHistory, saveResult, listedMarks, openComparison } from './history-helpers.mjs';

const SCREENSHOTS = path.join(ROOT, 'tests/artifacts/screenshots');
const WIDTH = 360;

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

/** How far the page scrolls sideways, and the widest element that sticks out (for the message). */
function overflow(page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const widest = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 0.5 && !e.closest('.table-scroll > *'))
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${String(e.className).replace(/ /g, '.')}` : ''} (${Math.round(e.getBoundingClientRect().right)} px)`);
    return { scrollWidth: root.scrollWidth, widest: widest.slice(0, 5) };
  });
}

async function fits(page, view) {
  const { scrollWidth, widest } = await overflow(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, `narrow-${view}-${WIDTH}.png`), fullPage: true });
  assert.ok(scrollWidth <= WIDTH, `${view}: the page is ${scrollWidth} px wide at ${WIDTH} px: ${widest.join(', ')}`);
}

test('every view fits 360 px without sideways scrolling', { timeout: 420_000 }, async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const [photo] = clinicalTestImages(1);
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    const { page } = session;
    await page.setViewportSize({ width: WIDTH, height: 740 });
    await waitReady(session);
    await fits(page, 'start');

    await turnOnHistory(page);
    await openView(page, 'check');
    assert.equal((await analyseFile(session, photo)).error, null);
    await page.waitForSelector('#per-tone-rows tr');
    // A long mark name with no spaces must wrap, not widen the page.
    const name = 'left-shoulder-just-below-the-collarbone-near-the-old-scar';
    assert.equal((await saveResult(page, name, '2025-01-10')).error, null);
    await fits(page, 'result');
    assert.equal((await analyseFile(session, photo)).error, null);
    assert.equal((await saveResult(page, name, '2025-03-10')).error, null);

    await openView(page, 'educator');
    await page.setInputFiles('#educator-file', photo);
    await Promise.race([page.waitForSelector('#educator-grid canvas'), session.failed]);
    await page.waitForSelector('#educator-evidence tbody tr');
    await fits(page, 'educator');

    await openView(page, 'about');
    await page.waitForSelector('#about-cards .card .evidence-table');
    await fits(page, 'about');

    const [mark] = await listedMarks(page);
    assert.equal(mark.entries, 2);
    await fits(page, 'history');

    const shown = await openComparison(session, mark.id);
    assert.equal(shown.error, null);
    assert.ok(shown.rows.length >= 4, 'the comparison table is drawn');
    await fits(page, 'compare');

    await page.evaluate(() => { delete document.body.dataset.summary; });
    await openView(page, `summary/${mark.id}`);
    await Promise.race([page.waitForFunction(() => document.body.dataset.summary === 'done'), session.failed]);
    assert.equal(await page.locator('#summary-body .summary-entry').count(), 2);
    await fits(page, 'summary-mark');

    await page.evaluate(() => { delete document.body.dataset.summary; });
    await openView(page, 'summary');
    await Promise.race([page.waitForFunction(() => document.body.dataset.summary === 'done'), session.failed]);
    assert.equal(await page.locator('#summary-body .summary-entry').count(), 1);
    await fits(page, 'summary-result');
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});
