// Registers the service worker (sw.js) that makes the page work offline, and tracks where it
// stands. The page words the states; this module only reports them, to `onState` and in
// <html data-offline>.

/**
 * Registers sw.js and calls `onState` with each new state:
 * - 'unsupported': no service workers here (or not a secure context);
 * - 'installing': the first visit's download of the page, wasm and models is under way;
 * - 'ready': a worker controls the page and holds a complete cache: it now works offline;
 * - 'update': a new version is installed and waiting for `applyUpdate()`;
 * - 'failed': the first install failed; the page still works online.
 * A failed update leaves the old version in charge, so the state stays 'ready'.
 */
export function registerOffline(onState) {
  let current = null;
  const report = (state) => {
    if (state === current) return;
    current = state;
    document.documentElement.dataset.offline = state;
    onState(state);
  };
  if (!('serviceWorker' in navigator)) {
    report('unsupported');
    return { keepLoaded() {}, applyUpdate() {} };
  }
  const container = navigator.serviceWorker;
  let registration = null;
  let failed = false;
  let reloading = false;

  /** The state, read from the registration's workers; only a failed install is remembered. */
  const refresh = () => {
    if (!container.controller && registration?.active?.state !== 'activated') {
      report(failed ? 'failed' : 'installing');
    } else {
      report(registration?.waiting ? 'update' : 'ready');
    }
  };

  const tracked = new WeakSet();
  const track = (worker) => {
    if (!worker || tracked.has(worker)) return;
    tracked.add(worker);
    let installed = false;
    worker.addEventListener('statechange', () => {
      if (worker.state === 'installed') installed = true;
      if (worker.state === 'redundant' && !installed) failed = true;
      refresh();
    });
  };

  container.addEventListener('controllerchange', () => {
    if (reloading) location.reload();
    else refresh();
  });
  if (!container.controller) report('installing');
  container.register('sw.js', { scope: './', updateViaCache: 'none' })
    .then((reg) => {
      registration = reg;
      track(reg.installing);
      reg.addEventListener('updatefound', () => track(reg.installing));
      return container.ready;
    })
    .then(refresh, () => {
      failed = true;
      refresh();
    });

  return {
    /**
     * Tells the service worker which `files` (URLs relative to the page) the engine has loaded:
     * one fetched before the worker took control (the first visit) is then kept for offline use.
     */
    keepLoaded(files) {
      container.controller?.postMessage({ type: 'keepLazy', files });
    },
    /** Switches to the waiting version and reloads the page once it is in charge. */
    applyUpdate() {
      const waiting = registration?.waiting;
      if (!waiting) return;
      reloading = true;
      waiting.postMessage({ type: 'skipWaiting' });
    },
  };
}
