// A storage failure (history-store.js's StorageError) in the page's words: what went wrong and
// that nothing already saved was lost, since every change is one transaction.
import { t } from './i18n.js';

const CODES = ['unavailable', 'quota', 'failed'];

/** The message for `error`, in the current language. */
export function storageMessage(error) {
  const code = CODES.includes(error?.code) ? error.code : 'failed';
  return t(`history.error.${code}`, { reason: error?.message ?? String(error) });
}
