// Backend choice: with WebGPU offered, `auto` runs on WebGPU and agrees with the CPU; without it,
// `auto` falls back to the CPU, says why, and still works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openPage, waitReady, analyseFile, cliAnalysis, maxDifference, testImages } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

test('with --enable-unsafe-webgpu, auto picks WebGPU and matches the CPU within 1e-3', { timeout: 300_000 }, async () => {
  const session = await openPage(`${server.url}?backend=auto&mode=dermoscopy`, { webgpu: true });
  try {
    assert.equal(await waitReady(session), 'webgpu');
    for (const file of testImages(3)) {
      const { probabilities, error } = await analyseFile(session, file);
      assert.equal(error, null);
      assert.ok(maxDifference(probabilities, cliAnalysis(file, 'dermoscopy')) < 1e-3, `${file}: ${JSON.stringify(probabilities)}`);
    }
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('without WebGPU, auto falls back to the CPU and says why', { timeout: 180_000 }, async () => {
  const session = await openPage(`${server.url}?backend=auto&mode=dermoscopy`);
  try {
    assert.equal(await waitReady(session), 'cpu');
    assert.match(await session.page.textContent('footer'), /Backend: CPU \(WebGPU is not available\)/);
    const [file] = testImages(1);
    const { probabilities, error } = await analyseFile(session, file);
    assert.equal(error, null);
    assert.ok(maxDifference(probabilities, cliAnalysis(file, 'dermoscopy')) < 1e-3);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('asking for WebGPU where there is none is a readable error, not a hang', { timeout: 180_000 }, async () => {
  const session = await openPage(`${server.url}?backend=webgpu&mode=dermoscopy`);
  try {
    await Promise.race([session.page.waitForSelector('#error:not([hidden])'), session.failed]);
    assert.match(await session.page.textContent('#error'), /WebGPU is not available/);
  } finally {
    await session.close();
  }
});
