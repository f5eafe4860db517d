// Draws the app icons into www/icons/: a circle of six graded skin tones (Fitzpatrick I to VI)
// on the page's blue. Plain node, no dependencies: `node scripts/icons.mjs` rewrites them.
import { deflateSync, crc32 } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../www/icons');
const BLUE = [0x0b, 0x5f, 0xa5];
const RING = [0xfb, 0xfb, 0xfd];
const TONES = ['f6d5bf', 'e6b594', 'cc9468', 'a46a42', '77482a', '4a2c1b']
  .map((hex) => [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)));
const SAMPLES = 4; // per axis: 16 samples a pixel smooth the edges

/**
 * The colour at (x, y), both in 0..1: `null` outside the icon. `maskable` fills the whole square
 * and keeps the mark inside the 40% safe-zone radius; otherwise a rounded square holds it.
 */
function colourAt(x, y, maskable) {
  const dx = x - 0.5;
  const dy = y - 0.5;
  const r = Math.hypot(dx, dy);
  const outer = maskable ? 0.3 : 0.38;
  if (r < outer * 0.88) {
    const turn = (Math.atan2(dx, -dy) / (2 * Math.PI) + 1) % 1; // clockwise from the top
    return TONES[Math.floor(turn * TONES.length)];
  }
  if (r < outer) return RING;
  if (maskable) return BLUE;
  const corner = 0.2;
  const qx = Math.max(Math.abs(dx) - (0.5 - corner), 0);
  const qy = Math.max(Math.abs(dy) - (0.5 - corner), 0);
  return Math.hypot(qx, qy) <= corner ? BLUE : null;
}

/** RGBA pixels of a `size`-square icon, each the average of its samples. */
function draw(size, maskable) {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const c = colourAt((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size, maskable);
          if (!c) continue;
          for (let i = 0; i < 3; i++) sum[i] += c[i];
          sum[3] += 255;
        }
      }
      const n = SAMPLES * SAMPLES;
      const covered = sum[3] / 255;
      const at = (py * size + px) * 4;
      for (let i = 0; i < 3; i++) rgba[at + i] = covered ? Math.round(sum[i] / covered) : 0;
      rgba[at + 3] = Math.round(sum[3] / n);
    }
  }
  return rgba;
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** The PNG of `size`-square `rgba` pixels, the smaller of two lossless encodings: 8-bit RGBA
 * with the Sub filter on every row, which flat colour compresses well with, and, where the icon
 * has at most 256 colours (the antialiased edges of a few flat ones), an indexed PNG of the same
 * pixels (a palette, most frequent colour first, with its alpha in tRNS; rows unfiltered). */
function png(size, rgba) {
  const encodings = [rgbaPng(size, rgba), indexedPng(size, rgba)].filter(Boolean);
  return encodings.reduce((best, next) => (next.length < best.length ? next : best));
}

function pngFile(size, colourType, rows, extra = []) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, colourType, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    ...extra,
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function rgbaPng(size, rgba) {
  const stride = size * 4;
  const rows = Buffer.alloc(size * (stride + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (stride + 1);
    rows[row] = 1;
    for (let i = 0; i < stride; i++) {
      rows[row + 1 + i] = rgba[y * stride + i] - (i >= 4 ? rgba[y * stride + i - 4] : 0);
    }
  }
  return pngFile(size, 6, rows);
}

/** The indexed PNG, or null where the pixels have more than 256 colours. */
function indexedPng(size, rgba) {
  const counts = new Map();
  for (let at = 0; at < rgba.length; at += 4) {
    const colour = rgba.readUInt32BE(at);
    counts.set(colour, (counts.get(colour) ?? 0) + 1);
  }
  if (counts.size > 256) return null;
  const palette = [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a));
  const index = new Map(palette.map((colour, i) => [colour, i]));
  const rows = Buffer.alloc(size * (size + 1));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) rows[y * (size + 1) + 1 + x] = index.get(rgba.readUInt32BE((y * size + x) * 4));
  }
  const plte = Buffer.alloc(palette.length * 3);
  const trns = Buffer.alloc(palette.length);
  palette.forEach((colour, i) => {
    plte.set([colour >>> 24, (colour >>> 16) & 0xff, (colour >>> 8) & 0xff], i * 3);
    trns[i] = colour & 0xff;
  });
  return pngFile(size, 3, rows, [chunk('PLTE', plte), chunk('tRNS', trns)]);
}

mkdirSync(OUT, { recursive: true });
for (const [name, size, maskable] of [['icon-192.png', 192, false], ['icon-512.png', 512, false], ['icon-maskable-512.png', 512, true]]) {
  const bytes = png(size, draw(size, maskable));
  writeFileSync(path.join(OUT, name), bytes);
  console.log(`www/icons/${name}: ${size}x${size}, ${bytes.length} bytes`);
}
