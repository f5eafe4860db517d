// Recovery (issue 20): a lost WebGPU device hands the work to the CPU engine, says so once, and
// the next analyses match the CPU within 1e-3; a worker that dies is replaced with a message,
// and the page goes on working.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openPage, waitReady, analyseFile, cliAnalysis, maxDifference, testImages } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

/** Waits for the notice line and returns its text. */
async function noticeText(session) {
  await Promise.race([session.page.waitForSelector('#notice:not([hidden])'), session.failed]);
  return session.page.textContent('#notice');
}

test('when the WebGPU device is lost, the CPU engine takes over, the page says so once, and results match the CPU', { timeout: 300_000 }, async () => {
  const session = await openPage(`${server.url}?backend=webgpu&mode=dermoscopy`, { webgpu: true });
  try {
    const { page } = session;
    assert.equal(await waitReady(session), 'webgpu');
    const [first, ...rest] = testImages(3);
    assert.equal((await analyseFile(session, first)).error, null);
    assert.equal(await page.evaluate(() => document.getElementById('notice').hidden), true, 'no notice before the loss');

    const notices = page.evaluate(() => new Promise((resolve) => {
      let count = 0;
      new MutationObserver(() => { count += 1; }).observe(document.getElementById('notice'), { childList: true });
      setTimeout(() => resolve(count), 20_000);
    }));
    const destroyed = await page.evaluate(async () => {
      const { call } = await import('./engine-client.js');
      return (await call({ type: 'loseGpuDevice' })).devices;
    });
    assert.ok(destroyed >= 1, 'the drill destroyed the engine\'s device');
    assert.match(await noticeText(session), /graphics processor stopped working/);
    assert.equal(await page.evaluate(() => document.body.dataset.backend), 'cpu');
    assert.match(await page.textContent('footer'), /Backend: CPU \(the graphics processor's WebGPU device was lost\)/);

    for (const file of [first, ...rest]) {
      const { probabilities, error } = await analyseFile(session, file);
      assert.equal(error, null, file);
      assert.ok(maxDifference(probabilities, cliAnalysis(file, 'dermoscopy')) < 1e-3, `${file}: ${JSON.stringify(probabilities)}`);
    }
    assert.match(await page.textContent('#status'), /on the CPU/);
    assert.equal(await notices, 1, 'the loss is told once');
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('a worker that dies is restarted with a message, and the next analysis works', { timeout: 300_000 }, async () => {
  const session = await openPage(`${server.url}?backend=cpu&mode=dermoscopy`);
  try {
    const { page } = session;
    await waitReady(session);
    const [dying] = page.workers();
    await dying.evaluate(() => { setTimeout(() => { throw new Error('drill: the worker died'); }); });
    assert.match(await noticeText(session), /stopped and was restarted/);

    const [file] = testImages(1);
    const { probabilities, error } = await analyseFile(session, file);
    assert.equal(error, null);
    assert.ok(maxDifference(probabilities, cliAnalysis(file, 'dermoscopy')) < 1e-3);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});
