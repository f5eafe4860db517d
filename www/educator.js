// Educator view: one photo across the six Fitzpatrick types, labelled synthetic, with a download
// of the stamped grid and, beside it, how the plain-photo model did on real photos of each tone.
import { call } from './engine-client.js';
import { t } from './i18n.js';
import { renderingFigure, ROMAN } from './result-view.js';

const $ = (id) => document.getElementById(id);
let lastGrid = null; // { url, renderings } of the newest grid, kept for a language switch

/** Wires the educator's file input; `engineReady` resolves once the worker can render. */
export function startEducator(engineReady) {
  $('educator-file').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    event.target.value = '';
    if (!file) return;
    $('educator-error').hidden = true;
    $('educator-status').textContent = t('educator.rendering');
    document.body.dataset.educator = 'busy';
    try {
      await engineReady;
      const bytes = await file.arrayBuffer();
      const { grid } = await call({ type: 'renderGrid', bytes }, [bytes]);
      showGrid(grid);
      $('educator-status').textContent = t('educator.done');
    } catch (error) {
      $('educator-result').hidden = true;
      $('educator-error').textContent = t('educator.failed', { reason: error.message });
      $('educator-error').hidden = false;
      $('educator-status').textContent = '';
    } finally {
      document.body.dataset.educator = 'idle';
    }
  });
}

function showGrid(grid) {
  if (lastGrid) URL.revokeObjectURL(lastGrid.url);
  const url = URL.createObjectURL(new Blob([grid.png], { type: 'image/png' }));
  lastGrid = { url, renderings: grid.renderings, source: grid.sourceFitzpatrick };
  $('educator-download').href = url;
  drawGrid();
  $('educator-result').hidden = false;
}

/** (Re)draws the newest grid's tiles in the current language. */
export function drawGrid() {
  if (!lastGrid) return;
  $('educator-grid').replaceChildren(...lastGrid.renderings.map((r) => {
    const figure = renderingFigure(r);
    const label = document.createElement('span');
    label.className = 'type';
    label.textContent = `Fitzpatrick ${ROMAN[r.fitzpatrick - 1]}${r.fitzpatrick === lastGrid.source ? ` ${t('educator.source')}` : ''}`;
    figure.querySelector('figcaption').prepend(label, ' · ');
    return figure;
  }));
}
