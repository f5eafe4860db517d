// Draws one analysis: retake advice, or the triage level, the estimated tone, the conditions and
// the per-tone table and where the model looked. The engine decides everything; this only words it in the page's language.
// Retake advice, condition names and the disclaimer come from the engine in English; the other
// languages' message files translate them by code (`quality.*`, `class.*`, `disclaimer.result`).
import { t, has, percent } from './i18n.js';
import { renderHeatmap } from './heatmap-view.js';

const $ = (id) => document.getElementById(id);
export const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI'];

/** What each mode's model was trained on, for the result note. */
const TRAINED_ON = { photo: 'result.trained_photo', dermoscopy: 'result.trained_dermoscopy' };

/** The analysis drawn into the check view. */
export function renderAnalysis(analysis) {
  $('retake-problems').replaceChildren(...analysis.quality.problems.map((p) => {
    const item = document.createElement('li');
    item.dataset.code = p.code;
    item.textContent = has(`quality.${p.code}`) ? t(`quality.${p.code}`) : p.message;
    return item;
  }));
  $('retake').hidden = analysis.quality.ok;
  $('classes').replaceChildren(...analysis.classes.map(conditionItem));
  renderHeatmap(analysis, $('preview'));
  renderTriage(analysis.triage);
  renderTone(analysis.tone);
  renderMalignancy(analysis.malignancy);
  renderPerTone(analysis);
  $('model-id').textContent = analysis.model.id;
  $('model-data').textContent = TRAINED_ON[analysis.mode] ? t(TRAINED_ON[analysis.mode]) : analysis.mode;
  $('result').dataset.mode = analysis.mode;
  $('result-disclaimer').textContent = has('disclaimer.result') ? t('disclaimer.result') : analysis.disclaimer;
  $('result').hidden = !analysis.quality.ok;
}

/** One sentence for screen readers and the status line: the triage level, or "retake". */
export function summary(analysis) {
  if (!analysis.quality.ok) return t('status.retake');
  if (analysis.triage) return `${t(`triage.${analysis.triage.level}`)}. ${t(`triage.${analysis.triage.level}.advice`)}`;
  return t('status.result');
}

function conditionItem(c) {
  const item = document.createElement('li');
  item.dataset.code = c.code;
  item.dataset.probability = String(c.probability);
  const name = document.createElement('span');
  name.textContent = conditionName(c);
  const pct = document.createElement('span');
  pct.className = 'pct';
  pct.textContent = percent(c.probability);
  const bar = document.createElement('span');
  bar.className = 'bar';
  bar.setAttribute('aria-hidden', 'true');
  const fill = document.createElement('span');
  fill.style.width = `${(c.probability * 100).toFixed(1)}%`;
  bar.append(fill);
  item.append(name, pct, bar);
  return item;
}

/** The triage level first, in plain words, with every reason behind it. */
function renderTriage(triage) {
  fillTriage($('triage'), triage);
}

/**
 * Words `triage` (`{ level, reasons }`) into `box`, which holds `.level`, `.advice` and
 * `.reasons`; hides the box without a triage.
 */
export function fillTriage(box, triage) {
  box.hidden = !triage;
  if (!triage) return;
  box.dataset.level = triage.level;
  box.querySelector('.level').textContent = t(`triage.${triage.level}`);
  box.querySelector('.advice').textContent = t(`triage.${triage.level}.advice`);
  box.querySelector('.reasons').replaceChildren(...triage.reasons.map((code) => {
    const item = document.createElement('li');
    item.dataset.code = code;
    item.textContent = t(`triage.reason.${code}`);
    return item;
  }));
}

/** A new triage box (as in the check view) worded for `triage`. */
export function triageBox(triage) {
  const box = document.createElement('div');
  box.className = 'triage';
  for (const [tag, name] of [['p', 'level'], ['p', 'advice'], ['ul', 'reasons']]) {
    const part = document.createElement(tag);
    part.className = name;
    box.append(part);
  }
  fillTriage(box, triage);
  return box;
}

/** The operating-point decision the engine made, in words. */
function renderMalignancy(malignancy) {
  const box = $('malignancy');
  box.hidden = !malignancy;
  if (!malignancy) return;
  box.dataset.flagged = String(malignancy.flagged);
  box.textContent = malignancyText(malignancy);
}

/** The estimated skin tone in words with its Monk swatch, or "couldn't tell". */
function renderTone(tone) {
  const box = $('tone');
  box.dataset.fitzpatrick = tone?.fitzpatrick ?? 'unknown';
  box.dataset.method = tone?.method ?? '';
  const swatch = $('swatch');
  swatch.hidden = !tone?.monk_swatch;
  if (tone?.monk_swatch) swatch.style.backgroundColor = `rgb(${tone.monk_swatch.join(',')})`;
  $('tone-text').textContent = toneText(tone);
}

/** A synthetic rendering drawn on a canvas, labelled as synthetic for people and screen readers. */
export function renderingFigure({ fitzpatrick, width, height, rgba }) {
  const figure = document.createElement('figure');
  figure.className = 'rendering';
  figure.dataset.fitzpatrick = String(fitzpatrick);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', t('rendering.label', { type: ROMAN[fitzpatrick - 1] }));
  canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
  const caption = document.createElement('figcaption');
  caption.textContent = t('rendering.synthetic');
  figure.append(canvas, caption);
  return figure;
}

/** The "little real evidence" mark beside figures from too few real photos. */
export function lowEvidenceMark() {
  const mark = document.createElement('strong');
  mark.className = 'low-evidence';
  mark.textContent = ` ${t('evidence.little')}`;
  return mark;
}

/** A bar for a malignancy confidence with the screening threshold marked on it. */
function meter(probability, threshold, flagged) {
  const bar = document.createElement('span');
  bar.className = 'meter';
  bar.dataset.flagged = String(flagged);
  bar.setAttribute('aria-hidden', 'true');
  const fill = document.createElement('span');
  fill.className = 'fill';
  fill.style.width = `${(probability * 100).toFixed(1)}%`;
  const mark = document.createElement('span');
  mark.className = 'threshold';
  mark.style.left = `${(threshold * 100).toFixed(1)}%`;
  bar.append(fill, mark);
  return bar;
}

/**
 * The per-tone table: the engine's answer on each synthetic rendering beside the model card's
 * figures on real photos of that tone; the person's own estimated tone is highlighted.
 */
function renderPerTone(analysis) {
  const results = analysis.per_tone ?? [];
  $('per-tone').hidden = results.length === 0;
  $('per-tone-warning').hidden = analysis.consistent !== false;
  $('per-tone-rows').replaceChildren(...perToneRows(analysis));
}

/**
 * One row per tone of `analysis.per_tone`: the tone (with its synthetic rendering where the
 * analysis still carries it), the answer on it and the real-photo evidence.
 */
export function perToneRows(analysis) {
  const own = analysis.tone?.fitzpatrick;
  const threshold = analysis.malignancy?.threshold;
  return (analysis.per_tone ?? []).map((r) => {
    const row = document.createElement('tr');
    row.dataset.fitzpatrick = String(r.fitzpatrick);
    if (r.malignancy != null) row.dataset.malignancy = String(r.malignancy);
    if (r.fitzpatrick === own) {
      row.classList.add('own');
      row.setAttribute('aria-current', 'true');
    }
    const tone = document.createElement('th');
    tone.scope = 'row';
    tone.textContent = `Fitzpatrick ${ROMAN[r.fitzpatrick - 1]}${r.fitzpatrick === own ? ` ${t('per_tone.yours')}` : ''}`;
    const rendering = (analysis.renderings ?? []).find((x) => x.fitzpatrick === r.fitzpatrick);
    if (rendering) tone.append(renderingFigure(rendering));
    const answer = document.createElement('td');
    answer.className = 'answer';
    if (r.malignancy == null) {
      const top = r.top_classes[0];
      answer.textContent = `${top ? (has(`class.${top.code}`) ? t(`class.${top.code}`) : top.name) : ''} (${t('rendering.synthetic')})`;
    } else {
      answer.textContent = `${percent(r.malignancy)}${r.flagged ? `, ${t('per_tone.flagged')}` : ''} (${t('rendering.synthetic')})`;
      if (threshold != null) answer.append(meter(r.malignancy, threshold, r.flagged));
    }
    const evidence = document.createElement('td');
    evidence.className = 'evidence';
    const e = r.evidence;
    if (!e) {
      evidence.textContent = t('per_tone.no_evidence');
    } else {
      const figure = (v) => (v == null ? '–' : percent(v));
      evidence.textContent = t('per_tone.evidence', {
        n: e.real_n, sensitivity: figure(e.sensitivity), auroc: e.auroc == null ? '–' : e.auroc.toFixed(2),
      });
      evidence.dataset.realN = String(e.real_n);
      if (e.low_evidence) evidence.append(lowEvidenceMark());
    }
    row.append(tone, answer, evidence);
    return row;
  });
}

/** A condition's name in the page's language (the engine's English name where none). */
export function conditionName(c) {
  return has(`class.${c.code}`) ? t(`class.${c.code}`) : c.name;
}

/** The malignancy decision in words, or `null` without one. */
export function malignancyText(malignancy) {
  if (!malignancy) return null;
  const figures = { probability: percent(malignancy.probability), threshold: percent(malignancy.threshold) };
  return t(malignancy.flagged ? 'malignancy.flagged' : 'malignancy.below', figures);
}

/** The estimated skin tone in words. */
export function toneText(tone) {
  if (!tone || tone.fitzpatrick == null) return t(tone?.confidence?.colour_cast ? 'tone.unknown_cast' : 'tone.unknown_skin');
  return t('tone.known', {
    type: ROMAN[tone.fitzpatrick - 1],
    monk: tone.monk ? t('tone.monk', { monk: tone.monk }) : '',
    how: t(tone.method === 'learned' ? 'tone.learned' : 'tone.ita'),
    confidence: t(`tone.confidence.${tone.confidence.level}`),
  });
}
