// Writes the page as `dermtone serve` sends it into <out> (dist/, a build output): every file under
// <src> (www/, the wasm engines in www/pkg/ included), its text minified where whitespace,
// comments and long local names are all that go, and the rest copied byte for byte:
// - JavaScript (esbuild, no bundling: each file stays the plain ES module, or for sw.js the
//   classic worker script, it is in www/, with its own name and exports);
// - CSS (esbuild); JSON and the app manifest (parsed and written back without whitespace);
// - HTML: comments and each line's indentation dropped (no <pre> or <textarea> in the page, so
//   no whitespace the browser shows);
// - anything else (the wasm, the icons) as it is.
// www/ stays the readable source. A file is rewritten only when its output changes, so the
// compressed copies scripts/precompress.mjs keeps beside it stay valid, and a file in <out> whose
// source went is removed with its copies. Run before scripts/precache.mjs, which lists <out> and
// writes <out>/pkg/precache.js.
//   node scripts/build-page.mjs [--src www] [--out dist]
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { COPY_SUFFIXES, isCompressedCopy, pageFiles } from './served-files.mjs';

// esbuild is installed with the browser tests' tools (tests/package.json), as wasm-opt is.
const esbuild = createRequire(new URL('../tests/package.json', import.meta.url))('esbuild');

const { values } = parseArgs({ options: { src: { type: 'string', default: 'www' }, out: { type: 'string', default: 'dist' } } });
const src = path.resolve(values.src);
const out = path.resolve(values.out);
/** Written into <out> by scripts/precache.mjs; an older build's copy in <src>/pkg/ is not the page's. */
const PRECACHE = 'pkg/precache.js';
/** Scripts the browser runs as classic scripts (the service worker: importScripts), not modules:
 * their top-level names are globals and keep their names. */
const CLASSIC = new Set(['sw.js']);

const minifyJs = (text, url) => esbuild.transformSync(text, {
  loader: 'js', minify: true, legalComments: 'none', ...(CLASSIC.has(url) ? {} : { format: 'esm' }),
}).code;
const minifyCss = (text) => esbuild.transformSync(text, { loader: 'css', minify: true, legalComments: 'none' }).code;
const minifyJson = (text) => JSON.stringify(JSON.parse(text));
const minifyHtml = (text) => text.replace(/<!--[\s\S]*?-->/g, '').replace(/\n[ \t]+/g, '\n').replace(/\n{2,}/g, '\n');

/** How each kind of file is written, by its name's ending; others are copied. */
const MINIFIERS = [['.js', minifyJs], ['.css', minifyCss], ['.json', minifyJson], ['.webmanifest', minifyJson], ['.html', minifyHtml]];

const gzipped = (data) => gzipSync(data, { level: 9 }).length;
const totals = { files: 0, written: 0, minified: 0, before: 0, after: 0, gzipBefore: 0, gzipAfter: 0 };
const produced = new Set();
for (const file of pageFiles(src)) {
  const url = path.relative(src, file).split(path.sep).join('/');
  if (url === PRECACHE) continue;
  const source = readFileSync(file);
  const minifier = MINIFIERS.find(([ending]) => url.endsWith(ending))?.[1];
  const output = minifier ? Buffer.from(minifier(source.toString('utf8'), url)) : source;
  if (minifier) {
    totals.minified++;
    totals.before += source.length;
    totals.after += output.length;
    totals.gzipBefore += gzipped(source);
    totals.gzipAfter += gzipped(output);
  }
  const target = path.join(out, url);
  produced.add(target);
  totals.files++;
  if (existsSync(target) && readFileSync(target).equals(output)) continue;
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, output);
  totals.written++;
}

// What an earlier build wrote from a source that is gone, with its compressed copies, and
// copies whose file is gone (pageFiles leaves copies out).
let removed = 0;
if (existsSync(out)) {
  for (const file of pageFiles(out)) {
    if (produced.has(file) || file === path.join(out, PRECACHE)) continue;
    for (const copy of [file, ...COPY_SUFFIXES.map((suffix) => file + suffix)]) rmSync(copy, { force: true });
    removed++;
  }
  for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
    const copy = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && isCompressedCopy(entry.name) && !existsSync(copy.slice(0, copy.lastIndexOf('.')))) {
      rmSync(copy);
      removed++;
    }
  }
}

console.log(`${path.relative(process.cwd(), out) || '.'}: ${totals.files} files, ${totals.written} written, ${removed} removed; `
  + `${totals.minified} minified from ${totals.before} to ${totals.after} B (gzip -9 ${totals.gzipBefore} to ${totals.gzipAfter} B)`);
