// The history of a person's marks, kept in this browser's IndexedDB and nowhere else: nothing
// here touches the network. Two object stores in one database:
// - `marks`: `{ id, name, created }`, one per named mark ("left shoulder"), names unique;
// - `entries`: `{ id, markId, date, saved, mode, models, analysis, photo }`, one per saved
//   result: the photo's own file bytes (a Blob), the worker's analysis object, the models that
//   made it (`[{ task, id, sha256 }]`), the day it was taken (`YYYY-MM-DD`) and when it was saved.
// Every change is one transaction, so a failure (a full disk, a private window) changes nothing:
// what was saved before stays as it was. Failures reject with a `StorageError` whose `code`
// (`unavailable`, `quota`, `failed`) the page words.

const DATABASE = 'dermtone-history';
const VERSION = 1;

/** A storage failure with a code for the page's message. */
export class StorageError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** `error` (a DOMException or anything thrown) as a StorageError. */
function storageError(error) {
  if (error instanceof StorageError) return error;
  const name = error?.name ?? '';
  const message = error?.message || String(error);
  if (name === 'QuotaExceededError') return new StorageError('quota', message);
  if (['InvalidStateError', 'SecurityError', 'UnknownError', 'NotAllowedError', 'VersionError'].includes(name)) {
    return new StorageError('unavailable', message);
  }
  return new StorageError('failed', message);
}

let opening = null; // Promise<IDBDatabase>

/** The database, opened (and created on first use) once; a failed open is retried next time. */
function database() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      if (typeof indexedDB === 'undefined' || !indexedDB) {
        reject(new StorageError('unavailable', 'this browser has no IndexedDB'));
        return;
      }
      const request = indexedDB.open(DATABASE, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains('marks')) {
          db.createObjectStore('marks', { keyPath: 'id', autoIncrement: true }).createIndex('name', 'name', { unique: true });
        }
        if (!db.objectStoreNames.contains('entries')) {
          db.createObjectStore('entries', { keyPath: 'id', autoIncrement: true }).createIndex('markId', 'markId');
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab upgrading, or the browser clearing the site's data: reopen next time.
        db.onversionchange = () => { db.close(); opening = null; };
        db.onclose = () => { opening = null; };
        resolve(db);
      };
      request.onerror = () => reject(storageError(request.error));
      request.onblocked = () => reject(new StorageError('unavailable', 'the history is open in an older version of this page in another tab'));
    }).catch((error) => {
      opening = null;
      throw storageError(error);
    });
  }
  return opening;
}

/**
 * Runs `work(stores, guard)` in one transaction over `marks` and `entries`; resolves to what
 * `work` returned (called, if a function, after the commit) once the transaction has committed,
 * rejects (and nothing changes) if any part fails. Request callbacks are wrapped in `guard`, so
 * an exception in one aborts the transaction with that exception as its reason.
 */
async function transaction(mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    let tx;
    let result;
    let thrown = null;
    const abort = (error) => {
      thrown ??= error;
      try { tx?.abort(); } catch { /* already finished */ }
    };
    const guard = (fn) => (...args) => {
      try { fn(...args); } catch (error) { abort(error); }
    };
    try {
      tx = db.transaction(['marks', 'entries'], mode);
      tx.oncomplete = () => resolve(typeof result === 'function' ? result() : result);
      tx.onabort = () => reject(storageError(thrown ?? tx.error ?? new Error('the change was not saved')));
      tx.onerror = (event) => event.preventDefault(); // reported once, by onabort
      result = work({ marks: tx.objectStore('marks'), entries: tx.objectStore('entries') }, guard);
    } catch (error) {
      if (!tx) reject(storageError(error));
      else abort(error);
    }
  });
}

/** `request`'s result, read once it succeeds, as a function called after the commit. */
function later(request) {
  let value;
  request.addEventListener('success', () => { value = request.result; });
  return () => value;
}

/** Whether a history database exists here, without creating one (where the browser can tell). */
export async function exists() {
  if (typeof indexedDB === 'undefined' || !indexedDB) return false;
  if (typeof indexedDB.databases !== 'function') return true;
  try {
    return (await indexedDB.databases()).some((d) => d.name === DATABASE);
  } catch (error) {
    throw storageError(error);
  }
}

/** Every mark with its entries, oldest entry first, marks by name: `[{ id, name, created, entries }]`. */
export function readAll() {
  return transaction('readonly', ({ marks, entries }) => {
    const allMarks = later(marks.getAll());
    const allEntries = later(entries.getAll());
    return () => {
      const byMark = new Map(allMarks().map((m) => [m.id, { ...m, entries: [] }]));
      for (const entry of allEntries()) byMark.get(entry.markId)?.entries.push(entry);
      for (const mark of byMark.values()) mark.entries.sort(byDate);
      return [...byMark.values()].sort((a, b) => a.name.localeCompare(b.name));
    };
  });
}

/** Entries in the order they were taken: by day, then by when they were saved. */
export function byDate(a, b) {
  return a.date.localeCompare(b.date) || a.saved.localeCompare(b.saved) || (a.id ?? 0) - (b.id ?? 0);
}

/** Adds one entry to the mark named `name` (created if new); resolves to the mark's id. */
export function addEntry(name, entry) {
  return addMany([{ name, created: entry.saved, entries: [entry] }]).then(([id]) => id);
}

/**
 * Adds marks and their entries in one transaction: an entry goes to the existing mark of the
 * same name, and one already there (same day, same save time) is skipped, so importing a
 * backup twice changes nothing. `marks` is `[{ name, created, entries: [entry without ids] }]`;
 * resolves to the marks' ids and counts `{ added, skipped }` on the array.
 */
export function addMany(list) {
  return transaction('readwrite', ({ marks, entries }, guard) => {
    const ids = [];
    let added = 0;
    let skipped = 0;
    list.forEach((mark, index) => {
      const store = (markId) => {
        ids[index] = markId;
        const existing = entries.index('markId').getAll(markId);
        existing.onsuccess = guard(() => {
          const known = new Set(existing.result.map((e) => `${e.date} ${e.saved}`));
          for (const entry of mark.entries) {
            if (known.has(`${entry.date} ${entry.saved}`)) {
              skipped++;
              continue;
            }
            known.add(`${entry.date} ${entry.saved}`);
            entries.add({ ...entry, markId });
            added++;
          }
        });
      };
      const found = marks.index('name').get(mark.name);
      found.onsuccess = guard(() => {
        if (found.result) store(found.result.id);
        else {
          const created = marks.add({ name: mark.name, created: mark.created });
          created.onsuccess = guard(() => store(created.result));
        }
      });
    });
    return () => Object.assign(ids, { added, skipped });
  });
}

/** Deletes the mark `markId` and every entry of it, at once. */
export function deleteMark(markId) {
  return transaction('readwrite', ({ marks, entries }, guard) => {
    const keys = entries.index('markId').getAllKeys(markId);
    keys.onsuccess = guard(() => keys.result.forEach((key) => entries.delete(key)));
    marks.delete(markId);
  });
}

/** Deletes every mark and entry, at once. */
export function deleteAll() {
  return transaction('readwrite', ({ marks, entries }) => {
    marks.clear();
    entries.clear();
  });
}
