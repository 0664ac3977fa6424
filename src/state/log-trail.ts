import type { RunState } from './run.js';
import { FailedKeys } from './failed-keys.js';
import { OUTCOME_MASK, OUTCOME_SKIPPED, OUTCOME_SUCCEEDED } from './key-ledger.js';

/**
 * What the log's earlier runs said last about the keys they failed: for a key an earlier run of the log
 * failed and a later one (still earlier than the current run) scraped or skipped, the start (epoch ms) of
 * that later run. A key an earlier run failed again after that is not here. This is the log's own positive
 * evidence that a failed key recovered: with storage not listed (not configured, or failing) it is the
 * only way to know (a run's silence about a key proves nothing then). Earlier runs keep counts only, not
 * their keys (memory), so it is gathered when a run goes to history: one lookup in the run's per-key store
 * for each key already failed, and the keys it failed.
 */
export interface LogTrail {
  /** Keys failed in an earlier run of the log, each with the start of a later run that scraped it (null: none since). */
  readonly keys: ReadonlyMap<string, number | null>;
}

/** Keys the trail holds; past it the keys failed longest ago go (they say nothing of newer runs). */
export const TRAIL_LIMIT = 200_000;

/**
 * The trail after `run` (the run going to history, its per-key store still there). A copy: snapshots of the
 * state stay as they were. Cost: the keys held plus the keys the run failed.
 */
export function trailAfter(trail: LogTrail | null | undefined, run: RunState): LogTrail | null {
  const ledger = run.keys?.ledger;
  // Its failures as of now: inside a batch the run's own view is pinned to the batch before.
  const failed = run.keys ? FailedKeys.of(run.keys.failed, run.keysVersion) : run.failedKeys;
  const old = trail?.keys;
  if (!ledger && !old) return trail ?? null;
  const at = run.startedAt ?? run.lastActivityAt ?? 0;
  const keys = new Map<string, number | null>();
  if (old) {
    for (const [key, scrapedAt] of old) {
      const outcome = ledger ? ledger.peek(key) & OUTCOME_MASK : 0;
      keys.set(key, outcome === OUTCOME_SUCCEEDED || outcome === OUTCOME_SKIPPED ? at : scrapedAt);
    }
  }
  for (const [key] of failed) {
    // Failed again: to the end (the newest failures are kept longest), with no scrape since.
    keys.delete(key);
    keys.set(key, null);
  }
  if (keys.size > TRAIL_LIMIT) {
    let drop = keys.size - TRAIL_LIMIT;
    for (const key of keys.keys()) {
      if (drop-- <= 0) break;
      keys.delete(key);
    }
  }
  return keys.size === 0 ? null : { keys };
}

/**
 * Whether the log says `key` was scraped (or skipped) after the run that started at `failedAt` failed it:
 * the scraping run started in a later second (failed-keys files name their run to the second).
 */
export function scrapedSince(trail: LogTrail | null | undefined, key: string, failedAt: number | null): boolean {
  const at = trail?.keys.get(key);
  if (at === undefined || at === null) return false;
  return failedAt === null || Math.floor(at / 1000) > Math.floor(failedAt / 1000);
}
