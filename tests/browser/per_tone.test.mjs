// The per-tone table: the page shows, for Fitzpatrick I–VI, the photo re-rendered at that tone
// (drawn, and marked synthetic) with the model's answer on it, beside the model card's figures on
// real photos of that tone, with the person's own tone highlighted: the same figures the CLI
// computes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openPage, waitReady, analyseFile, cliAnalysis, clinicalTestImages } from './harness.mjs';
import { readPerTone, readTriage } from './readers.mjs';

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

/** The first Fitzpatrick17k test photo the CLI analyses with per-tone results. */
function photoWithPerTone() {
  for (const file of clinicalTestImages(20)) {
    const analysis = cliAnalysis(file, 'photo');
    if (analysis.quality.ok && analysis.per_tone.length === 6) return { file, analysis };
  }
  throw new Error('none of the first 20 Fitzpatrick17k test photos had per-tone results');
}

test('a plain photo shows six synthetic tone results beside real-photo evidence, and the triage level, as the CLI computes them', { timeout: 240_000 }, async () => {
  const { file, analysis } = photoWithPerTone();
  const session = await openPage(`${server.url}?backend=cpu`);
  try {
    assert.equal(await waitReady(session), 'cpu');
    const outcome = await analyseFile(session, file);
    assert.equal(outcome.error, null);
    const rows = await readPerTone(session.page);
    assert.equal(rows.hidden, false);
    assert.equal(rows.rows.length, 6);
    assert.equal(rows.warning, analysis.consistent === false);
    rows.rows.forEach((row, i) => {
      const reference = analysis.per_tone[i];
      assert.equal(row.fitzpatrick, reference.fitzpatrick);
      assert.ok(Math.abs(row.malignancy - reference.malignancy) < 1e-3, `${row.malignancy} vs ${reference.malignancy}`);
      assert.match(row.answer, /synthetic/);
      assert.ok(row.meter, 'each answer has a confidence bar');
      assert.equal(row.realN, String(reference.evidence.real_n));
      assert.equal(row.lowEvidence, reference.evidence.low_evidence);
      assert.equal(row.own, reference.fitzpatrick === analysis.tone.fitzpatrick);
      assert.ok(row.rendering, `a rendering is drawn at type ${row.fitzpatrick}`);
      assert.equal(row.rendering.width, 96);
      assert.match(row.rendering.label, /Synthetic/);
    });
    const triage = await readTriage(session.page);
    assert.equal(triage.level, analysis.triage.level);
    assert.deepEqual(triage.reasons, analysis.triage.reasons);
    assert.match(triage.text, /concern|clinician/);
    const [lightest, darkest] = [rows.rows[0].rendering.luminance, rows.rows[5].rendering.luminance];
    assert.ok(lightest - darkest > 20, `type I rendering luminance ${lightest} vs type VI ${darkest}`);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});
