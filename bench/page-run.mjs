// The bench page (bench/page/) served with our engines, ONNX Runtime Web's files and the ONNX
// graphs of our shipped networks, and one run of it: shared by bench/run.mjs and bench/compare.mjs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, cpSync, linkSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, DERMTONE, MODELS, openPage } from '../tests/browser/harness.mjs';

/**
 * `from` into `to`, each file hard-linked where the two share a file system (copied where not):
 * `dermtone serve` refuses symbolic links that leave its root, and ORT's files are 84 MB.
 */
function linkTree(from, to) {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const [source, target] = [path.join(from, name), path.join(to, name)];
    if (statSync(source).isDirectory()) linkTree(source, target);
    else {
      try {
        linkSync(source, target);
      } catch {
        cpSync(source, target);
      }
    }
  }
}

/**
 * A folder to serve the bench page from, holding `photo` as photo.jpg. `engines` maps a backend
 * name to the folder of its wasm engine (default: this checkout's www/pkg/<name>).
 */
export function benchRoot(photo, engines = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'dermtone-bench-'));
  cpSync(path.join(ROOT, 'bench/page'), dir, { recursive: true });
  mkdirSync(path.join(dir, 'pkg'));
  for (const name of ['cpu', 'webgpu']) {
    linkTree(path.resolve(engines[name] ?? path.join(ROOT, 'www/pkg', name)), path.join(dir, 'pkg', name));
  }
  linkTree(path.join(ROOT, 'bench/node_modules/onnxruntime-web/dist'), path.join(dir, 'ort'));
  console.error('exporting the ONNX graphs');
  execFileSync(DERMTONE, ['export-onnx', '--models', MODELS, '--out', path.join(dir, 'onnx')], { cwd: ROOT });
  cpSync(photo, path.join(dir, 'photo.jpg'));
  return dir;
}

/**
 * The bench page's results on `backend` (`runs` after `warmup`, in `rounds`), or
 * `{ backend, error }`.
 */
export async function pageRun(url, backend, { runs, warmup, rounds = 3 }) {
  const session = await openPage('about:blank', { webgpu: backend === 'webgpu' });
  try {
    await session.page.goto(`${url}?backend=${backend}&runs=${runs}&warmup=${warmup}&rounds=${rounds}&photo=photo.jpg`);
    await session.page.waitForFunction(() => window.benchResults || window.benchError, null, { timeout: 600_000 });
    const { results, error } = await session.page.evaluate(() => ({ results: window.benchResults, error: window.benchError }));
    return results ?? { backend, error };
  } finally {
    await session.close();
  }
}
