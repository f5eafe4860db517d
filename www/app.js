// UI thread: capture, send to the worker, draw. Nothing medical is decided here, and no image
// or result ever leaves the page; a result is kept only if the person switches the history on,
// and then only in this browser's IndexedDB (history-store.js).
import { call, onWorkerEvent } from './engine-client.js';
import { loadMessages, loadLanguage, preferredLanguage, setLanguage, language, t } from './i18n.js';
import { renderAnalysis, summary } from './result-view.js';
import { startEducator, drawGrid } from './educator.js';
import { loadCards, renderAbout, evidenceTable, cardFor } from './about.js';
import { startViews, onView } from './views.js';
import { registerOffline } from './offline.js';
import { startSave, offerSave, drawSave, today } from './save-view.js';
import { startHistory, refreshHistory, drawHistory } from './history-view.js';
import { startBackup, drawBackup } from './backup-view.js';
import { startCompare, showCompare, drawCompare } from './compare-view.js';
import { startSummary, showSummary, drawSummary } from './summary-view.js';
import { scrollBox } from './table-scroll.js';

const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.search);
const preference = params.get('backend') ?? 'auto';
// `?mode=dermoscopy` preselects the dermatoscope, e.g. for a clinic's bookmark.
const preselected = document.querySelector(`input[name="mode"][value="${CSS.escape(params.get('mode') ?? '')}"]`);
if (preselected) preselected.checked = true;

/** The capture mode chosen in the switch: `photo` or `dermoscopy`. */
function currentMode() { return document.querySelector('input[name="mode"]:checked').value; }

/** What the status line last said: a message key and a function giving its parameters, so a
 * language switch can say it again in the new language. */
let status = { key: 'status.starting', params: () => ({}) };
let backendInfo = null;
/** The analysis drawn last, re-worded when the language changes. */
let shownAnalysis = null;
/** The photo of the analysis drawn last (its file's bytes, or the camera frame as PNG). */
let shownPhoto = null;
let cards = [];

function setStatus(key, params = () => ({})) {
  status = { key, params };
  $('status').textContent = t(key, params());
}

/** The notice shown last (a message key), said again when the language changes. */
let notice = null;

function showNotice(key) {
  notice = key;
  $('notice').textContent = t(key);
  $('notice').hidden = false;
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

const words = loadMessages(preferredLanguage(params)).then(
  (lang) => {
    applyLanguage(lang);
    offline.keepLoaded([`i18n/${lang}.json`]);
  },
  (error) => showError(error.message),
);

function applyLanguage(lang) {
  setLanguage(lang);
  $('language').value = language();
  $('status').textContent = t(status.key, status.params());
  if (notice) $('notice').textContent = t(notice);
  if (shownAnalysis) renderAnalysis(shownAnalysis);
  drawBackend();
  drawCards();
  drawGrid();
  drawSave();
  drawHistory();
  drawBackup();
  drawCompare();
  drawSummary();
}

/**
 * Shows `lang` once its words are here (fetched the first time it is picked, then kept by the
 * service worker). Offline, a language this browser has never shown cannot be had: the switch
 * goes back and says so. Only the language picked last is applied.
 */
async function chooseLanguage(lang) {
  const switcher = $('language');
  try {
    await loadLanguage(lang);
  } catch {
    if (switcher.value !== lang) return;
    const name = [...switcher.options].find((option) => option.value === lang).textContent;
    switcher.value = language();
    $('language-error').textContent = t('error.language_not_downloaded', { language: name });
    $('language-error').hidden = false;
    return;
  }
  if (switcher.value !== lang) return;
  $('language-error').hidden = true;
  applyLanguage(lang);
  offline.keepLoaded([`i18n/${lang}.json`]);
}

$('language').addEventListener('change', (event) => chooseLanguage(event.target.value));

/** Shows the backend the worker now runs on, and keeps the files it fetched for offline use. */
function useBackend(info) {
  backendInfo = info;
  drawBackend();
  document.body.dataset.backend = info.backend;
  document.body.dataset.bundle = info.bundle;
  offline.keepLoaded(info.files);
}

const ready = words.then(() => call({ type: 'init', backend: preference, simd: params.get('simd'), mode: currentMode() })).then(
  (info) => {
    useBackend(info);
    setStatus('status.ready');
    return info;
  },
  (error) => {
    showError(t('error.engine', { reason: error.message }));
    setStatus('status.not_ready');
    throw error;
  },
);
// The failure is shown above. Analyses still go ahead: the worker answers each one for itself,
// so a manifest without a model for one mode leaves the other mode working.
const started = ready.catch(() => {});

function drawBackend() {
  if (!backendInfo) return;
  $('backend').textContent = backendInfo.backend === 'webgpu' ? 'WebGPU' : 'CPU';
  $('backend').title = backendInfo.reason;
  $('backend-reason').textContent = backendInfo.backend === 'webgpu' ? '' : ` (${backendInfo.reason.split(' (')[0]})`;
}

/** Each load of the cards is numbered, so that an older one never replaces a newer one's cards. */
let cardLoads = 0;
let cardsDrawn = 0;
/** Whether every model's card is here: then no view needs to load them again. */
let everyCard = false;

/**
 * Loads the models' cards and draws them: at start those a plain-photo check needs; with `all`
 * (About shown, or a summary of a model whose card is not here) every one, which fetches the
 * dermatoscope model's card if the browser has not got it. Resolves once drawn, or once a
 * failure is shown.
 */
function showCards(all = false) {
  if (everyCard) return Promise.resolve();
  const mine = ++cardLoads;
  return words.then(() => loadCards({ all })).then((loaded) => {
    if (mine < cardsDrawn) return;
    cardsDrawn = mine;
    cards = loaded;
    everyCard = all && loaded.every((c) => c.card);
    drawCards();
    drawSummary();
  }, (error) => showError(error.message));
}

showCards();

/** Resolves once the cards of the models `ids` are here: every card is loaded if one is missing. */
function needCards(ids) {
  const missing = ids.some((id) => !cards.some((c) => c.entry.id === id && c.card));
  return missing ? showCards(true) : Promise.resolve();
}

function drawCards() {
  renderAbout($('about-cards'), cards);
  const table = evidenceTable(cardFor(cards, 'photo'));
  $('educator-evidence').replaceChildren(...(table ? [scrollBox(table, { labelId: 'educator-evidence-heading' })] : []));
}

/** The latest photo, kept so that changing the mode can re-analyse it. */
let lastPhoto = null;
/** Only the newest analysis is drawn, should an older one finish after it. */
let newest = 0;

/**
 * Analyses `photo` (`{ type: 'analyze', buffer }` with file bytes, or `{ type: 'analyzeRgba',
 * width, height, buffer }` with pixels) in the chosen mode. A copy of the buffer goes to the
 * worker; the photo itself stays here for a re-analysis.
 */
async function analyse(photo) {
  lastPhoto = photo;
  const ticket = ++newest;
  const buffer = photo.buffer.slice(0);
  const mode = currentMode();
  const message = photo.type === 'analyze'
    ? { type: 'analyze', bytes: buffer, mode }
    : { type: 'analyzeRgba', width: photo.width, height: photo.height, rgba: buffer, mode };
  $('error').hidden = true;
  setStatus('status.analysing');
  document.body.dataset.state = 'busy';
  delete document.body.dataset.decoder; // `engine`, or `browser` for a format the engine does not decode
  try {
    await started;
    const { analysis, decoder, elapsedMs } = await call(message, [buffer]);
    const blob = await photo.blob;
    if (ticket !== newest) return;
    if (decoder) document.body.dataset.decoder = decoder;
    shownAnalysis = analysis;
    shownPhoto = blob;
    renderAnalysis(analysis);
    offerSave(analysis.quality.ok && blob ? { analysis, photo: blob, models: modelsOf(analysis) } : null);
    document.body.dataset.elapsedMs = String(elapsedMs);
    if (analysis.quality.ok) {
      setStatus('status.done', () => ({
        summary: summary(analysis),
        ms: Math.round(elapsedMs),
        backend: analysis.backend === 'webgpu' ? 'WebGPU' : t('status.cpu'),
      }));
    } else {
      setStatus('status.retake');
    }
  } catch (error) {
    if (ticket !== newest) return;
    shownAnalysis = null;
    offerSave(null);
    $('result').hidden = true;
    $('retake').hidden = true;
    showError(errorText(error));
    setStatus('status.failed');
  } finally {
    if (ticket === newest) document.body.dataset.state = 'idle';
  }
}

// A newly chosen mode's model downloads at once (the dermatoscope model is cached on first use,
// not on the first visit), so that it is there by the time a photo is.
$('mode').addEventListener('change', () => {
  if (lastPhoto) {
    analyse(lastPhoto);
    return;
  }
  $('error').hidden = true;
  started.then(() => call({ type: 'prepare', mode: currentMode() }))
    .then(({ files }) => offline.keepLoaded(files), (error) => showError(errorText(error)));
});

// The worker tells the page, unasked, when WebGPU was lost and the CPU took over, and when it
// died and was replaced. Each is said once; the person is never left with a frozen page.
onWorkerEvent((event) => {
  if (event.type === 'notice' && event.code === 'gpu_lost') {
    useBackend(event);
    showNotice('notice.gpu_lost');
  } else if (event.type === 'notice') {
    showError(t('error.engine', { reason: event.reason }));
  } else if (event.type === 'restarted') {
    useBackend(event.info);
    showNotice('notice.restarted');
  } else if (event.type === 'stopped') {
    showError(t('error.stopped'));
    setStatus('status.not_ready');
  }
});

/**
 * The models behind `analysis`, kept with it in the history: its classifier, and the tone
 * estimator and generator the manifest lists.
 */
function modelsOf(analysis) {
  const classifier = { task: analysis.mode, id: analysis.model.id, sha256: analysis.model.sha256 };
  const others = cards.map((c) => c.entry).filter((e) => e.task === 'tone' || e.task === 'generator')
    .map((e) => ({ task: e.task, id: e.id, sha256: e.sha256 }));
  return [classifier, ...others];
}

/** The result now shown in the check view, for the clinician's summary; `null` without one. */
function currentResult() {
  if (!shownAnalysis?.quality.ok || !shownPhoto) return null;
  return { analysis: shownAnalysis, photo: shownPhoto, models: modelsOf(shownAnalysis), date: today() };
}

const ERROR_KEYS = { not_downloaded: 'error.not_downloaded', restarted: 'error.restarted', stopped: 'error.stopped' };

/** An engine error in the page's language where it has words for it, else the engine's own. */
function errorText(error) {
  return ERROR_KEYS[error.code] ? t(ERROR_KEYS[error.code]) : error.message;
}

function showPreview(blob) {
  const preview = $('preview');
  if (preview.src) URL.revokeObjectURL(preview.src);
  preview.src = URL.createObjectURL(blob);
  preview.hidden = false;
}

async function analyseFile(file) {
  if (!file) return;
  if (file.type.startsWith('image/')) showPreview(file);
  else $('preview').hidden = true;
  const buffer = await file.arrayBuffer();
  await analyse({ type: 'analyze', buffer, blob: new Blob([buffer], { type: imageType(buffer, file.type) }) });
}

/** The photo's type from its first bytes (a dropped file may not say). */
function imageType(buffer, declared) {
  const b = new Uint8Array(buffer, 0, Math.min(12, buffer.byteLength));
  const text = (from, to) => String.fromCharCode(...b.subarray(from, to));
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (text(0, 4) === 'RIFF' && text(8, 12) === 'WEBP') return 'image/webp';
  if (text(4, 12) === 'ftypavif') return 'image/avif';
  return declared || 'application/octet-stream';
}

$('file').addEventListener('change', (event) => {
  analyseFile(event.target.files[0]);
  event.target.value = '';
});

const drop = $('drop');
drop.addEventListener('dragover', (event) => { event.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  analyseFile(event.dataTransfer.files[0]);
});
document.addEventListener('paste', (event) => {
  const item = [...event.clipboardData.items].find((i) => i.kind === 'file');
  if (item && document.body.dataset.view === 'check') analyseFile(item.getAsFile());
});

let stream = null;

$('camera-start').addEventListener('click', async () => {
  $('error').hidden = true;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    $('video').srcObject = stream;
    await $('video').play();
    $('camera').hidden = false;
    setStatus('status.camera');
    $('capture').focus();
  } catch (error) {
    showError(t('error.camera', { name: error.name }));
  }
});

function stopCamera() {
  stream?.getTracks().forEach((track) => track.stop());
  stream = null;
  $('camera').hidden = true;
}

$('camera-stop').addEventListener('click', stopCamera);

$('capture').addEventListener('click', async () => {
  const video = $('video');
  if (!video.videoWidth) {
    showError(t('error.no_frame'));
    return;
  }
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d');
  context.drawImage(video, 0, 0);
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  const blob = new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  blob.then((png) => png && showPreview(png));
  stopCamera();
  await analyse({ type: 'analyzeRgba', width: canvas.width, height: canvas.height, buffer: data.buffer, blob });
});

startEducator(started);
startSave(() => refreshHistory());
startHistory(() => drawSave());
startBackup(() => refreshHistory().then(drawSave));
startCompare(started);
startSummary({ engineReady: started, current: currentResult, cards: () => cards, needCards });
// A view opened first (a bookmark of #history) draws once the words are loaded.
onView((view, argument) => words.then(() => {
  if (view === 'history') refreshHistory();
  if (view === 'compare') showCompare(argument);
  if (view === 'summary') showSummary(argument);
  if (view === 'about') showCards(true);
}));
startViews();

const offline = registerOffline((state) => {
  const key = `offline.${state}`;
  $('offline-status').dataset.i18n = key;
  $('offline-status').textContent = t(key);
  $('offline-update').hidden = state !== 'update';
});
$('offline-update').addEventListener('click', () => offline.applyUpdate());
