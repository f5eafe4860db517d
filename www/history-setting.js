// The "Keep a history on this device" switch. It is off unless the person turns it on; only
// the switch itself is remembered, in this browser's localStorage (one key, `dermtone.history`),
// so that it stays on after a reload. Where localStorage is refused (some private windows) the
// switch still works for this visit.

const KEY = 'dermtone.history';
let on = read();
const listeners = new Set();

function read() {
  try {
    return localStorage.getItem(KEY) === 'on';
  } catch {
    return false;
  }
}

/** Whether the person has turned the history on. */
export function historyOn() { return on; }

/** Turns the history on or off and tells every listener. */
export function setHistoryOn(value) {
  on = Boolean(value);
  try {
    if (on) localStorage.setItem(KEY, 'on');
    else localStorage.removeItem(KEY);
  } catch { /* remembered for this visit only */ }
  // Ask the browser not to evict the history under storage pressure; it may say no.
  if (on) navigator.storage?.persist?.().catch(() => {});
  listeners.forEach((listener) => listener(on));
}

/** Calls `listener(on)` whenever the switch changes. */
export function onHistorySetting(listener) { listeners.add(listener); }
