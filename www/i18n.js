// The page's words in English, French, Spanish and Swahili. A first visit fetches English (the
// fallback, which the service worker saves for offline use up front) and the language shown, not
// all four: each file is about as large as the page itself. Another language's file is fetched
// when the person picks it, and the service worker keeps it from then on. The trade-off: offline,
// the switch can show only English and the languages this browser has already shown online.
// A key missing from a language shows as the key itself, which the tests look for.

/** Languages with a message file, in the order the switch lists them. */
export const LANGUAGES = ['en', 'fr', 'es', 'sw'];
/** Always loaded: shown when another language's file cannot be had. */
const FALLBACK = 'en';

const messages = {};
/** Each language's load under way or done, so that a file is fetched once. */
const loads = new Map();
let current = FALLBACK;

/**
 * Fetches `lang`'s message file unless it is here already; rejects when it cannot be had (a
 * failed load is tried again the next time).
 */
export function loadLanguage(lang) {
  if (!LANGUAGES.includes(lang)) return Promise.reject(new Error(`no message file for ${JSON.stringify(lang)}`));
  if (!loads.has(lang)) {
    const load = fetch(`i18n/${lang}.json`).then(async (response) => {
      if (!response.ok) throw new Error(`could not load i18n/${lang}.json (${response.status})`);
      messages[lang] = await response.json();
    });
    load.catch(() => loads.delete(lang));
    loads.set(lang, load);
  }
  return loads.get(lang);
}

/**
 * Fetches English and `lang`; resolves to the language to show (English when `lang`'s file
 * cannot be had), rejects only without English.
 */
export async function loadMessages(lang) {
  const [fallback, wanted] = await Promise.allSettled([loadLanguage(FALLBACK), loadLanguage(lang)]);
  if (fallback.status === 'rejected') throw new Error('could not load the page\'s words (i18n/en.json)');
  return wanted.status === 'fulfilled' ? lang : FALLBACK;
}

/** The browser's preferred language among ours (`?lang=` first), else English. */
export function preferredLanguage(params = new URLSearchParams(location.search)) {
  const wanted = [params.get('lang'), ...(navigator.languages ?? [navigator.language])];
  for (const tag of wanted) {
    const base = tag?.toLowerCase().split('-')[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return FALLBACK;
}

/** The current language code. */
export function language() { return current; }

/** Message `key` in the current language with `{name}` placeholders filled from `params`. */
export function t(key, params = {}) {
  const text = messages[current]?.[key];
  if (text == null) return key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Whether the current language has a message for `key` (for optional, per-code wording). */
export function has(key) { return messages[current]?.[key] != null; }

/**
 * Switches to `lang` and rewrites every `[data-i18n]` element's text and every
 * `[data-i18n-attr="attr:key;…"]` attribute under `root`.
 */
export function setLanguage(lang, root = document) {
  current = messages[lang] ? lang : FALLBACK;
  document.documentElement.lang = current;
  for (const element of root.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of element.dataset.i18nAttr.split(';')) {
      const [attribute, key] = pair.split(':');
      element.setAttribute(attribute, t(key));
    }
  }
}

/** Number as a percentage in the current language, e.g. "12.5 %" in French. */
export function percent(value) {
  return new Intl.NumberFormat(current, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
}

/** A day (`YYYY-MM-DD`) in the current language, e.g. "12 January 2026"; the text itself if it is no day. */
export function day(isoDay) {
  const date = new Date(`${isoDay}T12:00:00`);
  if (Number.isNaN(date.getTime())) return String(isoDay);
  // The page's English is British ("analysed", "colour"): so are its dates.
  return new Intl.DateTimeFormat(current === 'en' ? 'en-GB' : current, { dateStyle: 'long' }).format(date);
}

/** A plain number in the current language with at most `digits` decimals. */
export function number(value, digits = 2) {
  return new Intl.NumberFormat(current, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
}
