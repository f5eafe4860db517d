// Draws learning curves from training runs' history.jsonl files (written by every checkpointed
// `dermtone train` run) as one SVG: val selection score (solid) and mean train loss (dashed,
// right axis) per epoch, one colour per run. Plain node, no dependencies.
//   node scripts/learning-curves.mjs OUT.svg NAME=RUN_DIR [NAME=RUN_DIR ...]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [out, ...runs] = process.argv.slice(2);
if (!out || runs.length === 0 || runs.some((r) => !r.includes('='))) {
  console.error('usage: node scripts/learning-curves.mjs OUT.svg NAME=RUN_DIR [NAME=RUN_DIR ...]');
  process.exit(2);
}

/** The last record of each epoch (a resumed run may repeat one), in epoch order. */
function history(dir) {
  const byEpoch = new Map();
  for (const line of readFileSync(path.join(dir, 'history.jsonl'), 'utf8').split('\n')) {
    if (line.trim()) {
      const record = JSON.parse(line);
      byEpoch.set(record.epoch, record);
    }
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

const series = runs.map((r) => {
  const [name, dir] = r.split('=');
  return { name, points: history(dir) };
});
const COLOURS = ['#1f5fa8', '#c2452d', '#2e8540', '#8a4fb0', '#b07a00', '#333333'];
const [W, H, L, R, T, B] = [720, 400, 60, 60, 30, 50];
const epochs = Math.max(...series.flatMap((s) => s.points.map((p) => p.epoch)), 1);
const scores = series.flatMap((s) => s.points.map((p) => p.val_score));
const losses = series.flatMap((s) => s.points.map((p) => p.train_loss));
const [sLo, sHi] = [Math.min(...scores, 1) - 0.02, Math.max(...scores, 0) + 0.02];
const [lLo, lHi] = [Math.min(...losses, 10) * 0.95, Math.max(...losses, 0) * 1.05];
const x = (e) => L + ((e - 1) / Math.max(epochs - 1, 1)) * (W - L - R);
const yScore = (v) => T + (1 - (v - sLo) / (sHi - sLo || 1)) * (H - T - B);
const yLoss = (v) => T + (1 - (v - lLo) / (lHi - lLo || 1)) * (H - T - B);
const line = (points, y, key) => points.map((p, i) => `${i ? 'L' : 'M'}${x(p.epoch).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');

const parts = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  `<title>Learning curves: val score (solid, left axis) and train loss (dashed, right axis) per epoch</title>`,
  `<rect width="${W}" height="${H}" fill="white"/>`,
  `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#444"/>`,
  `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#444"/>`,
  `<line x1="${W - R}" y1="${T}" x2="${W - R}" y2="${H - B}" stroke="#444"/>`,
  `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">epoch (1–${epochs})</text>`,
  `<text x="14" y="${(T + H - B) / 2}" transform="rotate(-90 14 ${(T + H - B) / 2})" text-anchor="middle">val selection score</text>`,
  `<text x="${W - 14}" y="${(T + H - B) / 2}" transform="rotate(90 ${W - 14} ${(T + H - B) / 2})" text-anchor="middle">train loss (dashed)</text>`,
];
for (let i = 0; i <= 4; i++) {
  const s = sLo + ((sHi - sLo) * i) / 4;
  const l = lLo + ((lHi - lLo) * i) / 4;
  parts.push(`<text x="${L - 6}" y="${yScore(s) + 4}" text-anchor="end">${s.toFixed(2)}</text>`);
  parts.push(`<text x="${W - R + 6}" y="${yLoss(l) + 4}">${l.toFixed(2)}</text>`);
}
series.forEach((s, i) => {
  const colour = COLOURS[i % COLOURS.length];
  parts.push(`<path d="${line(s.points, yScore, 'val_score')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
  parts.push(`<path d="${line(s.points, yLoss, 'train_loss')}" fill="none" stroke="${colour}" stroke-width="1.5" stroke-dasharray="5 4"/>`);
  const best = s.points.reduce((a, b) => (b.val_score > a.val_score ? b : a), s.points[0]);
  parts.push(`<text x="${L + 10}" y="${T + 14 + 16 * i}" fill="${colour}">${s.name}: ${s.points.length} epochs, best val ${best?.val_score.toFixed(3)} at ${best?.epoch}</text>`);
});
parts.push('</svg>');
writeFileSync(out, `${parts.join('\n')}\n`);
console.log(`wrote ${out} (${series.length} runs, up to ${epochs} epochs)`);
