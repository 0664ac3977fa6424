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

/** What a launch box is for: `r`/`R` retry failed keys, `s` launches the keys missing from storage. */
export interface OfferWords {
  /** `Retry`, `Launch`. */
  verb: 'Retry' | 'Launch';
  /** `failed key`, `key`; and how a box says all of them (`failed keys`, `missing keys`). */
  noun: string;
  allNoun: string;
  /** ` (Play-In only)`, ` matching "x" (the filtered table)`, or ''. */
  what: string;
  /** Where the run goes (` on Cloud Run job J in us-west2 (project P)`), '' for this machine (tester Z10: the box named neither). */
  where: string;
  /** `3 workers, timeout 300 s`, or '' when the command takes neither. */
  settings: string;
  /** What else was left out (suspicious keys), said last. */
  note: string | null;
  /** A sentence said after the question (`No storage is configured, so nothing was subtracted: …`). */
  after?: string;
  /** The persistent keys left out by phase (`All-Star 8 · Play-In 12 · Playoffs 15`; analysis.ts keysByPhase), null for none. */
  phases?: (keys: readonly string[]) => string | null;
}

/**
 * What a launch box offers, `r` and `s` alike (tester Z7: `s` offered the keys that failed in every run that tried them
 * without a word while `r` left them out and said so): the keys minus the persistent ones (the tool itself says a retry
 * will not help), how many it left out, and `a` to take them too. When every key is persistent it says so, and only `a`
 * launches. `persistent` null: not known (storage not listed, or none configured), so no key is left out on that
 * ground, and the box says so when any key offered is `failing` (has failed and not recovered).
 */
export function launchOffer(keys: string[], persistent: ReadonlySet<string> | null, w: OfferWords, failing: (key: string) => boolean = () => true, storageConfigured = true): RetryOffer {
  const also = `${w.after ? ` ${w.after}` : ''}${w.note ? ` ${w.note}.` : ''}`;
  const verb = w.verb.toLowerCase();
  // Only the settings the command takes; none, no words for them (tester X4).
  const with_ = w.settings ? `, ${w.settings}` : '';
  const ask = (n: number) => `${w.verb} ${countOf(n, w.noun)}${w.what}${w.where}${with_}?`;
  if (persistent === null) return { keys, message: `${ask(keys.length)}${keys.some(failing) ? ` Persistent: ${persistentUnknown(storageConfigured)}.` : ''}${also}` };
  const left = keys.filter((k) => !persistent.has(k));
  const out = keys.length - left.length;
  if (out === 0) return { keys, message: `${ask(keys.length)}${also}` };
  const them = out === 1 ? 'it' : 'them';
  // Which days they are, in the operator's terms, as f says (tester AD4: the box said only "persistent").
  const phases = w.phases?.(keys.filter((k) => persistent.has(k))) ?? null;
  const why = `${phases ? `${phases}; ` : ''}failed in every run that tried ${them}: a retry will not help`;
  const allMessage = `${w.verb} all ${countOf(keys.length, w.noun)}${w.what}${w.where}, the ${countOf(out, 'persistent one')} included (${why})${with_}?${also}`;
  if (left.length === 0) {
    const subject = keys.length === 1 ? `The ${w.allNoun.replace(/s$/, '')}` : `All ${formatCount(keys.length)} ${w.allNoun}`;
    return { keys: [], withPersistent: keys, allMessage, message: `${subject}${w.what} ${keys.length === 1 ? 'is' : 'are'} persistent (${why}). Nothing to ${verb} by default; a asks to ${verb} ${them} anyway${w.where}${with_}.${also}` };
  }
  return { keys: left, withPersistent: keys, allMessage, message: `${ask(left.length)} ${countOf(out, 'persistent key')} left out (${why}); a asks to ${verb} all ${formatCount(keys.length)}.${also}` };
}

/** The retry box's offer (`r`, `R`): launchOffer in a retry's words. */
export function retryOffer(keys: string[], persistent: ReadonlySet<string> | null, what: string, settings: string, note: string | null = null, storageConfigured = true, where = '', phases?: OfferWords['phases']): RetryOffer {
  return launchOffer(keys, persistent, { verb: 'Retry', noun: 'failed key', allNoun: 'failed keys', what, where, settings, note, phases }, () => true, storageConfigured);
}
