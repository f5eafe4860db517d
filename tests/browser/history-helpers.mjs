// Shared steps of the history tests: switching the history on, saving the result shown to a
// named mark, and reading the page's IndexedDB directly (not through the page's own code), so a
// test sees what is really kept on the device.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The sha256 of a file on disk, to compare with the photo bytes kept in IndexedDB. */
export function fileSha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Opens a view by its hash and waits until it is shown. */
export async function openView(page, hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  const view = hash.split('/')[0];
  await page.waitForFunction((v) => document.body.dataset.view === v, view);
}

/** Turns on "Keep a history on this device" from the History view. */
export async function turnOnHistory(page) {
  await openView(page, 'history');
  await page.check('#history-on');
  await page.waitForFunction(() => localStorage.getItem('dermtone.history') === 'on');
}

/** Saves the result shown to mark `name`, photo taken on `date`; resolves to the status or error shown. */
export async function saveResult(page, name, date) {
  await openView(page, 'check');
  await page.waitForSelector('#save-form:not([hidden])');
  await page.fill('#save-name', name);
  await page.fill('#save-date', date);
  await page.click('#save-button');
  await page.waitForFunction(() => document.getElementById('save-status').textContent.trim() !== ''
    || !document.getElementById('save-error').hidden);
  return page.evaluate(() => ({
    status: document.getElementById('save-status').textContent,
    error: document.getElementById('save-error').hidden ? null : document.getElementById('save-error').textContent,
  }));
}

/**
 * Everything the history database holds, read with IndexedDB directly: `null` when there is
 * no database; else `{ marks, entries }`, each entry with its photo as `{ type, size, sha256 }`.
 */
export function readDatabase(page) {
  return page.evaluate(async () => {
    if (!(await indexedDB.databases()).some((d) => d.name === 'dermtone-history')) return null;
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open('dermtone-history');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const stores = [...db.objectStoreNames];
    const all = await new Promise((resolve, reject) => {
      const tx = db.transaction(stores);
      const results = Object.fromEntries(stores.map((name) => [name, tx.objectStore(name).getAll()]));
      tx.oncomplete = () => resolve(Object.fromEntries(stores.map((name) => [name, results[name].result])));
      tx.onerror = () => reject(tx.error);
    });
    db.close();
    const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const entries = await Promise.all((all.entries ?? []).map(async ({ photo, ...entry }) => ({
      ...entry,
      photo: photo && { type: photo.type, size: photo.size, sha256: hex(await crypto.subtle.digest('SHA-256', await photo.arrayBuffer())) },
    })));
    return { stores, marks: all.marks ?? [], entries };
  });
}

/** The marks the History view lists: `[{ id, name, entries }]`. */
export async function listedMarks(page) {
  await openView(page, 'history');
  await page.waitForFunction(() => document.body.dataset.history === 'drawn');
  return page.$$eval('#history-marks li', (items) => items.map((li) => ({
    id: Number(li.dataset.markId), name: li.dataset.markName, entries: Number(li.dataset.entries),
  })));
}

/** Opens the Compare view of mark `id` and waits for the engine's comparison (or its refusal). */
export async function openComparison(session, id) {
  const { page } = session;
  await page.evaluate(() => { delete document.body.dataset.compare; });
  await openView(page, `compare/${id}`);
  await Promise.race([page.waitForFunction(() => ['done', 'failed'].includes(document.body.dataset.compare)), session.failed]);
  return page.evaluate(async () => ({
    state: document.body.dataset.compare,
    error: document.getElementById('compare-error').hidden ? null : document.getElementById('compare-error').textContent,
    photos: await Promise.all([...document.querySelectorAll('#compare-photos img')].map(async (img) => ({
      loaded: await img.decode().then(() => img.naturalWidth > 0, () => false), alt: img.alt,
    }))),
    rows: [...document.querySelectorAll('#compare-table tbody tr')].map((tr) => ({
      code: tr.dataset.code,
      direction: tr.dataset.direction,
      large: tr.dataset.large === 'true',
      cells: [...tr.children].map((c) => c.textContent.trim()),
    })),
    triage: document.getElementById('compare-triage').hidden ? null : document.getElementById('compare-triage').dataset.level,
    sizeNote: document.getElementById('compare-size-note').textContent,
    changeNote: document.getElementById('compare-change-note').textContent,
  }));
}
