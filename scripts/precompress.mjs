// Writes FILE.br (brotli at its highest quality) and FILE.gz (gzip -9) beside each file the page
// fetches from `dermtone serve`: every file under <root> (dist/, pkg/ included) and, from the
// models folder, the manifest and every model's weights and card. The server sends a copy, with
// its Content-Encoding, to a browser that accepts that encoding, and only while the copy is no
// older than its file (crates/cli/src/serve/files.rs), so an edited file is never answered with
// a stale copy. A copy is not written where it would be no smaller than its file (the PNG icons),
// and one already newer than its file is kept, so a rerun compresses only what changed. Run it
// after scripts/precache.mjs, whose list it compresses too. The copies are build outputs
// (.gitignore); the offline cache list and its sha256s are over the files themselves.
//   node scripts/precompress.mjs [--root dist] [--models models]
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { COPY_SUFFIXES, modelFileNames, pageFiles } from './served-files.mjs';

const { values } = parseArgs({ options: { root: { type: 'string', default: 'dist' }, models: { type: 'string', default: 'models' } } });
const root = path.resolve(values.root);
const models = path.resolve(values.models);

/** The compressor of each copy, by the suffix the server looks for. */
const COMPRESSORS = {
  '.br': (data) => brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  }),
  '.gz': (data) => gzipSync(data, { level: 9 }),
};
const ENCODINGS = COPY_SUFFIXES.map((suffix) => [suffix, COMPRESSORS[suffix]]);

/** The files the page fetches from the server: the page's own and the models'. */
const servedFiles = () => [...pageFiles(root), ...modelFileNames(models).map((name) => path.join(models, name))];

const modifiedNs = (file) => statSync(file, { bigint: true }).mtimeNs;

let written = 0;
let kept = 0;
let bytes = { raw: 0, '.br': 0, '.gz': 0 };
for (const file of servedFiles()) {
  const data = readFileSync(file);
  bytes.raw += data.length;
  for (const [suffix, compress] of ENCODINGS) {
    const copy = file + suffix;
    if (existsSync(copy) && modifiedNs(copy) >= modifiedNs(file)) {
      kept++;
      bytes[suffix] += statSync(copy).size;
      continue;
    }
    const compressed = compress(data);
    if (compressed.length < data.length) {
      writeFileSync(copy, compressed);
      written++;
      bytes[suffix] += compressed.length;
    } else {
      rmSync(copy, { force: true });
      bytes[suffix] += data.length;
    }
  }
}
console.log(`precompressed copies: ${written} written, ${kept} up to date; ${bytes.raw} B raw, ${bytes['.br']} B brotli, ${bytes['.gz']} B gzip`);
