import { persistentUnknown } from '../failures/analysis.js';
import { MAX_KEY_CHARS, keyForMessage, unsafeKeyProblem } from '../key-safety.js';
import { countOf, formatCount } from '../format.js';

/** What a retry box offers (see `retryOffer`). */
export interface RetryOffer {
  keys: string[];
  withPersistent?: string[];
  /** The question `a` asks instead: every key, persistent ones included (only its `y` launches them). */
  allMessage?: string;
  message: string;
}

/** Why a suspicious key is never launched, in the operator's words: a key cut from an overlong log line says so. */
function suspiciousWhy(key: string): string {
  if (key.length === MAX_KEY_CHARS + 1 && key.endsWith('…')) return `cut from a log line's key longer than ${MAX_KEY_CHARS} characters`;
  return unsafeKeyProblem(key) ?? '';
}

/**
 * The keys a launch may take, and a note for the ones it may not: a key that is not one safe line (see
 * unsafeKeyProblem: a 60,000-character key cut for display, a key with a newline, one starting with "-")
 * would be refused when the keys file is written, and take every good key down with it. They are left
 * out before the box opens: "1 suspicious key left out ("GGGG…" cut from a log line's key longer than 200
 * characters): never launched".
 */
export function leaveOutSuspicious(keys: string[]): { safe: string[]; note: string | null } {
  const safe: string[] = [];
  const bad: string[] = [];
  for (const k of keys) (unsafeKeyProblem(k) === null ? safe : bad).push(k);
  if (bad.length === 0) return { safe, note: null };
  const what = countOf(bad.length, 'suspicious key');
  return { safe, note: `${what} left out (${keyForMessage(bad[0])} ${suspiciousWhy(bad[0])}${bad.length > 1 ? ', …' : ''}): never launched` };
}

/**
 * What a retry box offers: the keys minus the persistent ones (failed in every run that tried them: the
 * tool itself says a retry will not help), how many it left out, and `a` to take them too. When every key
 * is persistent it says so, and only `a` launches. `note`: what else was left out (suspicious keys).
 * `persistent` null: not known (storage not listed), so no key is left out on that ground, and the box says so.
 */
export function retryOffer(keys: string[], persistent: ReadonlySet<string> | null, what: string, settings: string, note: string | null = null, storageConfigured = true): RetryOffer {
  const also = note ? ` ${note}.` : '';
  // Only the settings the command takes; none, no words for them (tester X4).
  const with_ = settings ? `, ${settings}` : '';
  if (persistent === null) return { keys, message: `Retry ${countOf(keys.length, 'failed key')}${what}${with_}? Persistent: ${persistentUnknown(storageConfigured)}.${also}` };
  const left = keys.filter((k) => !persistent.has(k));
  const out = keys.length - left.length;
  if (out === 0) return { keys, message: `Retry ${countOf(keys.length, 'failed key')}${what}${with_}?${also}` };
  const them = out === 1 ? 'it' : 'them';
  const why = `failed in every run that tried ${them}: a retry will not help`;
  const allMessage = `Retry all ${countOf(keys.length, 'failed key')}${what}, the ${countOf(out, 'persistent one')} included (${why})${with_}?${also}`;
  if (left.length === 0) {
    return { keys: [], withPersistent: keys, allMessage, message: `${keys.length === 1 ? 'The failed key' : `All ${countOf(keys.length, 'failed key')}`}${what} ${keys.length === 1 ? 'is' : 'are'} persistent (${why}). Nothing to retry by default; a asks to retry ${them} anyway${with_}.${also}` };
  }
  const are = countOf(out, 'persistent key');
  return { keys: left, withPersistent: keys, allMessage, message: `Retry ${countOf(left.length, 'failed key')}${what}${with_}? ${are} left out (${why}); a asks to retry all ${formatCount(keys.length)}.${also}` };
}
