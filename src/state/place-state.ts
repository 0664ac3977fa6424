import { isActive, type ExecutionInfo } from '../cloud-run/execution.js';
import { stuckReason } from '../cloud-run/stuck.js';
import type { AppState } from './app-state.js';

/** A Cloud Run Job as the dashboard follows it: the current execution, its log's freshness, recent ones. */
export interface PlaceState {
  kind: 'cloud-run';
  /** "Cloud Run job J (REGION)". */
  label: string;
  /** The execution followed now: the running one, else the newest finished one. Null until listed. */
  execution: ExecutionInfo | null;
  /** That execution was launched from a dashboard (recorded in runs.jsonl); false means gcloud, the console... */
  ours: boolean;
  /** Timestamp of the newest log entry read (epoch ms): its age is the log delay. */
  logNewestAt: number | null;
  /** When the log was last read successfully. */
  logReadAt: number | null;
  /**
   * A read of the followed execution's log has reached its end (false from the follow until one does; undefined when
   * nothing was followed): until then what it tried and failed is not known, a failed read included (tester AD10:
   * Cloud Logging refused and `failing 0`, `missing --from failures` empty, exit 0).
   */
  logCaughtUp?: boolean;
  /** The execution ended but its last entries have not all arrived ('waiting'), or never did ('gave-up'). */
  logIncomplete: 'waiting' | 'gave-up' | null;
  /**
   * The followed execution had ended when this dashboard took it up, and no read of its log has reached its end yet: its
   * run is being read (`reading…`, log-reading.ts), never judged `incomplete` from nothing read (tester AH4). A
   * dashboard's only; absent in `status`, which reads the log before it says anything.
   */
  firstRead?: boolean;
  /**
   * Cloud Logging lost the entries of the followed execution after some were read (a region restarted without them):
   * what was read is its run, kept in this file (`.backfill-tui/executions/ID.json`), as `status` then reads it. Absent
   * or null otherwise.
   */
  logGone?: string | null;
  /** The last failed call to Cloud Run or Logging, with how to fix it; figures shown are then stale. */
  error: string | null;
  hint: string | null;
  errorAt: number | null;
  /**
   * When the failed log read is tried next (epoch ms), for a Cloud Logging error; null otherwise. Kept apart from
   * `error` so the line says it while it is ahead, and `reading again…` once it is past (tester AE12's nit: `next read
   * at 17:51:47` stood at 17:52:11, the feed's turn taken by another execution's log).
   */
  retryAt?: number | null;
  /** The read after a failed one is under way (the feed asked): `reading again…` until it answers or fails. */
  logReading?: boolean;
  /**
   * A one-shot look (`status`) cut by its time bound before the executions were listed: `error` says so. The place
   * line then says the look timed out, not that the region is unreachable (it may be fine: tester W18's residue).
   */
  cut?: boolean;
  /** When the calls began failing (the first failure since the last answer), epoch ms: "since 14:03:07" (tester W18). */
  errorSince?: number | null;
  /**
   * When the newest look that found the followed execution active was asked (our clock; absent or null: no such look,
   * as in `status`). It ran at least until then, and nothing later is known until the next look: its elapsed time is
   * shown to there (or to a later line of its log), never counted on with the clock past an end not yet seen (writer.ts).
   */
  seenRunningAt?: number | null;
  /** How often a running execution is looked at (`cloudRun.pollSeconds`), ms; absent: 5 s. */
  lookEveryMs?: number;
  /** A cancel was sent and the execution has not ended yet. */
  cancelling: boolean;
  /** When the job's executions were last listed (epoch ms); null until the first answer. */
  listedAt: number | null;
  /** Recent finished executions, newest first. */
  recent: ExecutionInfo[];
  stuckAfterMs: number;
}

/** The state of a Cloud Run place before anything is known. */
export function initialPlaceState(label: string, stuckAfterMs: number, lookEveryMs?: number): PlaceState {
  return { ...(lookEveryMs !== undefined ? { lookEveryMs } : {}), kind: 'cloud-run', label, execution: null, ours: false, logNewestAt: null, logReadAt: null, logIncomplete: null, error: null, hint: null, errorAt: null, cancelling: false, listedAt: null, recent: [], stuckAfterMs };
}

/**
 * The moment a running execution's time is shown to (its elapsed, and how long its stuck line says it ran): the clock a
 * look interval (and a second for the call) behind now, so it ticks each second, but never past the newest proof that it
 * runs (the newest look that found it running, asked then, or its newest log entry), which its end cannot be before: a
 * clock counted to now went back at an end the next look brought (h79's note: `1:06`, then `incomplete · 1:04`). `now`
 * when no look says (an execution not running). `status` takes its one listing as that look, so both agree.
 */
export function runningKnownTo(place: PlaceState | null | undefined, now: number): number {
  const e = place?.execution;
  if (!e || !isActive(e) || place!.seenRunningAt == null) return now;
  const newest = place!.logNewestAt ?? 0;
  return Math.min(now, Math.max(newest, Math.min(now - lookLagMs(place!), Math.max(place!.seenRunningAt, newest))));
}

/**
 * Why the followed execution is stuck, or null: one rule and one time for the header's state, its line, `status`, the
 * alert and the leave words. Counted from its run's start, the header's elapsed (AJ5's note: the header counted from
 * the execution's creation, seen pending at its launch, the stuck line from its start, `stuck · 0:55` over `running
 * 0:25`); its own start when no run of it is shown.
 */
export function stuckOf(state: Pick<AppState, 'place' | 'now' | 'log'>): string | null {
  const p = state.place;
  const e = p?.execution ?? null;
  if (!p || !e) return null;
  const run = state.log.current?.startedAt ?? null;
  // The run shown is this execution's (a new one is a new run from its launch): never one before its creation.
  const from = run !== null && run >= e.createTime - RUN_BEFORE_CREATE_MS ? run : null;
  return stuckReason(e, runningKnownTo(p, state.now), p.stuckAfterMs, from);
}

/** A run's first line may read a little before its execution's creation on a region's clock: within this, it is its run. */
const RUN_BEFORE_CREATE_MS = 60_000;

/** How far behind now a running execution's time is shown (runningKnownTo): a look interval and a second. */
export function lookLagMs(place: Pick<PlaceState, 'lookEveryMs'>): number {
  return (place.lookEveryMs ?? 5000) + 1000;
}

/**
 * The service a Cloud Run place's error names: `Cloud Logging` for an error of the log's reads (they begin
 * `Cloud Logging: …`, cloud-run/errors.ts), which leave the execution's state fresh; else `Cloud Run` (the region).
 */
export function placeErrorSource(message: string): 'Cloud Run' | 'Cloud Logging' {
  return /^Cloud Logging\b/.test(message) ? 'Cloud Logging' : 'Cloud Run';
}

/**
 * The region does not answer about the followed execution, last seen running (tester AF5): whether it goes on is not
 * known now. Its run is then `error` (row-problem.ts runUnknown) and its clock stops at that last look (writer.ts).
 */
export function regionUnanswered(p: Pick<PlaceState, 'execution' | 'error'>): boolean {
  return p.execution !== null && isActive(p.execution) && p.error !== null && placeErrorSource(p.error) === 'Cloud Run';
}

/**
 * The place's error as said at `now`: with when the log is read next while that is ahead and no read is under way,
 * `reading again…` while one is (or its time is past: waiting its turn), never a time already gone.
 */
export function placeErrorText(p: Pick<PlaceState, 'error' | 'retryAt' | 'logReading'>, now: number, clock: (ms: number) => string): string {
  if (p.error === null) return '';
  if (p.retryAt == null) return p.error;
  return `${p.error}; ${!p.logReading && now < p.retryAt ? `next read at ${clock(p.retryAt)}` : 'reading again…'}`;
}
