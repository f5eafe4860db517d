// bench/RESULTS.md from one run's figures (bench/run.mjs): the targets P1–P4 of issue 8 first,
// each computed within the run, then every figure behind them.

const ms = (v) => (v == null ? '–' : v.toFixed(1));
const mb = (bytes) => (bytes / 1e6).toFixed(2);
const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const verdict = (ok) => (ok ? 'met' : '**missed**');

/**
 * P1 for one bench-page run: our whole analysis against the same analysis with ORT's network
 * times in place of ours (ours − our network calls + ORT's), and the network calls alone.
 */
function p1(run) {
  if (!run || run.error) return null;
  const ours = sum(run.calls.map((c) => c.ours.median));
  const theirs = sum(run.calls.map((c) => c.ort.median));
  const withOrt = run.analysis.median - ours + theirs;
  return { ours: run.analysis.median, withOrt, ratio: run.analysis.median / withOrt, networksOurs: ours, networksOrt: theirs };
}

function stageTable(backend) {
  const rows = backend.stages.map((s) => `| ${s.stage} | ${ms(s.median_ms)} | ${ms(s.p90_ms)} | ${ms(s.min_ms)} | ${s.flops ? (s.flops / 1e6).toFixed(1) : '–'} | ${s.gflops_per_s == null ? '–' : s.gflops_per_s.toFixed(2)} |`);
  return ['| stage | median ms | p90 ms | min ms | MFLOP | GFLOP/s |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

function pageSection(name, run) {
  if (!run) return `### ${name}\nnot run\n`;
  if (run.error) return `### ${name}\nThe bench page failed: ${run.error}\n`;
  const agree = Object.entries(run.agree).map(([n, a]) => `| ${n} | ${a.oursVsReference.toExponential(2)} | ${a.ortVsOurs.toExponential(2)} |`);
  const calls = run.calls.map((c) => `| ${c.name} | ${c.batch} | ${ms(c.ours.median)} | ${ms(c.ours.p90)} | ${ms(c.ort.median)} | ${ms(c.ort.p90)} | ${(c.ours.median / c.ort.median).toFixed(2)} |`);
  return [`### ${name}`, `Our engine: ${run.backend} (${run.reason}).`, '',
    'Agreement on the exporter\'s reference batch (max absolute difference):', '',
    '| network | ours − burn reference | ORT − ours |', '|---|---|---|', ...agree, '',
    `Network calls of one per-tone analysis, ${run.runs} runs after ${run.warmup} warm-up:`, '',
    '| call | batch | ours median ms | ours p90 | ORT median ms | ORT p90 | ours / ORT |', '|---|---|---|---|---|---|---|', ...calls, '',
    `Our whole per-tone analysis in this page: median ${ms(run.analysis.median)} ms (p90 ${ms(run.analysis.p90)}).`, ''].join('\n');
}

/** The Markdown report. */
export function render({ command, runs, warmup, machine, versions, native, page, app, payload, memory, soak, photo }) {
  const cpu = p1(page.cpu);
  const gpu = p1(page.webgpu);
  const nativeCpu = native.backends.find((b) => b.name === 'cpu');
  const nativeClassify = nativeCpu?.stages.find((s) => s.stage === 'classify_1')?.median_ms;
  const browserClassify = page.cpu?.calls?.find((c) => c.name === 'classify_1')?.ours.median;
  const p2 = nativeClassify && browserClassify ? browserClassify / nativeClassify : null;
  const peak = Math.max(...memory.map((s) => s.total));
  const [first, last] = [memory[1] ?? memory[0], memory.at(-1)];
  const lines = [
    '# dermtone benchmark results', '',
    `Command: \`${command}\`, commit ${versions.commit}. Machine: ${machine.cpu}, ${machine.cores} logical cores, ${machine.os}.`,
    `Versions: ${versions.dermtone}, burn ${versions.burn}, ${versions.chromium} (headless), onnxruntime-web ${versions.onnxruntimeWeb}, node ${versions.node}.`,
    `Photo: ${photo}. Browser figures are medians of ${runs} runs after ${warmup} warm-up; native ones of 30 after 5.`,
    'This machine has no GPU: WebGPU here is Chromium\'s software adapter (SwiftShader), and native wgpu is lavapipe.', '',
    '## Targets', '',
    '| target | figure | result |', '|---|---|---|',
    cpu ? `| P1 CPU: our per-tone analysis ÷ the same with ORT-web (wasm) network times | ${ms(cpu.ours)} ms ÷ ${ms(cpu.withOrt)} ms = **${cpu.ratio.toFixed(2)}** (≤ 1.0) | ${verdict(cpu.ratio <= 1)} |` : '| P1 CPU | not measured | **missed** |',
    gpu ? `| P1 WebGPU (SwiftShader): the same against ORT-web's WebGPU provider | ${ms(gpu.ours)} ms ÷ ${ms(gpu.withOrt)} ms = **${gpu.ratio.toFixed(2)}** | ${verdict(gpu.ratio <= 1)} |` : `| P1 WebGPU | ${page.webgpu?.error ? `not measured: ${page.webgpu.error}` : 'not measured'} | – |`,
    p2 ? `| P2 one classification, CPU wasm ÷ native CPU | ${ms(browserClassify)} ms ÷ ${ms(nativeClassify)} ms = **${p2.toFixed(2)}×** (≤ 2×) | ${verdict(p2 <= 2)} |` : '| P2 | not measured | **missed** |',
    `| P3 first-visit payload, gzip | **${mb(payload.gzip)} MB** (${mb(payload.raw)} MB raw; ≤ 1.5 MB); ${mb(payload.served)} MB as \`dermtone serve\` sent it | ${verdict(payload.gzip <= 1.5e6)} |`,
    `| P4 peak memory (wasm + worker JS heap + page JS heap), 200 analyses | **${mib(peak)} MiB** (≤ 150 MB); total ${mib(first.total)} → ${mib(last.total)} MiB from analysis ${first.after} to ${last.after} | ${verdict(peak <= 150e6 && last.total <= first.total * 1.05)} |`,
    '',
    'P1 is computed as: our whole analysis in the bench page, and the same analysis with the four network calls (tone ×1, classify ×1, generator ×6, classify ×6) timed through ORT instead of through our engine, every non-network step (decode, quality, ITA, resizing) being ours in both.',
    'P2 compares our wasm forward pass of one prepared image with the native `classify_1` stage, which also resizes and normalises: it flatters native slightly.', '',
    '## Bench page (same page, same inputs)', '',
    pageSection('CPU: our wasm engine and ORT-web\'s wasm provider', page.cpu),
    pageSection('WebGPU: our WebGPU engine and ORT-web\'s WebGPU provider', page.webgpu),
    '## The app itself', '',
    '| path | page load → ready | in the worker, median (p90) | photo → per-tone result drawn, median (p90) |', '|---|---|---|---|',
    ...app.map((r) => `| ${r.label} (${r.backend}) | ${r.startupMs} ms | ${ms(r.worker.median)} ms (${ms(r.worker.p90)}) | ${ms(r.drawn.median)} ms (${ms(r.drawn.p90)}) |`), '',
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
