import { formatCount } from '../format.js';
import { FAILED_KEYS_LIMIT } from './failed-keys.js';
import type { RunState } from './run.js';

/**
 * What the operator should know about how a run was counted, one short line each: lines that looked
 * like outcomes but no rule read, repeated key lines (a logger with two handlers) and failed keys past
 * the listing bound. Empty when neither happened.
 */
export function runNotes(run: RunState | null): string[] {
  if (!run) return [];
  const notes: string[] = [];
  if (run.unrecognized > 0) notes.push(`${formatCount(run.unrecognized)} line${run.unrecognized === 1 ? '' : 's'} looked like outcomes but matched no rule`);
  if (run.duplicateLines > 0) notes.push(`${formatCount(run.duplicateLines)} repeated key line${run.duplicateLines === 1 ? '' : 's'} counted once`);
  if (run.failedKeysOmitted > 0) notes.push(failedOmittedNote(run));
  return notes;
}

/** "1,234 more failed keys not listed (the newest 200,000 are)". */
export function failedOmittedNote(run: RunState): string {
  return `${formatCount(run.failedKeysOmitted)} more failed keys not listed (the newest ${formatCount(FAILED_KEYS_LIMIT)} are)`;
}
