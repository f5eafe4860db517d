// What the page shows, read back for assertions: the per-tone table (rows, renderings, evidence)
// and the triage level.

/** The per-tone table: visibility, the tone warning and one entry per row. */
export function readPerTone(page) {
  return page.evaluate(() => ({
    hidden: document.getElementById('per-tone').hidden,
    warning: !document.getElementById('per-tone-warning').hidden,
    rows: [...document.querySelectorAll('#per-tone-rows tr')].map((tr) => ({
      fitzpatrick: Number(tr.dataset.fitzpatrick),
      malignancy: Number(tr.dataset.malignancy),
      own: tr.getAttribute('aria-current') === 'true',
      answer: tr.querySelector('.answer').textContent,
      meter: tr.querySelector('.meter') !== null,
      realN: tr.querySelector('.evidence').dataset.realN,
      evidence: tr.querySelector('.evidence').textContent,
      lowEvidence: tr.querySelector('.low-evidence') !== null,
      rendering: (() => {
        const canvas = tr.querySelector('canvas');
        if (!canvas) return null;
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let sum = 0;
        for (let i = 0; i < data.length; i += 4) sum += 0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2];
        return { width: canvas.width, label: canvas.getAttribute('aria-label'), luminance: sum / (data.length / 4) };
      })(),
    })),
  }));
}

/** The triage box: its level code, its words and its reason codes; `null` when hidden. */
export function readTriage(page) {
  return page.evaluate(() => {
    const box = document.getElementById('triage');
    if (box.hidden || document.getElementById('result').hidden) return null;
    return {
      level: box.dataset.level,
      text: box.querySelector('.level').textContent,
      reasons: [...box.querySelectorAll('.reasons li')].map((li) => li.dataset.code),
    };
  });
}
