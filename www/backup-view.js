// The backup part of the History view: "Export the history" downloads one JSON file made on this
// device (backup.js); "Import a backup" reads one back, and says why a file is refused, in
// which case nothing was changed. Importing stores photos, so it needs the history switched on.
import { t } from './i18n.js';
import { historyOn, onHistorySetting } from './history-setting.js';
import { exportHistory, importHistory, BackupError } from './backup.js';
import { storageMessage } from './storage-message.js';
import { today } from './save-view.js';

const $ = (id) => document.getElementById(id);
let said = null; // { key, params } of the status line
let failed = null; // the error line: { key, params }, or { storage: error }

/** Wires the buttons; `onImported()` is called after a successful import. */
export function startBackup(onImported) {
  $('backup-export').addEventListener('click', download);
  $('backup-import').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    event.target.value = '';
    if (file) await upload(file, onImported);
  });
  onHistorySetting(drawBackup);
  drawBackup();
}

/** (Re)draws the backup part in the current language. */
export function drawBackup() {
  const on = historyOn();
  $('backup-import-label').hidden = !on;
  $('backup-off').hidden = on;
  $('backup-status').textContent = said ? t(said.key, said.params) : '';
  $('backup-error').hidden = !failed;
  $('backup-error').textContent = !failed ? '' : failed.storage
    ? `${storageMessage(failed.storage)} ${t('backup.unchanged')}` : t(failed.key, failed.params);
}

function report(status, error) {
  said = status;
  failed = error;
  drawBackup();
}

async function download() {
  report(null, null);
  try {
    const { text, counts } = await exportHistory();
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `dermtone-history-${today()}.json`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    report({ key: 'backup.exported', params: counts }, null);
  } catch (error) {
    report(null, { storage: error });
  }
}

async function upload(file, onImported) {
  report({ key: 'backup.importing', params: {} }, null);
  document.body.dataset.backup = 'busy';
  try {
    if (!historyOn()) throw new BackupError('off', 'the history is off');
    const { added, skipped } = await importHistory(await file.text());
    report({ key: 'backup.imported', params: { added, skipped } }, null);
    await onImported();
  } catch (error) {
    if (error instanceof BackupError) {
      report(null, { key: `backup.refused.${error.code}`, params: { detail: error.detail, version: error.version ?? '' } });
    } else {
      report(null, { storage: error });
    }
  } finally {
    document.body.dataset.backup = 'idle';
  }
}
