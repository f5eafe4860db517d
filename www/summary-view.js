// The summary to take to a clinician (`#summary`: the result now shown; `#summary/<mark id>`
// or `#summary/<mark id>/<entry>,<entry>`: photos of a saved mark, by default the oldest and the
// newest). One printable page made on this device: the photos and their days, each triage, the
// per-tone table, the engine's comparison of two photos, the models' ids with their cards'
// real-photo figures, and the disclaimer. "Print / save as PDF" calls the browser's print; the
// print style sheet leaves only this, in black and white.
import { t, day, percent } from './i18n.js';
import { compare } from './engine-client.js';
import { readAll, byDate } from './history-store.js';
import { triageBox, perToneRows, conditionName, malignancyText, toneText } from './result-view.js';
import { comparisonTable, sizeNote, changeNote, modelsNote } from './comparison-table.js';
import { evidenceTable } from './about.js';
import { photoFigure } from './compare-view.js';
import { scrollBox } from './table-scroll.js';
import { storageMessage } from './storage-message.js';

const $ = (id) => document.getElementById(id);
/** What is summarised: `{ name, entries, comparison, failure }`, or `{ refusal }`. */
let shown = null;
let urls = [];
let ticket = 0;
let source = { engineReady: Promise.resolve(), current: () => null, cards: () => [], needCards: () => Promise.resolve() };

/**
 * Wires the print button. `engineReady` resolves once the worker can compare; `current()` gives
 * the result now shown (`{ analysis, photo, models, date }`, or `null`); `cards()` the models'
 * cards; `needCards(ids)` resolves once those of the models `ids` are loaded, where they can be.
 */
export function startSummary(options) {
  source = { ...source, ...options };
  $('summary-print').addEventListener('click', () => window.print());
}

/** Shows the summary for `argument` (see above); resolves once drawn. */
export async function showSummary(argument) {
  const mine = ++ticket;
  document.body.dataset.summary = 'busy';
  shown = null;
  drawSummary();
  let next;
  try {
    next = argument ? await savedMark(argument) : currentResult();
  } catch (error) {
    next = { refusal: { storage: error } };
  }
  if (mine !== ticket) return;
  if (next.entries) await source.needCards(next.entries.map((entry) => entry.analysis.model.id));
  if (mine !== ticket) return;
  shown = next;
  if (shown.entries?.length === 2) {
    drawSummary();
    try {
      await source.engineReady;
      shown.comparison = await compare(shown.entries[0].analysis, shown.entries[1].analysis);
    } catch (error) {
      shown.failure = error.message;
    }
    if (mine !== ticket) return;
  }
  drawSummary();
  document.body.dataset.summary = 'done';
}

function currentResult() {
  const result = source.current();
  if (!result) return { refusal: { key: 'summary.nothing' } };
  return { name: null, entries: [{ ...result, id: 'current' }] };
}

/** The mark `id` and the entries `a,b` of `argument` (`<id>` or `<id>/<a>,<b>`). */
async function savedMark(argument) {
  const [id, picked] = argument.split('/');
  const mark = (await readAll()).find((m) => String(m.id) === id);
  if (!mark) return { refusal: { key: 'compare.no_mark' } };
  const wanted = (picked ?? '').split(',').filter(Boolean);
  let entries = mark.entries.filter((e) => wanted.includes(String(e.id)));
  if (entries.length === 0) entries = [...new Set([mark.entries[0], mark.entries.at(-1)])];
  return { name: mark.name, entries: entries.slice(0, 2).sort(byDate) };
}

/** (Re)draws the summary in the current language. */
export function drawSummary() {
  urls.forEach((url) => URL.revokeObjectURL(url));
  urls = [];
  const refusal = shown?.refusal;
  $('summary-error').hidden = !refusal;
  $('summary-error').textContent = !refusal ? '' : refusal.storage ? storageMessage(refusal.storage) : t(refusal.key);
  $('summary-print').disabled = !shown || Boolean(refusal);
  if (!shown || refusal) {
    $('summary-body').replaceChildren();
    return;
  }
  const parts = [meta(shown)];
  if (shown.entries.length === 2) parts.push(comparisonPart(shown));
  parts.push(...shown.entries.map((entry, i) => entryPart(entry, i)));
  parts.push(modelsPart(shown.entries), disclaimerPart());
  $('summary-body').replaceChildren(...parts);
}

function element(tag, text, className) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = text;
  if (className) e.className = className;
  return e;
}

/** Who and when: the mark's name, the days and the day the summary was made. */
function meta({ name, entries }) {
  const list = element('dl', null, 'summary-meta');
  const fact = (key, value) => list.append(element('dt', t(key)), element('dd', value));
  if (name) fact('summary.mark', name);
  fact('summary.dates', entries.map((e) => day(e.date)).join(' · '));
  fact('summary.made', t('summary.made_text', { date: day(new Date().toISOString().slice(0, 10)) }));
  return list;
}

function comparisonPart({ entries, comparison, failure }) {
  const section = element('section', null, 'summary-compare');
  section.append(element('h3', t('summary.change', { first: day(entries[0].date), second: day(entries[1].date) })));
  if (!comparison) {
    section.append(element('p', failure ? t('compare.failed', { reason: failure }) : t('compare.working'), failure ? 'error' : 'status'));
    return section;
  }
  section.dataset.changed = String(comparison.changed);
  if (comparison.triage) section.append(triageBox(comparison.triage));
  section.append(comparisonTable(comparison, day(entries[0].date), day(entries[1].date), 'summary-compare-caption'));
  section.append(element('p', sizeNote(comparison), 'note'));
  const models = modelsNote(comparison);
  if (models) section.append(element('p', models, 'note'));
  section.append(element('p', changeNote(comparison), 'note strong'));
  return section;
}

/** One photo: the image and day, its triage, tone, conditions and per-tone table. */
function entryPart(entry, index) {
  const { analysis } = entry;
  const section = element('section', null, 'summary-entry');
  section.dataset.entry = String(entry.id);
  const heading = element('h3', t('summary.photo', { date: day(entry.date) }));
  heading.id = `summary-photo-${index}`;
  section.append(heading);
  section.append(photoFigure(entry, shown.name ?? t('summary.this_mark'), urls));
  if (analysis.triage) section.append(triageBox(analysis.triage));
  const malignancy = malignancyText(analysis.malignancy);
  if (malignancy) section.append(element('p', malignancy));
  section.append(element('p', `${t('result.tone')} ${toneText(analysis.tone)}`));
  const conditions = element('ol', null, 'summary-classes');
  conditions.append(...analysis.classes.slice(0, 3).map((c) => element('li', `${conditionName(c)}: ${percent(c.probability)}`)));
  section.append(element('h4', t('result.conditions')), conditions);
  if (analysis.per_tone?.length) {
    const captionId = `summary-per-tone-${index}`;
    const table = element('table', null, 'per-tone-table');
    const caption = table.createCaption();
    caption.id = captionId;
    caption.textContent = t('per_tone.heading');
    const head = table.createTHead().insertRow();
    for (const key of ['per_tone.col_tone', 'per_tone.col_answer', 'per_tone.col_evidence']) {
      const th = element('th', t(key));
      th.scope = 'col';
      head.append(th);
    }
    table.createTBody().append(...perToneRows({ ...analysis, renderings: [] }));
    // Named by its caption and its photo's day: each photo's table is a region of its own.
    section.append(scrollBox(table, { labelId: `${captionId} ${heading.id}` }));
    if (analysis.consistent === false) section.append(element('p', t('per_tone.warning'), 'strong'));
  }
  section.append(element('p', t('summary.model', { id: analysis.model.id, sha: analysis.model.sha256?.slice(0, 12) ?? '–' }), 'note'));
  return section;
}

/** Every model the photos were analysed with, and the classifiers' real-photo figures by tone. */
function modelsPart(entries) {
  const section = element('section', null, 'summary-models');
  section.append(element('h3', t('summary.models')));
  const models = new Map();
  for (const entry of entries) for (const m of entry.models ?? []) models.set(m.id, m);
  const list = element('ul', null, 'summary-model-list');
  for (const m of models.values()) {
    const item = element('li', `${t(`about.task.${m.task}`)}: ${m.id}${m.sha256 ? ` (sha256 ${m.sha256.slice(0, 12)}…)` : ''}`);
    item.dataset.model = m.id;
    list.append(item);
  }
  section.append(list);
  const cards = source.cards();
  for (const id of new Set(entries.map((e) => e.analysis.model.id))) {
    const card = cards.find((c) => c.entry.id === id)?.card;
    if (!card) {
      section.append(element('p', t('summary.no_card', { id }), 'note'));
      continue;
    }
    const table = evidenceTable(card);
    if (!table) continue;
    const captionId = `summary-evidence-${id}`;
    const caption = table.createCaption();
    caption.id = captionId;
    caption.textContent = t('summary.evidence', { id });
    table.dataset.model = id;
    section.append(scrollBox(table, { labelId: captionId }));
  }
  return section;
}

/** The page's disclaimer, its title in bold, as on every view. */
function disclaimerPart() {
  const box = element('p', null, 'disclaimer summary-disclaimer');
  box.append(element('strong', t('disclaimer.title')), ' ', t('disclaimer.body'));
  return box;
}
