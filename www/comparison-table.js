// Draws the engine's comparison of two analyses of one mark: one table row per measure with its
// older and newer value and the direction of change in an arrow and in words (never colour
// alone), and the comparison's two notes. The engine measured and judged everything; this only
// words it in the page's language.
import { t, has, percent, number } from './i18n.js';
import { scrollBox } from './table-scroll.js';

/** How each measure's values are written: shares as percentages, the rest as plain numbers. */
const FORMAT = {
  asymmetry: (v) => number(v, 2),
  border_irregularity: (v) => number(v, 2),
  colour_variegation: (v) => number(v, 1),
  frame_share: (v) => percent(v),
  malignancy: (v) => percent(v),
};
const ARROWS = { up: '↑', down: '↓', same: '=' };

/** A signed change in the measure's own units ("+0.12", "−3.4 %"). */
function signed(code, change) {
  const text = (FORMAT[code] ?? ((v) => number(v, 2)))(Math.abs(change));
  if (change > 0) return `+${text}`;
  if (change < 0) return `−${text}`;
  return text;
}

/** The table's rows for `comparison.measures`. */
export function measureRows(comparison) {
  return comparison.measures.map((m) => {
    const row = document.createElement('tr');
    row.dataset.code = m.code;
    row.dataset.direction = m.direction;
    row.dataset.large = String(m.large);
    const name = document.createElement('th');
    name.scope = 'row';
    name.textContent = has(`measure.${m.code}`) ? t(`measure.${m.code}`) : m.code;
    if (has(`measure.${m.code}.hint`)) {
      const hint = document.createElement('span');
      hint.className = 'hint';
      hint.textContent = t(`measure.${m.code}.hint`);
      name.append(hint);
    }
    const format = FORMAT[m.code] ?? ((v) => number(v, 2));
    const old = document.createElement('td');
    old.textContent = format(m.old);
    const next = document.createElement('td');
    next.textContent = format(m.new);
    const change = document.createElement('td');
    change.className = 'change';
    const arrow = document.createElement('span');
    arrow.className = 'arrow';
    arrow.setAttribute('aria-hidden', 'true');
    arrow.textContent = ARROWS[m.direction] ?? '';
    const words = document.createElement('span');
    words.textContent = m.direction === 'same'
      ? t('compare.same')
      : t(`compare.${m.direction}`, { change: signed(m.code, m.change) });
    change.append(arrow, ' ', words);
    if (m.large) {
      const large = document.createElement('strong');
      large.className = 'large';
      large.textContent = ` ${t('compare.large')}`;
      change.append(large);
    }
    row.append(name, old, next, change);
    return row;
  });
}

/** The comparison's size note in words (by its code; the engine's English where none). */
export function sizeNote(comparison) {
  return has(`compare.note.${comparison.size_note}`) ? t(`compare.note.${comparison.size_note}`) : comparison.size_note_text;
}

/** The comparison's change note in words (by its code; the engine's English where none). */
export function changeNote(comparison) {
  return has(`compare.note.${comparison.change_note}`) ? t(`compare.note.${comparison.change_note}`) : comparison.change_note_text;
}

/** A note when the two photos were analysed by different classifiers, else `null`. */
export function modelsNote(comparison) {
  const [old, next] = comparison.models ?? [];
  return old && next && old !== next ? t('compare.models_differ', { old, new: next }) : null;
}

/**
 * A complete comparison table (caption, head with the two days, rows) inside a box that
 * scrolls sideways by itself on a narrow screen.
 */
export function comparisonTable(comparison, oldDay, newDay, captionId) {
  const table = document.createElement('table');
  table.className = 'compare-table';
  const caption = table.createCaption();
  caption.id = captionId;
  caption.textContent = t('compare.caption');
  const head = table.createTHead().insertRow();
  for (const text of [t('compare.col_measure'), oldDay, newDay, t('compare.col_change')]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = text;
    head.append(th);
  }
  table.createTBody().append(...measureRows(comparison));
  return scrollBox(table, { labelId: captionId });
}
