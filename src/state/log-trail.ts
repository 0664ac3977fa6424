import type { RunState } from './run.js';
import { FailedKeys } from './failed-keys.js';
import { OUTCOME_MASK, OUTCOME_SKIPPED, OUTCOME_SUCCEEDED } from './key-ledger.js';

/** A key an earlier run of the log failed: its latest such failure, and whether a later run scraped it. */
export interface TrailEntry {
  /** Start (epoch ms) of the latest earlier run that failed it (its first line's time when it has no banner). */
  readonly failedAt: number;
  /** That run's failure kind and error text, as its log said them. */
  readonly failure: string;
  readonly error: string;
  /** Start of a later earlier run that scraped or skipped it; null: none since its failure. */
  readonly scrapedAt: number | null;
  /**
   * How many of the log's earlier runs failed it, and tried it (failed, scraped or skipped it), since the trail first
   * held it: two counts per key, so `failed in 5 of 5 runs` is true however many runs the log had (tester AA12: the
   * trail kept only the latest failure, and five identical runs read `2 of 2`). Absent: 1 (an entry made before).
   */
  readonly failedRuns?: number;
  readonly triedRuns?: number;
}

/**
 * What the log's earlier runs said last about the keys they failed. Earlier runs keep counts only, not
 * their keys (memory), so this is gathered when a run goes to history: one lookup in the run's per-key
 * store for each key already held, and the keys it failed. It is the log's own evidence for the failures
 * table: a key an earlier run failed and a later one scraped has recovered, storage listed or not
 * (tester U7), and the failures of a run that wrote no failed-keys file (killed, machine asleep) stay
 * failing after another run starts (tester U12).
 */
export interface LogTrail {
  readonly keys: ReadonlyMap<string, TrailEntry>;
}

/** Keys the trail holds; past it the keys failed longest ago go. */
export const TRAIL_LIMIT = 200_000;

/** When a run started, as the trail dates it (the same for the run in history: see `runOfTrail`). */
export function trailTime(run: Pick<RunState, 'startedAt' | 'lastActivityAt'>): number {
  return run.startedAt ?? run.lastActivityAt ?? 0;
}

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
  const at = trailTime(run);
  const keys = new Map<string, TrailEntry>();
  if (old) {
    for (const [key, e] of old) {
      const outcome = ledger ? ledger.peek(key) & OUTCOME_MASK : 0;
      keys.set(key, outcome === OUTCOME_SUCCEEDED || outcome === OUTCOME_SKIPPED ? { ...e, scrapedAt: at, triedRuns: (e.triedRuns ?? 1) + 1 } : e);
    }
  }
  for (const [key, f] of failed) {
    // Failed again: to the end (the newest failures are kept longest), with no scrape since; one more run failed it.
    const before = keys.get(key);
    keys.delete(key);
    keys.set(key, { failedAt: at, failure: f.failure, error: f.error, scrapedAt: null, failedRuns: before ? (before.failedRuns ?? 1) + 1 : 1, triedRuns: before ? (before.triedRuns ?? 1) + 1 : 1 });
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
  const at = trail?.keys.get(key)?.scrapedAt;
  if (at === undefined || at === null) return false;
  return failedAt === null || Math.floor(at / 1000) > Math.floor(failedAt / 1000);
}
