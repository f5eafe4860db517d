// The Compare view (`#compare/<mark id>`): two photos of one mark side by side (any two, by
// default the oldest and the newest) and the engine's comparison of their analyses, computed in
// the worker: each measure's older and newer value with the direction of change, the raised
// triage and the comparison's notes. This view only draws.
import { t, day } from './i18n.js';
import { compare } from './engine-client.js';
import { readAll, byDate } from './history-store.js';
import { fillTriage } from './result-view.js';
import { comparisonTable, sizeNote, changeNote, modelsNote } from './comparison-table.js';
import { storageMessage } from './storage-message.js';

const $ = (id) => document.getElementById(id);
/** What is shown: `{ mark, pair: [older, newer], comparison, failure }`. */
let state = null;
/** Why there is nothing to compare: `{ key, params }`, or `{ storage: error }`; `null` when there is. */
let refusal = null;
let engineReady = Promise.resolve();
let urls = [];
let ticket = 0;

/** Wires the pickers; `ready` resolves once the worker can compare. */
export function startCompare(ready) {
  engineReady = ready;
  for (const id of ['compare-old', 'compare-new']) $(id).addEventListener('change', () => choose());
}

/** Shows mark `argument` (its id); resolves once its comparison is drawn or refused. */
export async function showCompare(argument) {
  const mine = ++ticket;
  const markId = Number(argument);
  state = null;
  refuse(null);
  document.body.dataset.compare = 'busy';
  let mark;
  try {
    mark = (await readAll()).find((m) => m.id === markId);
  } catch (error) {
    if (mine === ticket) refuse({ storage: error });
    return;
  }
  if (mine !== ticket) return;
  if (!mark) {
    refuse({ key: 'compare.no_mark', params: {} });
    return;
  }
  state = { mark, pair: [mark.entries[0], mark.entries.at(-1)], comparison: null, failure: null };
  if (mark.entries.length < 2) {
    refuse({ key: 'compare.need_two', params: { name: mark.name } });
    return;
  }
  await run(mine);
}

/** The pickers changed: compare the two photos chosen, older first. */
function choose() {
  if (!state) return;
  const find = (id) => state.mark.entries.find((e) => String(e.id) === $(id).value);
  state.pair = [find('compare-old'), find('compare-new')].sort(byDate);
  run(++ticket);
}

async function run(mine) {
  const [older, newer] = state.pair;
  state.comparison = null;
  state.failure = null;
  document.body.dataset.compare = 'busy';
  drawCompare();
  $('compare-status').textContent = t('compare.working');
  try {
    await engineReady;
    const comparison = await compare(older.analysis, newer.analysis);
    if (mine !== ticket) return;
    state.comparison = comparison;
  } catch (error) {
    if (mine !== ticket) return;
    state.failure = error.message;
  }
  $('compare-status').textContent = '';
  drawCompare();
  document.body.dataset.compare = state.failure ? 'failed' : 'done';
}

/** Says why nothing can be compared (`null`: clears it). */
function refuse(why) {
  refusal = why;
  $('compare-status').textContent = '';
  drawCompare();
  if (why) document.body.dataset.compare = 'failed';
}

/** An entry's label in the pickers: its day and its place among the mark's photos. */
function entryLabel(entry, mark) {
  return t('compare.entry', { date: day(entry.date), n: mark.entries.indexOf(entry) + 1, count: mark.entries.length });
}

/** (Re)draws the view from `state`, in the current language. */
export function drawCompare() {
  $('compare-body').hidden = !state || Boolean(refusal);
  $('compare-mark').textContent = state ? t('compare.mark', { name: state.mark.name }) : '';
  const refused = !refusal ? null : refusal.storage ? storageMessage(refusal.storage) : t(refusal.key, refusal.params);
  $('compare-error').hidden = !refused;
  $('compare-error').textContent = refused ?? '';
  if (!state || refusal) return;
  const { mark, pair, comparison, failure } = state;
  for (const [id, chosen] of [['compare-old', pair[0]], ['compare-new', pair[1]]]) {
    $(id).replaceChildren(...mark.entries.map((entry) => Object.assign(document.createElement('option'), {
      value: String(entry.id), textContent: entryLabel(entry, mark), selected: entry === chosen,
    })));
  }
  drawPhotos(mark, pair);
  $('compare-summary').href = `#summary/${mark.id}/${pair.map((e) => e.id).join(',')}`;
  $('compare-error').hidden = !failure;
  $('compare-error').textContent = failure ? t('compare.failed', { reason: failure }) : '';
  $('compare-result').hidden = !comparison;
  if (!comparison) return;
  fillTriage($('compare-triage'), comparison.triage ?? null);
  $('compare-table').replaceChildren(comparisonTable(comparison, day(pair[0].date), day(pair[1].date), 'compare-table-caption'));
  $('compare-size-note').textContent = sizeNote(comparison);
  $('compare-change-note').textContent = changeNote(comparison);
  const models = modelsNote(comparison);
  $('compare-models-note').hidden = !models;
  $('compare-models-note').textContent = models ?? '';
}

function drawPhotos(mark, pair) {
  urls.forEach((url) => URL.revokeObjectURL(url));
  urls = [];
  $('compare-photos').replaceChildren(...pair.map((entry) => photoFigure(entry, mark.name, urls)));
}

/** A saved photo with its day as caption; its object URL is pushed on `urls` to revoke later. */
export function photoFigure(entry, name, urls) {
  const figure = document.createElement('figure');
  figure.dataset.entryId = String(entry.id ?? '');
  const image = document.createElement('img');
  const url = URL.createObjectURL(entry.photo);
  urls.push(url);
  image.src = url;
  image.alt = t('compare.photo_alt', { name, date: day(entry.date) });
  const caption = document.createElement('figcaption');
  caption.textContent = day(entry.date);
  figure.append(image, caption);
  return figure;
}
