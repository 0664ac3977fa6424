import type { AppState } from './app-state.js';
import { OUTCOME_MASK, OUTCOME_NONE, OUTCOME_SKIPPED, SEEN_PROCESSING, SEEN_QUEUED, type KeyLedger } from './key-ledger.js';
import { runFigures, type RunFigures } from './run-view.js';
import { doneOf, type RunState } from './run.js';
import { writerOf } from './writer.js';
import { executionLogGone } from './failures-known.js';
import { linesLost } from './rotation-note.js';

/**
 * The current run's figures as every view shows them: with storage known, the ETA leaves out the keys
 * the script will skip in milliseconds (announced in this run, not done yet, already in storage).
 */
export function currentFigures(state: AppState, now: number = state.now): RunFigures {
  const run = state.log.current;
  const f = runFigures(run, now, writerOf(state), true, skipsClaimed(state), { linesOnly: linesLost(state) });
  // Its launch's facts alone (no line read, nothing kept) over a log that is gone: 0 done would be a count made up.
  const launchOnly = run !== null && !run.hasActivity && run.lastActivityAt === null && run.keptFrom === undefined;
  if (launchOnly && executionLogGone(state)) return { ...f, countsUnknown: true };
  // Or over an execution's log with no entry read yet: not known yet, never `✗ 0 failed` (AJ5 e).
  return launchOnly && state.place?.execution && state.place.logNewestAt === null ? { ...f, countsAwaited: true } : f;
}

/**
 * The keys of the shown run the script will still skip (skipsAhead), none while lines of it may be lost: a key whose
 * outcome line is among them reads as one with no outcome (tester AG10).
 */
export function skipsClaimed(state: AppState): number {
  return linesLost(state) ? 0 : skipsAhead(state.log.current, state.coverage.storage?.keys ?? null);
}

/**
 * Keys of `run` the script will still skip: announced, no outcome line, already in `storage`, less the
 * skips that already happened. The reference scripts log a skip at DEBUG, so a skipped key never gets an
 * outcome line, yet Progress lines count it in `done`: without this it would leave the ETA twice (once
 * as done, once as ahead) and the ETA would read ~0 s with a third of the work left.
 */
export function skipsAhead(run: RunState | null, storage: Set<string> | null): number {
  if (!run) return 0;
  const { count, skippedByLine } = tally(run, storage);
  if (count === 0) return 0;
  const done = Math.max(doneOf(run), run.progressDone);
  const skipsBehindUnseen = Math.max(0, done - run.succeeded - run.failed - skippedByLine);
  return Math.max(0, count - skipsBehindUnseen);
}

const cache = new WeakMap<Set<string>, { ledger: KeyLedger; version: number; count: number; skippedByLine: number }>();

/**
 * Keys of `run` (queued or processing lines) with no outcome yet that `storage` already holds: the
 * script skips them (resume logic), so they cost no time. One pass over the storage keys per change of
 * either (cached by the storage listing, the run's key store and its version).
 */
export function pendingInStorage(run: RunState | null, storage: Set<string> | null): number {
  return run ? tally(run, storage).count : 0;
}

/** `count` as pendingInStorage says; `skippedByLine`: storage keys whose outcome is a skip line of this run. */
function tally(run: RunState, storage: Set<string> | null): { count: number; skippedByLine: number } {
  if (!run.keys || !storage || storage.size === 0) return { count: 0, skippedByLine: 0 };
  const ledger = run.keys.ledger;
  const hit = cache.get(storage);
  if (hit && hit.ledger === ledger && hit.version === run.keysVersion) return hit;
  let count = 0;
  let skippedByLine = 0;
  for (const key of storage) {
    const s = ledger.peek(key);
    const outcome = s & OUTCOME_MASK;
    if ((s & (SEEN_QUEUED | SEEN_PROCESSING)) !== 0 && outcome === OUTCOME_NONE) count++;
    else if (outcome === OUTCOME_SKIPPED) skippedByLine++;
  }
  const entry = { ledger, version: run.keysVersion, count, skippedByLine };
  cache.set(storage, entry);
  return entry;
}
