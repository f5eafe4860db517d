// bench/RESULTS.md from one run's figures (bench/run.mjs): the targets P1–P4 of issue 8 first,
// each computed within the run, then every figure behind them.

const ms = (v) => (v == null ? '–' : v.toFixed(1));
const mb = (bytes) => (bytes / 1e6).toFixed(2);
const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const verdict = (ok) => (ok ? 'met' : '**missed**');

/**
 * P1 for one bench-page run: our whole analysis against the same analysis with ORT's network
 * times in place of ours (ours − our network calls + ORT's), and the network calls alone; from
 * the medians over rounds, and once per round.
 */
function p1(run) {
  if (!run || run.error) return null;
  const ratio = (analysis, ours, theirs) => analysis / (analysis - ours + theirs);
  const ours = sum(run.calls.map((c) => c.ours.median));
  const theirs = sum(run.calls.map((c) => c.ort.median));
  const withOrt = run.analysis.median - ours + theirs;
  const rounds = (run.analysis.rounds ?? []).map((analysis, i) => ratio(
    analysis, sum(run.calls.map((c) => c.ours.rounds[i])), sum(run.calls.map((c) => c.ort.rounds[i]))));
  return { ours: run.analysis.median, withOrt, ratio: run.analysis.median / withOrt, rounds, networksOurs: ours, networksOrt: theirs };
}

/** `a` against `b` as a signed percentage. */
const differs = (a, b) => `${a >= b ? '+' : '−'}${(Math.abs(a / b - 1) * 100).toFixed(1)} %`;

function stageTable(backend) {
  const rows = backend.stages.map((s) => `| ${s.stage} | ${ms(s.median_ms)} | ${ms(s.p90_ms)} | ${ms(s.min_ms)} | ${s.flops ? (s.flops / 1e6).toFixed(1) : '–'} | ${s.gflops_per_s == null ? '–' : s.gflops_per_s.toFixed(2)} |`);
  return ['| stage | median ms | p90 ms | min ms | MFLOP | GFLOP/s |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

function pageSection(name, run) {
  if (!run) return `### ${name}\nnot run\n`;
  if (run.error) return `### ${name}\nThe bench page failed: ${run.error}\n`;
  const rounds = run.rounds ?? 1;
  const agree = Object.entries(run.agree).map(([n, a]) => `| ${n} | ${a.oursVsReference.toExponential(2)} | ${a.ortVsOurs.toExponential(2)} |`);
  const perRound = (figure) => (figure.rounds ?? []).map(ms).join(' / ');
  const calls = run.calls.map((c) => `| ${c.name} | ${c.batch} | ${ms(c.ours.median)} | ${ms(c.ours.min)} | ${ms(c.ort.median)} | ${ms(c.ort.min)} | ${(c.ours.median / c.ort.median).toFixed(2)} | ${perRound(c.ours)} | ${perRound(c.ort)} |`);
  return [`### ${name}`, `Our engine: ${run.backend} (${run.reason}).`, '',
    'Agreement on the exporter\'s reference batch (max absolute difference):', '',
    '| network | ours − burn reference | ORT − ours |', '|---|---|---|', ...agree, '',
    `Network calls of one per-tone analysis: ${rounds} rounds, each of ${run.runs} runs after ${run.warmup} warm-up, ours and ORT's taking turns; the median and minimum over rounds of a round's median:`, '',
    '| call | batch | ours median ms | ours min | ORT median ms | ORT min | ours / ORT | ours by round | ORT by round |', '|---|---|---|---|---|---|---|---|---|', ...calls, '',
    `Our whole per-tone analysis in this page: median ${ms(run.analysis.median)} ms, min ${ms(run.analysis.min)} (by round: ${perRound(run.analysis)}; median p90 ${ms(run.analysis.p90)}).`, ''].join('\n');
}

/** The Markdown report. */
export function render({ command, runs, warmup, machine, versions, native, page, app, payload, memory, soak, photo }) {
  const cpu = p1(page.cpu);
  const cpuAgain = p1(page.cpuAgain);
  const gpu = p1(page.webgpu);
  const nativeCpu = native.backends.find((b) => b.name === 'cpu');
  const nativeClassify = nativeCpu?.stages.find((s) => s.stage === 'classify_1')?.median_ms;
  const browserClassify = page.cpu?.calls?.find((c) => c.name === 'classify_1')?.ours.median;
  const browserClassifyAgain = page.cpuAgain?.calls?.find((c) => c.name === 'classify_1')?.ours.median;
  const p2 = nativeClassify && browserClassify ? browserClassify / nativeClassify : null;
  const p1Row = (run, again) => {
    const byRound = (r) => r.rounds.map((x) => x.toFixed(2)).join(' / ');
    const second = again ? `; a second run: **${again.ratio.toFixed(2)}** (${ms(again.ours)} ÷ ${ms(again.withOrt)} ms; rounds ${byRound(again)}), the two runs' analyses differ by ${differs(again.ours, run.ours)}` : '';
    return `| P1 CPU: our per-tone analysis ÷ the same with ORT-web (wasm) network times | ${ms(run.ours)} ms ÷ ${ms(run.withOrt)} ms = **${run.ratio.toFixed(2)}** (rounds ${byRound(run)})${second} (≤ 1.0) | ${verdict(Math.max(run.ratio, again?.ratio ?? 0) <= 1)} |`;
  };
  const peak = Math.max(...memory.map((s) => s.total));
  const [first, last] = [memory[1] ?? memory[0], memory.at(-1)];
  const lines = [
    '# dermtone benchmark results', '',
    `Command: \`${command}\`, commit ${versions.commit}. Machine: ${machine.cpu}, ${machine.cores} logical cores, ${machine.os}.`,
    `Versions: ${versions.dermtone}, burn ${versions.burn}, ${versions.chromium} (headless), onnxruntime-web ${versions.onnxruntimeWeb}, node ${versions.node}.`,
    `Photo: ${photo}. Browser figures are medians over rounds of medians of ${runs} runs after ${warmup} warm-up; native ones of 30 after 5, on one thread (RAYON_NUM_THREADS=1).`,
    'This machine has no GPU: WebGPU here is Chromium\'s software adapter (SwiftShader), and native wgpu is lavapipe.', '',
    '## Targets', '',
    '| target | figure | result |', '|---|---|---|',
    cpu ? p1Row(cpu, cpuAgain) : '| P1 CPU | not measured | **missed** |',
    gpu ? `| P1 WebGPU (SwiftShader): the same against ORT-web's WebGPU provider | ${ms(gpu.ours)} ms ÷ ${ms(gpu.withOrt)} ms = **${gpu.ratio.toFixed(2)}** | ${verdict(gpu.ratio <= 1)} |` : `| P1 WebGPU | ${page.webgpu?.error ? `not measured: ${page.webgpu.error}` : 'not measured'} | – |`,
    p2 ? `| P2 one classification, CPU wasm ÷ native CPU on one thread | ${ms(browserClassify)} ms ÷ ${ms(nativeClassify)} ms = **${p2.toFixed(2)}×**${browserClassifyAgain ? `; the second run ${ms(browserClassifyAgain)} ms (${differs(browserClassifyAgain, browserClassify)})` : ''} (≤ 2×) | ${verdict(p2 <= 2)} |` : '| P2 | not measured | **missed** |',
    `| P3 first-visit payload, gzip | **${mb(payload.gzip)} MB** (${mb(payload.raw)} MB raw; ≤ 1.5 MB); ${mb(payload.served)} MB as \`dermtone serve\` sent it | ${verdict(payload.gzip <= 1.5e6)} |`,
    `| P4 peak memory (wasm + worker JS heap + page JS heap), 200 analyses | **${mib(peak)} MiB** (≤ 150 MB); total ${mib(first.total)} → ${mib(last.total)} MiB from analysis ${first.after} to ${last.after} | ${verdict(peak <= 150e6 && last.total <= first.total * 1.05)} |`,
    '',
    'P1 is computed as: our whole analysis in the bench page, and the same analysis with the four network calls (tone ×1, classify ×1, generator ×6, classify ×6) timed through ORT instead of through our engine, every non-network step (decode, quality, ITA, resizing) being ours in both.',
    'P2 compares our wasm forward pass of one prepared image with the native `classify_1` stage, which also resizes and normalises: it flatters native slightly.', '',
    '## Bench page (same page, same inputs)', '',
    pageSection('CPU: our wasm engine and ORT-web\'s wasm provider', page.cpu),
    pageSection('CPU again: a second run of the same page, to show how much runs differ', page.cpuAgain),
    pageSection('WebGPU: our WebGPU engine and ORT-web\'s WebGPU provider', page.webgpu),
    '## The app itself', '',
    '| path | page load → ready | in the worker, median (p90) | photo → per-tone result drawn, median (p90) |', '|---|---|---|---|',
    ...app.map((r) => `| ${r.label} (${r.backend}, engine ${r.bundle}) | ${r.startupMs} ms | ${ms(r.worker.median)} ms (${ms(r.worker.p90)}) | ${ms(r.drawn.median)} ms (${ms(r.drawn.p90)}) |`), '',
    '## Native (`dermtone bench --json`)', '',
    ...native.backends.flatMap((b) => (b.available ? [`### ${b.name}: ${b.reason}`, '', stageTable(b), ''] : [`### ${b.name}: unavailable (${b.reason})`, ''])),
    '## First-visit payload (`node bench/payload.mjs`)', '',
    `Every response with a body until the engine is ready and the offline cache is complete (\`?backend=auto\`); ${payload.revalidated} more were bodiless revalidations.`, '',
    '| bytes | gzip -9 | as served | file |', '|---|---|---|---|',
    ...payload.rows.map((r) => `| ${r.raw} | ${r.gzip} | ${r.served} ${r.encoding} | ${r.url} |`),
    `| **${payload.raw}** | **${payload.gzip}** | **${payload.served}** | total |`, '',
    '## Memory (`node bench/memory.mjs 200 cpu`)', '',
    '| after analyses | wasm MiB | worker JS heap MiB | page JS heap MiB | total MiB |', '|---|---|---|---|---|',
    ...memory.map((s) => `| ${s.after} | ${mib(s.wasm)} | ${s.workerHeap == null ? '–' : mib(s.workerHeap)} | ${s.pageHeap == null ? '–' : mib(s.pageHeap)} | ${mib(s.total)} |`), '',
    soak,
  ];
  return `${lines.join('\n')}\n`;
}
