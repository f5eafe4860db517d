// The History view: the "Keep a history on this device" switch (off by default), the marks kept
// here with links to compare their photos and to the clinician's summary, and "Delete this mark"
// and "Delete everything", which take effect at once. Nothing is read from storage, or created
// there, until the switch is on or a history already exists.
import { t, day } from './i18n.js';
import { historyOn, setHistoryOn, onHistorySetting } from './history-setting.js';
import { readAll, deleteMark, deleteAll, exists } from './history-store.js';
import { storageMessage } from './storage-message.js';

const $ = (id) => document.getElementById(id);
/** The marks drawn last, redrawn on a language switch. */
let marks = [];
/** Object URLs of the thumbnails drawn, revoked when redrawn. */
let urls = [];
/** The status line's key and parameters, said again on a language switch. */
let said = null;
let notify = () => {};
let reading = 0;

/** Wires the view; `onChange()` is called after every deletion (the save form refreshes its names). */
export function startHistory(onChange) {
  notify = onChange;
  $('history-on').checked = historyOn();
  $('history-on').addEventListener('change', (event) => {
    setHistoryOn(event.target.checked);
    say(historyOn() ? 'history.turned_on' : 'history.turned_off');
  });
  onHistorySetting(() => {
    $('history-on').checked = historyOn();
    refreshHistory();
  });
  $('history-marks').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-delete]');
    if (button) remove(Number(button.dataset.delete), button.dataset.name);
  });
  $('history-delete-all').addEventListener('click', removeAll);
}

function say(key, params = {}) {
  said = { key, params };
  $('history-status').textContent = t(key, params);
}

function showError(error) {
  $('history-error').textContent = storageMessage(error);
  $('history-error').hidden = false;
}

/** Reads the marks again and redraws them; resolves once drawn. */
export async function refreshHistory() {
  const ticket = ++reading;
  $('history-error').hidden = true;
  try {
    const found = historyOn() || await exists() ? await readAll() : [];
    if (ticket !== reading) return;
    marks = found;
  } catch (error) {
    if (ticket !== reading) return;
    marks = [];
    showError(error);
  }
  drawHistory();
  document.body.dataset.history = 'drawn';
}

/** The marks drawn last, for the other views. */
export function shownMarks() { return marks; }

/** (Re)draws the list in the current language. */
export function drawHistory() {
  urls.forEach((url) => URL.revokeObjectURL(url));
  urls = [];
  $('history-on').checked = historyOn();
  $('history-list').hidden = marks.length === 0;
  $('history-empty').hidden = marks.length > 0 || !$('history-error').hidden;
  $('history-marks').replaceChildren(...marks.map(markItem));
  // Nothing to export: and exporting must not create a database while the history is off.
  $('backup-export').disabled = marks.length === 0;
  if (said) $('history-status').textContent = t(said.key, said.params);
}

function markItem(mark) {
  const item = document.createElement('li');
  item.dataset.markId = String(mark.id);
  item.dataset.markName = mark.name;
  item.dataset.entries = String(mark.entries.length);
  const heading = document.createElement('h4');
  heading.textContent = mark.name;
  const newest = mark.entries.at(-1);
  const facts = document.createElement('p');
  const first = mark.entries[0];
  facts.textContent = mark.entries.length === 1
    ? t('history.one_photo', { date: day(first.date) })
    : t('history.photos', { count: mark.entries.length, first: day(first.date), last: day(newest.date) });
  item.append(heading);
  if (newest?.photo) {
    const url = URL.createObjectURL(newest.photo);
    urls.push(url);
    const image = document.createElement('img');
    image.className = 'thumbnail';
    image.src = url;
    image.alt = t('history.thumbnail', { name: mark.name, date: day(newest.date) });
    item.append(image);
  }
  item.append(facts);
  const actions = document.createElement('p');
  actions.className = 'actions';
  if (mark.entries.length >= 2) {
    actions.append(link(`#compare/${mark.id}`, t('history.compare'), t('history.compare_named', { name: mark.name })));
  } else {
    const hint = document.createElement('span');
    hint.className = 'hint';
    hint.textContent = t('history.need_two');
    actions.append(hint);
  }
  actions.append(link(`#summary/${mark.id}`, t('history.summary'), t('history.summary_named', { name: mark.name })));
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'button danger';
  remove.dataset.delete = String(mark.id);
  remove.dataset.name = mark.name;
  remove.textContent = t('history.delete_mark');
  remove.setAttribute('aria-label', t('history.delete_mark_named', { name: mark.name }));
  actions.append(remove);
  item.append(actions);
  return item;
}

function link(href, text, label) {
  const a = document.createElement('a');
  a.className = 'button';
  a.href = href;
  a.textContent = text;
  a.setAttribute('aria-label', label);
  return a;
}

async function remove(markId, name) {
  await change(() => deleteMark(markId), 'history.deleted', { name });
  // The button pressed is gone: the keyboard carries on from the list's heading.
  ($('history-list').hidden ? $('history-on') : $('history-marks-heading')).focus();
}

async function removeAll() {
  await change(deleteAll, 'history.deleted_all');
  $('history-on').focus();
}

/** Runs a deletion, redraws, and says what happened (or why nothing did). */
async function change(work, key, params) {
  let failure = null;
  try {
    await work();
  } catch (error) {
    failure = error;
  }
  await refreshHistory();
  if (failure) showError(failure);
  else say(key, params);
  notify();
}
