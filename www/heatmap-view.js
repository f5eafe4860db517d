// Draws the engine's heatmap (where the model looked for its most likely class) over the photo,
// with the same colours as `dermtone analyze --heatmap`: transparent where the map is 0, through
// yellow to red where it is 1, at most 60 % opaque. The words beside it say where the peak is
// and that this is not a diagnosis; the engine chose everything, this only draws it.
import { t, has } from './i18n.js';

const $ = (id) => document.getElementById(id);
/** Widest the drawing gets, in CSS pixels (the photo shrinks to fit a phone). */
const MAX_WIDTH = 320;
/** Counts drawings, so that a photo still decoding never paints over a newer result. */
let drawings = 0;

/** The heatmap section for `analysis`, drawn over `photo` (the preview image); hidden without a map. */
export async function renderHeatmap(analysis, photo) {
  const drawing = ++drawings;
  const section = $('heatmap');
  const map = analysis.heatmap;
  section.hidden = !map;
  if (!map) return;
  section.dataset.region = map.region;
  section.dataset.peak = map.peak.join(',');
  const top = analysis.classes.find((c) => c.code === map.class);
  const condition = has(`class.${map.class}`) ? t(`class.${map.class}`) : top?.name ?? map.class;
  const sentence = t('heatmap.text', { condition, region: t(`heatmap.region.${map.region}`) });
  $('heatmap-text').textContent = sentence;
  const canvas = $('heatmap-canvas');
  canvas.setAttribute('aria-label', `${sentence} ${t('heatmap.caveat')}`);
  await photo.decode().catch(() => {});
  if (!photo.naturalWidth || drawing !== drawings) return;
  const scale = Math.min(1, MAX_WIDTH / photo.naturalWidth);
  canvas.width = Math.round(photo.naturalWidth * scale);
  canvas.height = Math.round(photo.naturalHeight * scale);
  const context = canvas.getContext('2d');
  context.drawImage(photo, 0, 0, canvas.width, canvas.height);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(mapImage(map), 0, 0, canvas.width, canvas.height);
}

/** The map as a tiny canvas of coloured, partly transparent cells, smoothed when scaled up. */
function mapImage({ width, height, values }) {
  const cells = document.createElement('canvas');
  cells.width = width;
  cells.height = height;
  const context = cells.getContext('2d');
  const pixels = context.createImageData(width, height);
  values.forEach((v, i) => {
    pixels.data.set([255 - 55 * v, 230 * (1 - v), 40 * (1 - v), Math.round(255 * 0.6 * v)], i * 4);
  });
  context.putImageData(pixels, 0, 0);
  return cells;
}
