// The history as one JSON file the person keeps, and that file read back. The file is
// `{ "format": "dermtone-history", "version": 1, "exported", "marks": [{ name, created,
// entries: [{ date, saved, mode, models, analysis, photo: { type, base64 } }] }] }`.
// A file is checked whole before anything is written, and written in one transaction: a
// damaged, foreign or newer file changes nothing.
import { readAll, addMany } from './history-store.js';

export const FORMAT = 'dermtone-history';
export const VERSION = 1;
const PHOTO_TYPES = { 'image/jpeg': [0xff, 0xd8, 0xff], 'image/png': [0x89, 0x50, 0x4e, 0x47] };
const MODES = ['photo', 'dermoscopy'];

/** Why a file was refused: `code` is `corrupt`, `foreign` or `newer`; `detail` says where. */
export class BackupError extends Error {
  constructor(code, detail, extra = {}) {
    super(`${code}: ${detail}`);
    Object.assign(this, { code, detail, ...extra });
  }
}

/** The whole history as the backup file's text; `counts` gives marks and entries. */
export async function exportHistory() {
  const marks = await readAll();
  const file = {
    format: FORMAT,
    version: VERSION,
    exported: new Date().toISOString(),
    marks: await Promise.all(marks.map(async (mark) => ({
      name: mark.name,
      created: mark.created,
      entries: await Promise.all(mark.entries.map(async (entry) => ({
        date: entry.date,
        saved: entry.saved,
        mode: entry.mode,
        models: entry.models,
        analysis: entry.analysis,
        photo: { type: entry.photo.type, base64: toBase64(new Uint8Array(await entry.photo.arrayBuffer())) },
      }))),
    }))),
  };
  const entries = marks.reduce((n, m) => n + m.entries.length, 0);
  return { text: JSON.stringify(file), counts: { marks: marks.length, entries } };
}

/** Reads a backup file's text back into the history; resolves to `{ added, skipped }`. */
export async function importHistory(text) {
  const marks = parseBackup(text);
  const result = await addMany(marks);
  return { added: result.added, skipped: result.skipped };
}

/**
 * The marks of a backup file's `text`, ready for the store (photos as Blobs), or a BackupError
 * for the first thing wrong with it. Marks of one name are merged.
 */
export function parseBackup(text) {
  let file;
  try {
    file = JSON.parse(text);
  } catch (error) {
    throw new BackupError('corrupt', `not JSON (${error.message})`);
  }
  if (!isObject(file) || file.format !== FORMAT) throw new BackupError('foreign', 'no "format": "dermtone-history"');
  if (!Number.isInteger(file.version) || file.version < 1) throw new BackupError('corrupt', 'no valid "version"');
  if (file.version > VERSION) throw new BackupError('newer', `version ${file.version}`, { version: file.version });
  if (!Array.isArray(file.marks)) throw new BackupError('corrupt', 'no "marks" list');
  const byName = new Map();
  file.marks.forEach((mark, m) => {
    const where = `mark ${m + 1}`;
    check(isObject(mark), where, 'not an object');
    check(typeof mark.name === 'string' && mark.name.trim() !== '' && mark.name.length <= 200, where, 'no name');
    check(isTime(mark.created), where, 'no creation time');
    check(Array.isArray(mark.entries) && mark.entries.length > 0, where, 'no photos');
    const entries = mark.entries.map((entry, e) => parseEntry(entry, `${where}, photo ${e + 1}`));
    const name = mark.name.trim();
    if (byName.has(name)) byName.get(name).entries.push(...entries);
    else byName.set(name, { name, created: mark.created, entries });
  });
  return [...byName.values()];
}

/** One entry, checked field by field, with its photo decoded. */
function parseEntry(entry, where) {
  check(isObject(entry), where, 'not an object');
  check(typeof entry.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(entry.date) && isTime(`${entry.date}T00:00:00Z`), where, 'no valid date');
  check(isTime(entry.saved), where, 'no save time');
  check(MODES.includes(entry.mode), where, 'unknown capture mode');
  check(Array.isArray(entry.models) && entry.models.every((m) => isObject(m) && typeof m.task === 'string' && typeof m.id === 'string'), where, 'no model list');
  const a = entry.analysis;
  check(isObject(a) && a.mode === entry.mode && typeof a.model?.id === 'string' && a.quality?.ok === true, where, 'no valid analysis');
  check(isObject(entry.photo) && Object.hasOwn(PHOTO_TYPES, entry.photo.type) && typeof entry.photo.base64 === 'string', where, 'no photo');
  let bytes;
  try {
    bytes = fromBase64(entry.photo.base64);
  } catch {
    throw new BackupError('corrupt', `${where}: the photo is damaged`);
  }
  const magic = PHOTO_TYPES[entry.photo.type];
  check(bytes.length > magic.length && magic.every((b, i) => bytes[i] === b), where, 'the photo is damaged');
  return {
    date: entry.date,
    saved: entry.saved,
    mode: entry.mode,
    models: entry.models.map(({ task, id, sha256 }) => ({ task, id, ...(typeof sha256 === 'string' ? { sha256 } : {}) })),
    analysis: a,
    photo: new Blob([bytes], { type: entry.photo.type }),
  };
}

function check(ok, where, what) {
  if (!ok) throw new BackupError('corrupt', `${where}: ${what}`);
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isTime = (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/** Bytes as base64, in slices (a whole photo at once overflows `String.fromCharCode`). */
export function toBase64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** base64 text as bytes; throws on anything that is not strict base64. */
export function fromBase64(text) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error('not base64');
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
