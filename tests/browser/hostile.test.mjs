// The hostile-input corpus (crates/cli/tests/hostile/corpus.rs, written by the `hostile_corpus`
// example) given to the wasm engine in the real page, through the file input and by drag and
// drop: each file is refused with one clear message, or gets retake advice, or a result, as the
// CLI does (or, for a format only the browser decodes, as PAGE_EXPECT says); nothing panics, and a
// good photo still works afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DERMTONE, startServer, openPage, waitReady, analyseFile, outcomeOf, testImages } from './harness.mjs';

const WRITER = path.join(path.dirname(DERMTONE), 'examples', 'hostile_corpus');

let server;
let session;
let dir;
let cases;
before(async () => {
  assert.ok(existsSync(WRITER), `${WRITER} is missing: cargo test --release builds it`);
  dir = mkdtempSync(path.join(tmpdir(), 'dermtone-hostile-'));
  execFileSync(WRITER, [dir]);
  cases = JSON.parse(readFileSync(path.join(dir, 'cases.json'), 'utf8')).filter((c) => c.kind === 'file');
  server = await startServer();
  session = await openPage(`${server.url}?backend=cpu`);
});
after(async () => {
  await session?.close();
  server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Drops `file` on the page's drop zone, as a person dragging it from their files would. The file
 * reaches the page through a hidden input element of the test's own (Playwright streams it there; a 50 MB file
 * would be slow as base64), then travels in the drop event's DataTransfer.
 */
function dropFile(file) {
  return outcomeOf(session, async () => {
    const holder = await session.page.evaluateHandle(() => document.body.appendChild(
      Object.assign(document.createElement('input'), { type: 'file', hidden: true })));
    await holder.asElement().setInputFiles(file);
    const transfer = await session.page.evaluateHandle((input) => {
      const data = new DataTransfer();
      data.items.add(input.files[0]);
      input.remove();
      return data;
    }, holder);
    await session.page.dispatchEvent('#drop', 'drop', { dataTransfer: transfer });
  });
}

/** "refused", "retake" or "result", checking that each is shown whole and alone. */
function seen(outcome, name) {
  if (outcome.error !== null) {
    assert.ok(outcome.error.length > 10 && outcome.error.length < 400, `${name}: ${outcome.error}`);
    assert.doesNotMatch(outcome.error, /panicked|unreachable|RuntimeError/, name);
    assert.deepEqual(outcome.probabilities, {}, name);
    return 'refused';
  }
  if (outcome.retake.length > 0) {
    assert.deepEqual(outcome.probabilities, {}, `${name}: retake advice with a diagnosis`);
    return 'retake';
  }
  assert.ok(Object.keys(outcome.probabilities).length > 0, name);
  return 'result';
}

/**
 * Where the page's answer differs from the CLI's: the page hands a file in a format the engine
 * does not decode to the browser's own decoder, and Chromium decodes GIF and BMP, so these are
 * read (the 1×1 GIF and the 64×48 bitmap then get retake advice) where the CLI refuses them.
 */
const PAGE_EXPECT = {
  'gif-animated.gif': 'Analysed',
  'gif-named-png.png': 'Analysed',
  'bitmap.bmp': 'Analysed',
};

function matches(expect, outcome) {
  return {
    Refused: outcome === 'refused',
    Retake: outcome === 'retake',
    Analysed: outcome !== 'refused',
    RefusedOrRead: true,
  }[expect];
}

test('every hostile file, chosen or dropped, is refused clearly or answered safely, and the page keeps working', { timeout: 600_000 }, async () => {
  assert.equal(await waitReady(session), 'cpu');
  assert.ok(cases.length >= 40, `${cases.length} file cases`);
  const table = [];
  for (const { name, expect: cli } of cases) {
    const expect = PAGE_EXPECT[name] ?? cli;
    const file = path.join(dir, name);
    const chosen = seen(await analyseFile(session, file), name);
    const dropped = seen(await dropFile(file), name);
    assert.ok(matches(expect, chosen), `${name} chosen: expected ${expect}, saw ${chosen}`);
    assert.equal(dropped, chosen, `${name}: dropping it gave ${dropped}, choosing it ${chosen}`);
    table.push(`${name}: ${chosen}`);
  }
  console.log(table.join('\n'));
  const [good] = testImages(1);
  const after = await analyseFile(session, good);
  assert.equal(after.error, null);
  assert.ok(Object.keys(after.probabilities).length > 0);
  assert.deepEqual(session.errors, []);
});
