// "Keep this result" under a result: with the history switched on, the person names the mark
// and the day the photo was taken, and the photo, the analysis and the models' ids are saved on
// this device (history-store.js). With it off there is no form, only a link to the switch.
import { t } from './i18n.js';
import { historyOn, onHistorySetting } from './history-setting.js';
import { addEntry, readAll } from './history-store.js';
import { storageMessage } from './storage-message.js';

const $ = (id) => document.getElementById(id);
/** The result on offer: `{ analysis, photo, models, saved }`; `saved` is `{ name, markId, count }` once kept. */
let current = null;
/** What the status line says (a key and its parameters), said again on a language switch. */
let said = null;
let notify = () => {};

/** Wires the form; `onSaved()` is called after every save (the history view redraws). */
export function startSave(onSaved) {
  notify = onSaved;
  $('save-form').addEventListener('submit', (event) => {
    event.preventDefault();
    save();
  });
  onHistorySetting(() => drawSave());
}

/** Offers `result` (`{ analysis, photo: Blob, models }`) for saving; `null` withdraws the offer. */
export function offerSave(result) {
  current = result && { ...result, saved: null };
  said = null;
  $('save-error').hidden = true;
  $('save-date').value = today();
  drawSave();
}

/** (Re)draws the save part in the current language and the switch's state. */
export function drawSave() {
  const on = historyOn();
  $('save-off').hidden = on;
  $('save-form').hidden = !on || !current || Boolean(current.saved);
  $('save-date').max = today();
  if (!on && !current?.saved) said = null;
  drawStatus();
  if (on && current && !current.saved) fillNames();
}

function drawStatus() {
  const status = $('save-status');
  if (!said) {
    status.replaceChildren();
    return;
  }
  const text = document.createTextNode(`${t(said.key, said.params)} `);
  status.replaceChildren(text);
  if (said.link) {
    const link = document.createElement('a');
    link.href = said.link.href;
    link.textContent = t(said.link.key);
    status.append(link);
  }
}

/** The datalist of marks already kept, so a second photo goes to the same mark. */
async function fillNames() {
  try {
    const marks = await readAll();
    $('save-names').replaceChildren(...marks.map((m) => Object.assign(document.createElement('option'), { value: m.name })));
  } catch (error) {
    showError(error);
  }
}

function showError(error) {
  $('save-error').textContent = storageMessage(error);
  $('save-error').hidden = false;
}

async function save() {
  if (!current || current.saved || !historyOn()) return;
  const name = $('save-name').value.trim();
  const date = $('save-date').value;
  $('save-error').hidden = true;
  if (!name || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    $('save-error').textContent = t('save.invalid');
    $('save-error').hidden = false;
    return;
  }
  const offered = current;
  $('save-button').disabled = true;
  try {
    const entry = {
      date,
      saved: new Date().toISOString(),
      mode: offered.analysis.mode,
      models: offered.models,
      analysis: storedAnalysis(offered.analysis),
      photo: offered.photo,
    };
    const markId = await addEntry(name, entry);
    const count = (await readAll()).find((m) => m.id === markId)?.entries.length ?? 1;
    offered.saved = { name, markId, count };
    if (offered !== current) return;
    said = {
      key: 'save.saved',
      params: { name, count },
      link: count >= 2 ? { href: `#compare/${markId}`, key: 'save.compare' } : null,
    };
    drawSave();
    // The form (and the button just pressed) is gone: the keyboard carries on from what was said.
    ($('save-status').querySelector('a') ?? $('save-status')).focus();
    notify();
  } catch (error) {
    showError(error);
  } finally {
    $('save-button').disabled = false;
  }
}

/**
 * The analysis as kept: the worker's object without `renderings`, the six synthetic images
 * (hundreds of kilobytes, made again from the photo whenever needed, and never evidence).
 */
export function storedAnalysis(analysis) {
  const { renderings, ...kept } = analysis;
  return kept;
}

/** Today on this device's calendar, as `YYYY-MM-DD`. */
export function today() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}
