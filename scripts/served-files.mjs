// What `dermtone serve` serves, as the build scripts list it: scripts/precache.mjs (the offline
// list and its version) and scripts/precompress.mjs (the brotli and gzip copies) must name the
// same files, so both take them from here.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Suffixes of the compressed copies scripts/precompress.mjs writes beside each served file. */
export const COPY_SUFFIXES = ['.br', '.gz'];

/** Whether `name` is such a copy: the server sends it in its file's place, never as a file. */
export const isCompressedCopy = (name) => COPY_SUFFIXES.some((suffix) => name.endsWith(suffix));

/** Every file under `dir`, as a full path, without dotfiles (pkg/.built-from is not served) or
 * compressed copies. */
export function pageFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.') && !isCompressedCopy(entry.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return pageFiles(full);
      return entry.isFile() ? [full] : [];
    });
}

/** The models folder's manifest entries. */
export function manifestEntries(models) {
  return JSON.parse(readFileSync(path.join(models, 'manifest.json'), 'utf8')).models;
}

/** The names served from the models folder: the manifest, and each model's weights and card. */
export function modelFileNames(models) {
  return ['manifest.json', ...manifestEntries(models).flatMap((m) => [m.file, m.card].filter(Boolean))];
}
