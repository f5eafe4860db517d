// Soak (issue 20 item 6): one page, N analyses in a row, as a long clinic session would run
// them: plain-photo and dermatoscope modes switched with the mode radio, HAM10000 dermatoscope
// images and Fitzpatrick17k clinical photos in both modes, and every 25th a deliberately bad file
// (a blurred photo, which must get retake advice, or a text file, which must get an error).
// Every outcome is checked against `dermtone analyze --json` on the same file and mode (same
// quality verdict, probabilities within 1e-3): an analysis that should have succeeded but did
// not, a wrong answer, a bad file let through or a page error is an error. Memory (the worker's
// wasm linear memory and JS heap, the page's JS heap, DOM counters and the PSS of every Chromium
// process) is sampled after a forced garbage collection at analysis 50 and at the end, so that
// growth means memory kept, not garbage not yet collected. Prints one Markdown table; exits 1 if
// there was any error.
// `--write` also puts the table into bench/RESULTS.md's soak section (`./build.sh bench` writes it too).
//   node bench/soak.mjs [analyses=500] [backend=cpu] [--write]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ROOT, startServer, openPage, waitReady, waitOffline, readResult, cliAnalysis, maxDifference, testImages, clinicalTestImages,
} from '../tests/browser/harness.mjs';
import { isMain, summary } from './stats.mjs';

const MODES = ['photo', 'dermoscopy'];
const BAD_EVERY = 25;
const SWITCH_EVERY = 10; // at analysis 5, 15, 25...: the radio re-analyses the last photo in the other mode
const SAMPLE_AT = 50;
const ANALYSIS_TIMEOUT_MS = 120_000; // a panicking engine never answers: fail, do not hang

const mib = (bytes) => (bytes == null ? '–' : `${(bytes / 2 ** 20).toFixed(1)} MiB`);
const growth = (from, to) => (from == null || to == null || from === 0 ? '–' : `${(((to - from) / from) * 100).toFixed(1)} %`);

/** `promise`, or a rejection naming `what` after `ms`. */
function within(ms, what, promise) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * The analyses to run, decided before any runs so that the CLI's reference results can be
 * computed up front (outside the timed loop). Each step is `{ kind, mode, file? }`: `photo` (a
 * dataset file in the current mode), `switch` (the radio to `mode`, re-analysing the last photo),
 * `blurred` or `text` (a bad file).
 */
function schedule(analyses, photos, blurredCount) {
  const steps = [];
  let mode = 'photo';
  let last = null;
  let next = 0;
  for (let i = 1; i <= analyses; i++) {
    if (i % BAD_EVERY === 0) {
      // Alternate the two kinds of bad file; each blurred one is a different photo.
      const blurred = (i / BAD_EVERY) % 2 === 1;
      last = blurred ? { kind: 'blurred', index: (i / BAD_EVERY) % blurredCount } : { kind: 'text', index: i };
      steps.push({ ...last, mode });
    } else if (i % SWITCH_EVERY === SWITCH_EVERY / 2 && last) {
      mode = mode === 'photo' ? 'dermoscopy' : 'photo';
      steps.push({ ...last, kind: last.kind === 'photo' ? 'switch' : `switch-${last.kind}`, mode });
    } else {
      last = { kind: 'photo', file: photos[next++ % photos.length] };
      steps.push({ ...last, mode });
    }
  }
  return steps;
}

/** `file` redrawn through a canvas blur in the page, as a PNG upload (as tests/browser/analyse.test.mjs does). */
async function blurred(page, file) {
  const base64 = readFileSync(file).toString('base64');
  const png = await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    ctx.filter = 'blur(4px)';
    ctx.drawImage(bitmap, 0, 0);
    const out = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
    let text = '';
    for (let i = 0; i < out.length; i += 0x8000) text += String.fromCharCode(...out.subarray(i, i + 0x8000));
    return btoa(text);
  }, base64);
  return { name: 'blurred.png', mimeType: 'image/png', buffer: Buffer.from(png, 'base64') };
}

/**
 * Runs `action`, which starts one analysis, and resolves to its outcome (harness readResult).
 * Unlike harness outcomeOf it does not stop at the first page error: those are counted at the
 * end from `session.errors`, and the soak goes on; a timeout still ends it.
 */
async function outcome(page, action) {
  await page.evaluate(() => {
    document.getElementById('classes').replaceChildren();
    document.getElementById('error').hidden = true;
    document.getElementById('retake').hidden = true;
    delete document.body.dataset.state;
  });
  await action();
  await page.waitForFunction(() => document.body.dataset.state === 'idle'
    && (document.querySelectorAll('#classes li').length > 0 || !document.getElementById('error').hidden
      || !document.getElementById('retake').hidden), null, { timeout: ANALYSIS_TIMEOUT_MS });
  return readResult(page);
}

/** Why `result` is not what `expected` (a CLI analysis, or 'retake' / 'error' for a bad file) says, or null. */
function mismatch(result, expected, mode) {
  if (expected === 'retake') {
    if (result.retake.length === 0 || Object.keys(result.probabilities).length > 0) return `a blurred photo got no retake advice: ${JSON.stringify(result)}`;
    return null;
  }
  if (expected === 'error') return result.error ? null : `a text file got no error: ${JSON.stringify(result)}`;
  if (result.error) return `error: ${result.error}`;
  if (!expected.quality.ok) {
    const codes = expected.quality.problems.map((p) => p.code);
    return JSON.stringify(result.retake) === JSON.stringify(codes) ? null : `retake ${JSON.stringify(result.retake)}, the CLI says ${JSON.stringify(codes)}`;
  }
  if (result.retake.length > 0) return `retake ${JSON.stringify(result.retake)}, the CLI has a result`;
  if (result.mode !== mode) return `ran in mode ${result.mode}, not ${mode}`;
  const difference = maxDifference(result.probabilities, expected);
  return difference < 1e-3 ? null : `probabilities differ from the CLI's by ${difference}`;
}

/**
 * A reader of the compute worker's CDP domain, as bench/memory.mjs attaches to it (a dedicated
 * worker has no `performance.memory`): `send(method)` resolves to the result, or null after 10 s.
 */
async function workerSession(cdp) {
  const { targetInfos } = await cdp.send('Target.getTargets');
  const worker = targetInfos.find((t) => t.type === 'worker');
  if (!worker) return { send: async () => null };
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false });
  let next = 1;
  const waiting = new Map();
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    const message = JSON.parse(event.message);
    waiting.get(message.id)?.(message.result ?? null);
    waiting.delete(message.id);
  });
  return {
    send: (method) => new Promise((resolve) => {
      const id = next++;
      const timer = setTimeout(() => { waiting.delete(id); resolve(null); }, 10_000);
      waiting.set(id, (result) => { clearTimeout(timer); resolve(result); });
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
    }),
  };
}

/**
 * Proportional set size and resident set size (bytes) summed over every process this node
 * process started except the dermtone server: Chromium's browser, renderer, GPU and utility
 * processes. PSS shares pages between them, so it does not count shared libraries twice.
 */
function chromiumMemory() {
  const procs = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      procs.push({ pid: Number(pid), comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(stat.slice(close + 2).split(' ')[1]) });
    } catch { /* gone meanwhile */ }
  }
  const ours = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) {
      if (!ours.has(p.pid) && ours.has(p.ppid) && !p.comm.startsWith('dermtone')) { ours.add(p.pid); grew = true; }
    }
  }
  ours.delete(process.pid);
  let pss = 0;
  let rss = 0;
  for (const pid of ours) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      pss += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
    } catch { /* gone meanwhile */ }
  }
  return { processes: ours.size, pss, rss };
}

/** Runs the soak; resolves to the figures the table prints. */
export async function soak({ analyses = 500, backend = 'cpu', log = () => {} } = {}) {
  const photos = [];
  const [ham, clinical] = [testImages(20), clinicalTestImages(20)];
  for (let i = 0; i < Math.max(ham.length, clinical.length); i++) photos.push(...[ham[i], clinical[i]].filter(Boolean));
  const blurSources = testImages(4);
  const steps = schedule(analyses, photos, blurSources.length);

  // The native reference for every (file, mode) the schedule uses.
  const references = new Map();
  for (const step of steps) {
    const key = `${step.mode} ${step.file}`;
    if (step.file && !references.has(key)) references.set(key, cliAnalysis(step.file, step.mode));
  }
  log(`${references.size} CLI references computed`);

  const server = await startServer();
  const session = await openPage(`${server.url}?backend=${backend}`, { webgpu: backend === 'webgpu' });
  const { page } = session;
  try {
    const reported = await within(120_000, 'the engine', waitReady(session));
    // The first visit's offline download is part of loading, not of the soak.
    await within(300_000, 'the offline install', waitOffline(session, 'ready'));
    const cdp = await session.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const worker = await workerSession(cdp);
    const blurredFiles = [];
    for (const file of blurSources) blurredFiles.push(await within(60_000, 'blurring', blurred(page, file)));

    const sample = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      await worker.send('HeapProfiler.collectGarbage');
      const engine = await within(30_000, 'the memory probe', page.evaluate(async () => {
        const { call } = await import('./engine-client.js');
        return call({ type: 'memory' });
      }));
      const workerHeap = engine.jsHeapBytes ?? (await worker.send('Runtime.getHeapUsage'))?.usedSize ?? null;
      const { metrics } = await cdp.send('Performance.getMetrics');
      const pageHeap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? null;
      const dom = await cdp.send('Memory.getDOMCounters').catch(() => ({}));
      return {
        wasm: engine.wasmBytes, workerHeap, pageHeap, total: engine.wasmBytes + (workerHeap ?? 0) + (pageHeap ?? 0),
        nodes: dom.nodes ?? null, listeners: dom.jsEventListeners ?? null, ...chromiumMemory(),
      };
    };

    const errors = [];
    const counts = { photo: 0, switch: 0, blurred: 0, text: 0, retakes: 0, retakesBlurred: 0, errorsShown: 0 };
    const times = [];
    const samples = new Map();
    const started = performance.now();
    let stoppedEarly = null;
    for (const [index, step] of steps.entries()) {
      const i = index + 1;
      const bad = step.kind.endsWith('blurred') ? 'blurred' : step.kind.endsWith('text') ? 'text' : null;
      const upload = bad === 'blurred' ? blurredFiles[step.index]
        : bad === 'text' ? { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(`not a photo, note ${step.index}\n`) }
          : step.file;
      const action = step.kind.startsWith('switch')
        ? () => page.check(`input[name="mode"][value="${step.mode}"]`)
        : () => page.setInputFiles('#file', upload);
      counts[step.kind.startsWith('switch') ? 'switch' : step.kind] += 1;
      const t0 = performance.now();
      let result;
      try {
        result = await outcome(page, action);
      } catch (error) {
        // A page that no longer answers cannot be soaked further: count it and stop.
        errors.push(`analysis ${i} (${step.kind}, ${step.mode}, ${step.file ?? bad}): ${error.message.split('\n')[0]}`);
        stoppedEarly = i;
        break;
      }
      times.push(performance.now() - t0);
      if (result.retake.length > 0) counts.retakes += 1;
      if (result.retake.length > 0 && bad === 'blurred') counts.retakesBlurred += 1;
      if (result.error) counts.errorsShown += 1;
      const expected = bad === 'blurred' ? 'retake' : bad === 'text' ? 'error' : references.get(`${step.mode} ${step.file}`);
      const why = mismatch(result, expected, step.mode);
      if (why) errors.push(`analysis ${i} (${step.kind}, ${step.mode}, ${step.file ?? bad}): ${why}`);
      if (i % SAMPLE_AT === 0 || i === steps.length) {
        const s = await sample();
        samples.set(i, s);
        log(`after ${String(i).padStart(4)}: wasm ${mib(s.wasm)}, worker heap ${mib(s.workerHeap)}, page heap ${mib(s.pageHeap)}, Chromium PSS ${mib(s.pss)} (${s.processes} processes), DOM nodes ${s.nodes}, errors ${errors.length}`);
      }
    }
    const wallMs = performance.now() - started;
    for (const error of session.errors) errors.push(`page error: ${error}`);
    return {
      analyses, backend, reported, counts, errors, times, wallMs, stoppedEarly,
      first: samples.get(Math.min(SAMPLE_AT, steps.length)) ?? null, last: samples.get(steps.length) ?? null,
      firstAt: Math.min(SAMPLE_AT, steps.length),
    };
  } finally {
    await session.close();
    server.stop();
  }
}

const SOAK_HEADING = '## Soak';

/** The soak's section of bench/RESULTS.md: a heading, the commit it ran on, and the table. */
export function soakSection(r, command) {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  return [`${SOAK_HEADING} (\`${command}\`)`, '', `Commit ${commit}, ${new Date().toISOString().slice(0, 10)}.`, '', table(r, command), ''].join('\n');
}

/** `markdown` with its soak section (up to the next `## ` heading) replaced by `section`, or appended. */
function withSoakSection(markdown, section) {
  const start = markdown.search(new RegExp(`^${SOAK_HEADING}\\b`, 'm'));
  if (start < 0) return `${markdown.trimEnd()}\n\n${section}`;
  const rest = markdown.slice(start + SOAK_HEADING.length);
  const next = rest.search(/^## /m);
  return markdown.slice(0, start) + section + (next < 0 ? '' : `\n${rest.slice(next)}`);
}

/** The figures as one Markdown table. */
function table(r, command) {
  const { counts, first, last } = r;
  const time = summary(r.times);
  const seconds = r.wallMs / 1000;
  const memory = (s) => (s ? `wasm ${mib(s.wasm)} + worker heap ${mib(s.workerHeap)} + page heap ${mib(s.pageHeap)} = **${mib(s.total)}**; Chromium PSS ${mib(s.pss)} (RSS ${mib(s.rss)}, ${s.processes} processes); DOM nodes ${s.nodes}, listeners ${s.listeners}` : '–');
  const rows = [
    ['analyses', `${r.stoppedEarly ? `${r.stoppedEarly} of ${r.analyses} (stopped: the page stopped answering)` : r.analyses} on ${r.reported}: ${counts.photo} photos, ${counts.switch} mode switches (re-analyses), ${counts.blurred} blurred photos, ${counts.text} text files`],
    ['errors', `**${r.errors.length}**`],
    ['retakes seen', `${counts.retakes} (${counts.retakesBlurred} of ${counts.blurred} blurred photos; the rest real photos the CLI also sends back)`],
    ['errors shown', `${counts.errorsShown} (for ${counts.text} text files)`],
    [`memory at ${r.firstAt}`, memory(first)],
    [`memory at ${r.stoppedEarly ?? r.analyses}`, memory(last)],
    [`growth ${r.firstAt} → ${r.stoppedEarly ?? r.analyses}`, first && last ? `total ${growth(first.total, last.total)}, wasm ${growth(first.wasm, last.wasm)}, Chromium PSS ${growth(first.pss, last.pss)}, DOM nodes ${growth(first.nodes, last.nodes)}` : '–'],
    ['wall time', `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s; per analysis median ${time.median?.toFixed(0)} ms, p90 ${time.p90?.toFixed(0)} ms`],
    ['command', `\`${command}\``],
  ];
  return ['| soak | figure |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const write = args.includes('--write');
  const [count, backendArg] = args.filter((a) => a !== '--write');
  const [analyses, backend] = [Number(count ?? 500), backendArg ?? 'cpu'];
  if (!Number.isInteger(analyses) || analyses < 1) throw new Error(`analyses must be a positive integer, not ${process.argv[2]}`);
  const result = await soak({ analyses, backend, log: (line) => console.error(line) });
  const command = `node bench/soak.mjs ${analyses} ${backend}`;
  for (const error of result.errors.slice(0, 20)) console.error(error);
  if (result.errors.length > 20) console.error(`... and ${result.errors.length - 20} more`);
  console.log(table(result, command));
  if (write) {
    const results = path.join(ROOT, 'bench/RESULTS.md');
    writeFileSync(results, withSoakSection(readFileSync(results, 'utf8'), soakSection(result, command)));
  }
  process.exitCode = result.errors.length > 0 ? 1 : 0;
}
