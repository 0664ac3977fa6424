import type { AppState } from './app-state.js';
import { OUTCOME_MASK, OUTCOME_NONE, SEEN_PROCESSING, SEEN_QUEUED, type KeyLedger } from './key-ledger.js';
import { runFigures, type RunFigures } from './run-view.js';
import type { RunState } from './run.js';
import { writerOf } from './writer.js';

/**
 * The current run's figures as every view shows them: with storage known, the ETA leaves out the keys
 * the script will skip in milliseconds (announced in this run, not done yet, already in storage).
 */
export function currentFigures(state: AppState, now: number = state.now): RunFigures {
  const run = state.log.current;
  return runFigures(run, now, writerOf(state), true, pendingInStorage(run, state.coverage.storage?.keys ?? null));
}

const cache = new WeakMap<Set<string>, { ledger: KeyLedger; version: number; count: number }>();

/**
 * Keys of `run` (queued or processing lines) with no outcome yet that `storage` already holds: the
 * script skips them (resume logic), so they cost no time. One pass over the storage keys per change of
 * either (cached by the storage listing, the run's key store and its version).
 */
export function pendingInStorage(run: RunState | null, storage: Set<string> | null): number {
  if (!run?.keys || !storage || storage.size === 0) return 0;
  const ledger = run.keys.ledger;
  const hit = cache.get(storage);
  if (hit && hit.ledger === ledger && hit.version === run.keysVersion) return hit.count;
  let count = 0;
  for (const key of storage) {
    const s = ledger.find(key);
    if ((s & (SEEN_QUEUED | SEEN_PROCESSING)) !== 0 && (s & OUTCOME_MASK) === OUTCOME_NONE) count++;
  }
  cache.set(storage, { ledger, version: run.keysVersion, count });
  return count;
}
