// "About this model": the shipped models' cards, read from models/ and drawn as the page's own
// words around the cards' figures. The cards' own sentences (limits, licences) are shown as
// written, in English.
import { t, percent } from './i18n.js';
import { lowEvidenceMark } from './result-view.js';
import { scrollBox } from './table-scroll.js';

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI'];
/** The order the cards are shown in: the two classifiers, then the generator and the tone model. */
const TASKS = ['photo', 'dermoscopy', 'generator', 'tone'];

/** The cards the page needs from the start: those of the models every plain-photo check runs.
 * The dermatoscope model's card is saved for offline use with its weights, when first used
 * (scripts/precache.mjs): until then, offline, About says so in its place. */
const AT_START = new Set(['photo', 'generator', 'tone']);

/**
 * The shipped models' manifest entries with their cards, `[{ entry, card }]` in display order:
 * those in AT_START, or with `all` every one, its `card` null when it cannot be had (no
 * connection and not saved on this device).
 */
export async function loadCards({ all = false } = {}) {
  const response = await fetch('models/manifest.json');
  if (!response.ok) throw new Error(`could not load models/manifest.json (${response.status})`);
  const { models } = await response.json();
  const shown = TASKS.filter((task) => all || AT_START.has(task))
    .flatMap((task) => models.filter((m) => m.task === task && m.card));
  return Promise.all(shown.map(async (entry) => {
    const card = await fetch(`models/${entry.card}`).catch((error) => {
      if (AT_START.has(entry.task)) throw error;
      return null;
    });
    if (!card) return { entry, card: null };
    if (!card.ok) throw new Error(`could not load models/${entry.card} (${card.status})`);
    return { entry, card: await card.json() };
  }));
}

/** The card of the model for `task`, if shipped. */
export function cardFor(cards, task) {
  return cards.find((c) => c.entry.task === task)?.card;
}

/** A table of a classifier card's real-photo evidence per Fitzpatrick type; `null` without any. */
export function evidenceTable(card) {
  const groups = card?.evidence?.groups;
  if (!groups) return null;
  const table = document.createElement('table');
  table.className = 'evidence-table';
  const head = table.createTHead().insertRow();
  for (const key of ['evidence.tone', 'evidence.n', 'evidence.sensitivity', 'evidence.specificity', 'evidence.auroc']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = t(key);
    head.append(th);
  }
  const body = table.createTBody();
  for (const type of [1, 2, 3, 4, 5, 6]) {
    const group = groups[String(type)];
    if (!group) continue;
    const row = body.insertRow();
    row.dataset.fitzpatrick = String(type);
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = `Fitzpatrick ${ROMAN[type - 1]}`;
    row.append(th);
    const figure = (v) => (v == null ? '–' : percent(v));
    const n = document.createElement('td');
    n.textContent = String(group.n);
    if (group.low_evidence) n.append(lowEvidenceMark());
    row.append(n);
    for (const text of [figure(group.sensitivity), figure(group.specificity), group.auroc == null ? '–' : group.auroc.toFixed(2)]) {
      const td = document.createElement('td');
      td.textContent = text;
      row.append(td);
    }
  }
  return table;
}

/**
 * A table of the images a card's model was trained on per Fitzpatrick group, real photos and
 * synthetic images apart, so a model trained partly on synthetic images says so; `null` for a
 * card without one.
 */
export function compositionTable(card) {
  const groups = card?.data?.training_composition_by_tone;
  if (!groups) return null;
  const table = document.createElement('table');
  table.className = 'evidence-table composition-table';
  const head = table.createTHead().insertRow();
  for (const key of ['composition.group', 'composition.real', 'composition.synthetic']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = t(key);
    head.append(th);
  }
  const body = table.createTBody();
  for (const [group, counts] of Object.entries(groups)) {
    const row = body.insertRow();
    row.dataset.group = group;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = group === 'unknown' ? t('composition.unknown') : `Fitzpatrick ${group}`;
    row.append(th);
    for (const count of [counts.real, counts.synthetic]) {
      const td = document.createElement('td');
      td.textContent = String(count ?? '–');
      row.append(td);
    }
  }
  return table;
}

/** Draws every card into `container` (a note in place of one that could not be had). */
export function renderAbout(container, cards) {
  container.replaceChildren(...cards.map(({ entry, card }) => {
    const section = document.createElement('section');
    section.className = 'card';
    section.dataset.model = entry.id;
    const heading = document.createElement('h3');
    heading.textContent = `${t(`about.task.${entry.task}`)} — ${entry.id}`;
    section.append(heading);
    if (!card) {
      const note = document.createElement('p');
      note.className = 'note card-not-saved';
      note.textContent = t('about.card_not_saved');
      section.append(note);
      return section;
    }
    const facts = document.createElement('dl');
    const fact = (key, value) => {
      if (value == null || value === '') return;
      const dt = document.createElement('dt');
      dt.textContent = t(key);
      const dd = document.createElement('dd');
      dd.textContent = value;
      facts.append(dt, dd);
    };
    fact('about.use', card.intended_use ?? card.purpose);
    fact('about.data', card.data?.name);
    fact('about.licence', card.data?.licence);
    fact('about.status', card.status);
    fact('about.size', `${(entry.bytes / 1024).toFixed(0)} KiB (int8), sha256 ${entry.sha256.slice(0, 12)}…`);
    section.append(facts);
    // Wide tables scroll inside their own box: on a phone the page itself never scrolls sideways.
    const table = evidenceTable(card);
    if (table) {
      const caption = document.createElement('h4');
      caption.id = `about-evidence-${entry.id}`;
      caption.textContent = t('about.evidence');
      section.append(caption, scrollBox(table, { labelId: caption.id }));
    }
    const composition = compositionTable(card);
    if (composition) {
      const caption = document.createElement('h4');
      caption.id = `about-composition-${entry.id}`;
      caption.textContent = t('about.composition');
      section.append(caption, scrollBox(composition, { labelId: caption.id }));
    }
    const limits = card.known_limits ?? [];
    if (limits.length) {
      const caption = document.createElement('h4');
      caption.textContent = t('about.limits');
      const list = document.createElement('ul');
      list.append(...limits.map((limit) => Object.assign(document.createElement('li'), { textContent: limit })));
      section.append(caption, list);
    }
    return section;
  }));
}
