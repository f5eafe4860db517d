// UI thread: capture, send to the worker, draw. Nothing medical is decided here, and no
// image or result ever leaves the page.

const $ = (id) => document.getElementById(id);
const worker = new Worker('./worker.js', { type: 'module' });
const pending = new Map();
let nextId = 1;

worker.onmessage = ({ data }) => {
  const request = pending.get(data.id);
  if (!request) return;
  pending.delete(data.id);
  if (data.type === 'error') request.reject(Object.assign(new Error(data.message), { code: data.code }));
  else request.resolve(data);
};

function call(message, transfer = []) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ ...message, id }, transfer);
  });
}

/** What each mode's model was trained on, for the result note. */
const TRAINED_ON = {
  photo: 'clinical photos (Fitzpatrick17k)',
  dermoscopy: 'dermoscopic images (HAM10000)',
};

const params = new URLSearchParams(location.search);
const preference = params.get('backend') ?? 'auto';
// `?mode=dermoscopy` preselects the dermatoscope, e.g. for a clinic's bookmark.
const preselected = document.querySelector(`input[name="mode"][value="${CSS.escape(params.get('mode') ?? '')}"]`);
if (preselected) preselected.checked = true;

/** The capture mode chosen in the switch: `photo` or `dermoscopy`. */
function currentMode() { return document.querySelector('input[name="mode"]:checked').value; }

const ready = call({ type: 'init', backend: preference, mode: currentMode() }).then(
  (info) => {
    $('backend').textContent = info.backend === 'webgpu' ? 'WebGPU' : 'CPU';
    $('backend').title = info.reason;
    $('backend-reason').textContent = info.backend === 'webgpu' ? '' : ` (${info.reason.split(' (')[0]})`;
    document.body.dataset.backend = info.backend;
    setStatus('Ready. Choose or take a photo.');
    return info;
  },
  (error) => {
    showError(`The analysis engine could not start: ${error.message}`);
    setStatus('Not ready.');
    throw error;
  },
);
// The failure is shown above. Analyses still go ahead: the worker answers each one for itself,
// so a manifest without a model for one mode leaves the other mode working.
const started = ready.catch(() => {});

function setStatus(text) { $('status').textContent = text; }

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
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
  setStatus('Analysing…');
  document.body.dataset.state = 'busy';
  try {
    await started;
    const { analysis, elapsedMs } = await call(message, [buffer]);
    if (ticket !== newest) return;
    render(analysis);
    document.body.dataset.elapsedMs = String(elapsedMs);
    setStatus(analysis.quality.ok
      ? `Done in ${Math.round(elapsedMs)} ms on ${analysis.backend === 'webgpu' ? 'WebGPU' : 'the CPU'}.`
      : 'The photo needs to be retaken.');
  } catch (error) {
    if (ticket !== newest) return;
    $('result').hidden = true;
    $('retake').hidden = true;
    showError(error.message);
    setStatus('Nothing was analysed. Try another photo.');
  } finally {
    if (ticket === newest) document.body.dataset.state = 'idle';
  }
}

$('mode').addEventListener('change', () => {
  if (lastPhoto) analyse(lastPhoto);
});

function render(analysis) {
  $('retake-problems').replaceChildren(...analysis.quality.problems.map((p) => {
    const item = document.createElement('li');
    item.dataset.code = p.code;
    item.textContent = p.message;
    return item;
  }));
  $('retake').hidden = analysis.quality.ok;
  const list = $('classes');
  list.replaceChildren(...analysis.classes.map((c) => {
    const item = document.createElement('li');
    item.dataset.code = c.code;
    item.dataset.probability = String(c.probability);
    const name = document.createElement('span');
    name.textContent = c.name;
    const pct = document.createElement('span');
    pct.className = 'pct';
    pct.textContent = `${(c.probability * 100).toFixed(1)}%`;
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.setAttribute('aria-hidden', 'true');
    const fill = document.createElement('span');
    fill.style.width = `${(c.probability * 100).toFixed(1)}%`;
    bar.append(fill);
    item.append(name, pct, bar);
    return item;
  }));
  renderTone(analysis.tone);
  renderMalignancy(analysis.malignancy);
  renderPerTone(analysis);
  $('model-id').textContent = analysis.model.id;
  $('model-data').textContent = TRAINED_ON[analysis.mode] ?? analysis.mode;
  $('result').dataset.mode = analysis.mode;
  $('result-disclaimer').textContent = analysis.disclaimer;
  $('result').hidden = !analysis.quality.ok;
}

/** The operating-point decision the engine made, in words. */
function renderMalignancy(malignancy) {
  const box = $('malignancy');
  box.hidden = !malignancy;
  if (!malignancy) return;
  box.dataset.flagged = String(malignancy.flagged);
  const pct = (v) => `${(v * 100).toFixed(1)}%`;
  box.textContent = malignancy.flagged
    ? `Possible skin cancer signs (${pct(malignancy.probability)}, screening threshold ${pct(malignancy.threshold)}): please see a clinician.`
    : `Below the screening threshold (${pct(malignancy.probability)} of ${pct(malignancy.threshold)}). This is not an all-clear: if the mark is new, changing or worries you, see a clinician.`;
}

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI'];

/** A synthetic rendering drawn on a canvas, labelled as synthetic for people and screen readers. */
function renderingCanvas({ fitzpatrick, width, height, rgba }) {
  const figure = document.createElement('figure');
  figure.className = 'rendering';
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `Synthetic image: the photo re-rendered at Fitzpatrick ${ROMAN[fitzpatrick - 1]}`);
  canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
  const caption = document.createElement('figcaption');
  caption.textContent = 'synthetic';
  figure.append(canvas, caption);
  return figure;
}

/**
 * The per-tone table: the engine's answer on each synthetic rendering beside the model card's
 * figures on real photos of that tone; the person's own estimated tone is highlighted.
 */
function renderPerTone(analysis) {
  const results = analysis.per_tone ?? [];
  $('per-tone').hidden = results.length === 0;
  $('per-tone-warning').hidden = analysis.consistent !== false;
  const own = analysis.tone?.fitzpatrick;
  const pct = (v) => `${(v * 100).toFixed(1)}%`;
  $('per-tone-rows').replaceChildren(...results.map((r) => {
    const row = document.createElement('tr');
    row.dataset.fitzpatrick = String(r.fitzpatrick);
    if (r.malignancy != null) row.dataset.malignancy = String(r.malignancy);
    if (r.fitzpatrick === own) {
      row.classList.add('own');
      row.setAttribute('aria-current', 'true');
    }
    const tone = document.createElement('th');
    tone.scope = 'row';
    tone.textContent = `Fitzpatrick ${ROMAN[r.fitzpatrick - 1]}${r.fitzpatrick === own ? ' (your skin)' : ''}`;
    const rendering = (analysis.renderings ?? []).find((x) => x.fitzpatrick === r.fitzpatrick);
    if (rendering) tone.append(renderingCanvas(rendering));
    const answer = document.createElement('td');
    answer.className = 'answer';
    answer.textContent = r.malignancy == null
      ? `${r.top_classes[0]?.name ?? ''} (synthetic)`
      : `${pct(r.malignancy)}${r.flagged ? ', see a clinician' : ''} (synthetic)`;
    const evidence = document.createElement('td');
    evidence.className = 'evidence';
    const e = r.evidence;
    if (!e) {
      evidence.textContent = 'not measured for this tone';
    } else {
      const figure = (v) => (v == null ? '–' : pct(v));
      evidence.textContent = `${e.real_n} photos, sensitivity ${figure(e.sensitivity)}, AUROC ${e.auroc == null ? '–' : e.auroc.toFixed(2)}`;
      evidence.dataset.realN = String(e.real_n);
      if (e.low_evidence) {
        const mark = document.createElement('strong');
        mark.className = 'low-evidence';
        mark.textContent = ' little real evidence';
        evidence.append(mark);
      }
    }
    row.append(tone, answer, evidence);
    return row;
  }));
}

/** The estimated skin tone in words; the engine decides it, the page only words it. */
function renderTone(tone) {
  const box = $('tone');
  box.dataset.fitzpatrick = tone?.fitzpatrick ?? 'unknown';
  box.dataset.method = tone?.method ?? '';
  if (!tone || tone.fitzpatrick == null) {
    $('tone-text').textContent = tone?.confidence.colour_cast
      ? "couldn't tell: the light made the skin look blue."
      : "couldn't tell: too little healthy skin is visible around the mark.";
    return;
  }
  const how = tone.method === 'learned' ? 'estimated by a model trained on labelled photos' : 'estimated from the colour of the skin (ITA)';
  const monk = tone.monk ? `, Monk ${tone.monk}` : '';
  $('tone-text').textContent = `Fitzpatrick ${ROMAN[tone.fitzpatrick - 1]}${monk} (${how}; confidence ${tone.confidence.level}).`;
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
  await analyse({ type: 'analyze', buffer: await file.arrayBuffer() });
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
  if (item) analyseFile(item.getAsFile());
});

let stream = null;

$('camera-start').addEventListener('click', async () => {
  $('error').hidden = true;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    $('video').srcObject = stream;
    await $('video').play();
    $('camera').hidden = false;
    setStatus('Camera on. Centre the mark and take the photo.');
  } catch (error) {
    showError(`The camera could not be opened (${error.name}). You can choose a photo instead.`);
  }
});

function stopCamera() {
  stream?.getTracks().forEach((t) => t.stop());
  stream = null;
  $('camera').hidden = true;
}

$('camera-stop').addEventListener('click', stopCamera);

$('capture').addEventListener('click', async () => {
  const video = $('video');
  if (!video.videoWidth) {
    showError('The camera has not delivered a picture yet. Try again in a moment.');
    return;
  }
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d');
  context.drawImage(video, 0, 0);
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  canvas.toBlob((blob) => blob && showPreview(blob), 'image/png');
  stopCamera();
  await analyse({ type: 'analyzeRgba', width: canvas.width, height: canvas.height, buffer: data.buffer });
});
