import { drawFate, type Fate, type FateOptions } from './fate.js';
import { progressMessage, type Tally } from './messages.js';
import type { Random } from './random.js';

/** Python logging levels the script writes at (its DEBUG skip lines are below the INFO threshold). */
export type Level = 'INFO' | 'WARNING' | 'ERROR';

/** What a record is, for callers that count without parsing: the run's first line, or a key's outcome. */
export type RecordKind = 'start' | 'scraped' | 'failed';

/** One entry of failed_dates_*.json, in the script's key order. */
export interface FailedEntry {
  game_date: string;
  status: 'failed' | 'timeout' | 'error' | 'exception';
  error: string;
}

/** The world a run touches. Sync returns let the fast synthetic writer skip a microtask per event. */
export interface RunHooks {
  now(): number;
  /** Starts the run's clock; the returned function waits until `offsetMs` simulated ms after that start. */
  startClock(): (offsetMs: number) => Promise<void> | void;
  /** True once the run must stop taking keys (signal, byte budget). */
  stopped(): boolean;
  isPresent(key: string): Promise<boolean> | boolean;
  /** Stores a scraped key; called before its success is logged, as the service writes before replying. */
  saveScraped(key: string, fate: Fate): Promise<void> | void;
  log(level: Level, message: string, kind?: RecordKind): void;
}

/** A key on a worker: when it finishes and how. */
interface Job {
  key: string;
  fate: Fate;
  present: boolean;
  endsAt: number;
}

/** How the key loop ended. */
export interface KeysResult extends Tally {
  failedDates: FailedEntry[];
  interrupted: boolean;
}

/** The WARNING line and the failed-file error text of each failure the script catches itself. */
function failure(key: string, fate: Fate, timeout: number): { line: string; error: string } {
  if (fate.outcome === 'timeout') return { line: `  ❌ Timeout ${key}`, error: `Timeout after ${timeout}s` };
  if (fate.outcome === 'error') return { line: `  ❌ Error ${key}: ${fate.error}`, error: fate.error ?? '' };
  return { line: `  ❌ Failed ${key}: HTTP 500`, error: 'HTTP 500' };
}

/**
 * The script's thread pool as a discrete-event simulation: `workers` slots pull keys in order; the next
 * event is always the earliest-finishing job (ties to the lower slot), so a run is deterministic for a
 * seed and an instant fake clock works. With one worker it logs `Processing` per key, else `Queued` up front.
 */
export async function runKeys(keys: string[], fates: FateOptions & { workers: number }, rng: Random, hooks: RunHooks): Promise<KeysResult> {
  const total = keys.length;
  const t: KeysResult = { total, processed: 0, skipped: 0, failed: 0, failedDates: [], interrupted: false };
  const slots: Array<Job | null> = new Array(fates.workers).fill(null);
  const startedAt = hooks.now();
  const waitUntil = hooks.startClock();
  if (fates.workers > 1) keys.forEach((key, i) => hooks.log('INFO', `[${i + 1}/${total}] Queued ${key}`));
  let next = 0;

  const start = (slot: number, at: number): Promise<void> | void => {
    if (next >= total) return void (slots[slot] = null);
    const key = keys[next++];
    if (fates.workers === 1) hooks.log('INFO', `[${next}/${total}] Processing ${key}`);
    const fate = drawFate(rng, key, fates);
    return then(hooks.isPresent(key), (present) => {
      slots[slot] = { key, fate, present, endsAt: at + fate.checkMs + (present ? 0 : fate.workMs) };
    });
  };

  const counted = (failed: FailedEntry | null): void => {
    if (failed) {
      t.failed++;
      t.failedDates.push(failed);
    } else t.processed++;
    if (failed?.status === 'exception') return;
    if ((t.processed + t.skipped + t.failed) % 50 === 0) {
      hooks.log('INFO', progressMessage(t, (hooks.now() - startedAt) / 1000));
    }
  };

  const finish = (job: Job): Promise<void> | void => {
    const { key, fate } = job;
    if (job.present) return void t.skipped++;
    if (fate.outcome === 'success') {
      return then(hooks.saveScraped(key, fate), () => {
        hooks.log('INFO', `  ✅ Scraped ${key}`, 'scraped');
        counted(null);
      });
    }
    if (fate.outcome === 'exception') {
      // Raised out of the worker: as_completed logs it, outside the lock and without a Progress check.
      hooks.log('ERROR', `Exception processing ${key}: ${fate.error}`, 'failed');
      return counted({ game_date: key, status: 'exception', error: fate.error ?? '' });
    }
    const { line, error } = failure(key, fate, fates.timeout);
    hooks.log('WARNING', line, 'failed');
    counted({ game_date: key, status: fate.outcome, error });
  };

  for (let slot = 0; slot < slots.length && !hooks.stopped(); slot++) await start(slot, 0);
  for (;;) {
    let slot = -1;
    for (let i = 0; i < slots.length; i++) {
      const job = slots[i];
      if (job && (slot < 0 || job.endsAt < slots[slot]!.endsAt)) slot = i;
    }
    if (slot < 0) break;
    const job = slots[slot]!;
    const waited = waitUntil(job.endsAt);
    if (waited) await waited;
    if (hooks.stopped()) return { ...t, interrupted: true };
    const finished = finish(job);
    if (finished) await finished;
    const started = start(slot, job.endsAt);
    if (started) await started;
  }
  return { ...t, interrupted: hooks.stopped() && next < total };
}

/** Runs `f` now on a plain value, or after a promise: sync hooks then cost no microtask per event. */
function then<T>(value: T | Promise<T>, f: (value: T) => void): Promise<void> | void {
  return value instanceof Promise ? value.then(f) : f(value);
}
