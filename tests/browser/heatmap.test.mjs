// Where the model looked: the engine's heatmap drawn over the photo, with words for screen
// readers saying where its peak is (in the page's language) and that it is not a diagnosis;
// hidden when the photo must be retaken.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, openPage, waitReady, analyseFile, cliAnalysis, testImages } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

/** The heatmap section as drawn: shown, region, caption, and the canvas against the bare photo at the peak. */
function drawnHeatmap(page) {
  return page.evaluate(async () => {
    const section = document.getElementById('heatmap');
    const canvas = document.getElementById('heatmap-canvas');
    await new Promise((resolve) => { const wait = () => (canvas.width > 0 ? resolve() : setTimeout(wait, 20)); wait(); });
    const [px, py] = section.dataset.peak.split(',').map(Number);
    const [x, y] = [Math.min(canvas.width - 1, Math.floor(px * canvas.width)), Math.min(canvas.height - 1, Math.floor(py * canvas.height))];
    const bare = document.createElement('canvas');
    bare.width = canvas.width;
    bare.height = canvas.height;
    bare.getContext('2d').drawImage(document.getElementById('preview'), 0, 0, bare.width, bare.height);
    return {
      hidden: section.hidden,
      region: section.dataset.region,
      caption: document.getElementById('heatmap-text').textContent,
      label: canvas.getAttribute('aria-label'),
      drawn: [...canvas.getContext('2d').getImageData(x, y, 1, 1).data],
      photo: [...bare.getContext('2d').getImageData(x, y, 1, 1).data],
    };
  });
}

test('a result shows where the model looked, as the CLI computes it, reddening the photo at the peak', { timeout: 180_000 }, async () => {
  const [file] = testImages(1);
  const reference = cliAnalysis(file, 'dermoscopy').heatmap;
  const session = await openPage(`${server.url}?backend=cpu&mode=dermoscopy`);
  try {
    await waitReady(session);
    assert.equal((await analyseFile(session, file)).error, null);
    const shown = await drawnHeatmap(session.page);
    assert.equal(shown.hidden, false);
    assert.equal(shown.region, reference.region);
    assert.match(shown.caption, new RegExp(`strongest at the ${reference.region.replace('-', ' ')} of the photo`));
    assert.match(shown.label, /not a diagnosis/);
    assert.ok(shown.drawn[1] < 0.7 * shown.photo[1], `green drops at the peak: ${shown.photo} -> ${shown.drawn}`);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('the heatmap is worded in the page\'s language and hidden when the photo must be retaken', { timeout: 180_000 }, async () => {
  const [file] = testImages(1);
  const session = await openPage(`${server.url}?backend=cpu&mode=dermoscopy&lang=fr`);
  try {
    await waitReady(session);
    await analyseFile(session, file);
    const shown = await drawnHeatmap(session.page);
    assert.match(shown.caption, /L'attention du modèle pour .+ est la plus forte .+ de la photo\./);
    assert.match(shown.label, /pas un diagnostic/);
    const black = { name: 'black.png', mimeType: 'image/png', buffer: await session.page.evaluate(async () => {
      const canvas = new OffscreenCanvas(200, 150);
      canvas.getContext('2d').fillRect(0, 0, 200, 150);
      return [...new Uint8Array(await (await canvas.convertToBlob()).arrayBuffer())];
    }).then((bytes) => Buffer.from(bytes)) };
    const retake = await analyseFile(session, black);
    assert.ok(retake.retake.length > 0);
    assert.equal(await session.page.evaluate(() => document.getElementById('heatmap').hidden), true);
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});
