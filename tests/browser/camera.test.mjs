// The rear-camera flow with Chromium's fake camera fed a .y4m made from a dataset image; a
// camera photo kept in the history is the PNG of the frame analysed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, openPage, waitReady, readResult, testImages, clinicalTestImages } from './harness.mjs';
import { readPerTone, readTriage } from './readers.mjs';
import { turnOnHistory, saveResult, readDatabase, openView } from './history-helpers.mjs';

let server;
let dir;
before(async () => {
  server = await startServer();
  dir = mkdtempSync(path.join(tmpdir(), 'dermtone-camera-'));
});
after(() => {
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Decodes a JPEG in a page and returns one 4:2:0 Y4M frame of it (BT.601, full range). */
async function y4mFromJpeg(page, file) {
  const base64 = readFileSync(file).toString('base64');
  const frame = await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
    const w = bitmap.width & ~1;
    const h = bitmap.height & ~1;
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, w, h).data;
    const y = new Uint8Array(w * h);
    const u = new Uint8Array((w / 2) * (h / 2));
    const v = new Uint8Array((w / 2) * (h / 2));
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        const k = (j * w + i) * 4;
        y[j * w + i] = 0.299 * rgba[k] + 0.587 * rgba[k + 1] + 0.114 * rgba[k + 2];
      }
    }
    for (let j = 0; j < h / 2; j++) {
      for (let i = 0; i < w / 2; i++) {
        let r = 0; let g = 0; let b = 0;
        for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
          const k = ((2 * j + dy) * w + 2 * i + dx) * 4;
          r += rgba[k] / 4; g += rgba[k + 1] / 4; b += rgba[k + 2] / 4;
        }
        u[j * (w / 2) + i] = Math.min(255, Math.max(0, 128 - 0.168736 * r - 0.331264 * g + 0.5 * b));
        v[j * (w / 2) + i] = Math.min(255, Math.max(0, 128 + 0.5 * r - 0.418688 * g - 0.081312 * b));
      }
    }
    return { w, h, planes: [...y, ...u, ...v] };
  }, base64);
  const header = Buffer.from(`YUV4MPEG2 W${frame.w} H${frame.h} F30:1 Ip A1:1 C420jpeg\n`);
  const body = Buffer.concat([Buffer.from('FRAME\n'), Buffer.from(frame.planes)]);
  return Buffer.concat([header, body]);
}

/**
 * A page whose fake rear camera shows `file` (a JPEG), opened at `query`, ready, with the camera
 * started and delivering frames.
 */
async function withCameraShowing(file, query) {
  const helper = await openPage(server.url);
  const y4m = path.join(dir, `${path.basename(file)}.y4m`);
  try {
    writeFileSync(y4m, await y4mFromJpeg(helper.page, file));
  } finally {
    await helper.close();
  }
  const session = await openPage(`${server.url}${query}`, {
    extraArgs: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`],
  });
  try {
    await waitReady(session);
    await session.page.click('#camera-start');
    await Promise.race([session.page.waitForFunction(() => document.getElementById('video').videoWidth > 0), session.failed]);
    return session;
  } catch (error) {
    await session.close();
    throw error;
  }
}

test('the fake rear camera captures a photo that gets a result', { timeout: 240_000 }, async () => {
  const session = await withCameraShowing(testImages(1)[0], '?backend=cpu&mode=dermoscopy');
  try {
    const size = await session.page.evaluate(() => [document.getElementById('video').videoWidth, document.getElementById('video').videoHeight]);
    assert.deepEqual(size, [200, 150]);
    await session.page.click('#capture');
    await Promise.race([session.page.waitForSelector('#classes li'), session.failed]);
    const { probabilities, error } = await readResult(session.page);
    assert.equal(error, null);
    const values = Object.values(probabilities);
    assert.equal(values.length, 7);
    assert.ok(Math.abs(values.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    assert.equal(await session.page.isVisible('#camera'), false, 'the camera closes after the photo');
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('a plain photo through the fake camera gets six tone renderings, each with a confidence and real-photo evidence, and the person\'s tone highlighted', { timeout: 240_000 }, async () => {
  const session = await withCameraShowing(clinicalTestImages(1)[0], '?backend=cpu');
  try {
    await session.page.click('#capture');
    await Promise.race([session.page.waitForSelector('#classes li'), session.failed]);
    const { error, tone, mode } = await readResult(session.page);
    assert.equal(error, null);
    assert.equal(mode, 'photo');
    const perTone = await readPerTone(session.page);
    assert.equal(perTone.rows.length, 6);
    for (const row of perTone.rows) {
      assert.ok(row.rendering, `type ${row.fitzpatrick} has a drawn rendering`);
      assert.ok(row.malignancy >= 0 && row.malignancy <= 1, `type ${row.fitzpatrick} has a confidence`);
      assert.ok(Number(row.realN) > 0, `type ${row.fitzpatrick} shows the card's real-photo n`);
      assert.match(row.evidence, /sensitivity .*AUROC/);
    }
    const own = perTone.rows.filter((row) => row.own).map((row) => String(row.fitzpatrick));
    assert.deepEqual(own, [tone.fitzpatrick]);
    assert.ok(await readTriage(session.page), 'a triage level is shown');
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});

test('a camera photo kept in the history is the PNG of the frame that was analysed', { timeout: 240_000 }, async () => {
  const session = await withCameraShowing(clinicalTestImages(1)[0], '?backend=cpu');
  try {
    const { page } = session;
    await turnOnHistory(page);
    await openView(page, 'check');
    const video = await page.evaluate(() => [document.getElementById('video').videoWidth, document.getElementById('video').videoHeight]);
    await page.click('#capture');
    await Promise.race([page.waitForSelector('#save-form:not([hidden])'), session.failed]);
    assert.equal((await saveResult(page, 'left shoulder', '2025-01-10')).error, null);
    const [entry] = (await readDatabase(page)).entries;
    assert.equal(entry.photo.type, 'image/png');
    const size = await page.evaluate(async () => {
      const db = await new Promise((resolve) => { const r = indexedDB.open('dermtone-history'); r.onsuccess = () => resolve(r.result); });
      const stored = await new Promise((resolve) => { const r = db.transaction('entries').objectStore('entries').getAll(); r.onsuccess = () => resolve(r.result[0]); });
      db.close();
      const bitmap = await createImageBitmap(stored.photo);
      return [bitmap.width, bitmap.height];
    });
    assert.ok(video[0] > 0 && video[1] > 0);
    assert.deepEqual(size, video, 'the kept PNG is the whole frame');
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
  }
});
