import { placeErrorSource, regionUnanswered, runningKnownTo, stuckOf } from '../state/place-state.js';
import { isActive } from '../cloud-run/execution.js';
import type { AppState } from './app-state.js';
import type { WriterInfo } from './run-view.js';
import { behindByLaunch, launchOfCurrentLogRun, onOurClock } from './launch-match.js';
import { earlierRuns } from './log-runs.js';

/** What the process side knows of the log's writer, as run-view needs it; with how far the log's clock is off. */
export function writerOf(state: AppState): WriterInfo {
  const w = writerFacts(state);
  const launchedAt = launchOfCurrent(state)?.startedAt ?? null;
  // A writer a little behind ours: read on its clock by how far its run's first line precedes its launch (launch-match.ts).
  // Not a Cloud Run execution's: its entries are dated by Cloud Logging, and its launch is recorded once the region
  // answered the run request, which its first entries may precede (train 3: cloud-run-unlisted read 0:07 for 0:08).
  const behind = state.log.clockBehindMs || (state.place ? null : behindByLaunch(state.log.current?.startedAt ?? null, launchedAt));
  const withLaunch = launchedAt !== null ? { ...w, launchedAt } : w;
  return behind ? { ...withLaunch, clockBehindMs: behind } : withLaunch;
}

function writerFacts(state: AppState): WriterInfo {
  const p = state.process;
  const arrivedAt = state.log.lastArrivalAt;
  // Our run's stop, exit and pid say nothing of a run begun in the log after it (tester U5).
  const later = laterRun(state);
  // A cancelled Cloud Run execution ended at its completion, not at its newest entry read (tester V4: `stuck · 2:30`
  // then `stopped · 1:48`, the log delay taken off the elapsed).
  // The end recorded in runs.jsonl first: every dashboard of one run then says one elapsed (tester AD11: the one that
  // saw the exit later said `0:09` beside the recorded `0:08`).
  if (p.stopped && !later) return { alive: false, stopped: true, endedAt: recordedEnd(state) ?? p.exitedAt ?? state.place?.execution?.completionTime ?? null, ...(state.place ? { endsAfterSummary: true } : {}) };
  // A Cloud Run execution says itself whether tasks run; its log arrives late, so silence proves nothing.
  const e = state.place?.execution;
  if (e) {
    const place = state.place!;
    // Last seen running, the region not answering since (tester AF5): its time stops at that last look, or at a later
    // line of its log (Cloud Logging may still answer), never counting on with the clock.
    const unanswered = regionUnanswered(place);
    const lastSeen = unanswered ? (place.errorSince ?? place.errorAt) : null;
    // Running by the newest look at it (asked then): its time runs to that look, or a later line of its log, never on
    // with the clock to the next look, past an end that look may bring (h79's note: `1:06`, then `incomplete · 1:04`).
    // Ended: at its completion, or that look when later (a clock of the region's behind ours), so it never steps back.
    const seen = place.seenRunningAt ?? null;
    const active = isActive(e);
    const endedAt = active ? (lastSeen ?? (seen !== null ? runningKnownTo(place, state.now) : null)) : e.completionTime !== null && seen !== null ? Math.max(e.completionTime, seen) : (e.completionTime ?? seen);
    return { alive: active, tasksRunning: active, arrivedAt, stuck: stuckOf(state) !== null, logIncomplete: !active && place.logIncomplete === 'waiting', endedAt, readUntil: place.logNewestAt, tasks: e.runningCount, endsAfterSummary: true, ...(place.error ? { unseen: `${placeErrorSource(place.error)} cannot be read` } : {}), ...(unanswered || (active && seen !== null) ? { unproven: true } : {}) };
  }
  if (p.external) return { alive: true, arrivedAt };
  // A launch from here in its start window: its child is spawned and writing, not yet in the state (its pid comes a
  // second later). A look then finds no writer but ours, which is no end (tester W22: `run ended without a summary
  // after 0 keys` alerted for a run starting 1 s after a stop).
  if (p.launching && p.startingPid) return { alive: true, arrivedAt };
  if (stoppedByRecord(state)) return { alive: false, stopped: true, endedAt: state.process.history.at(-1)?.endedAt ?? null };
  if (p.pid !== null && p.alive !== null && !later) return { alive: p.alive, arrivedAt, ...(p.alive ? {} : { endedAt: recordedEnd(state) ?? p.exitedAt ?? null }) };
  if (p.writersChecked) {
    // A write after our last look at /proc (lines arriving, or the file's modification time once read: our clock)
    // means someone writes the log after all. Never a line's own time: a log's clock may be off, or its zone guessed
    // from a copy's modification time to fit now (tester Z11: a dead run's copy read `running`).
    const modifiedAt = state.log.modifiedAt ?? null;
    const checkedAt = p.writersCheckedAt;
    // The look could not see every process that may write it (the log another user's): its writer is not known, so
    // the run goes by its lines (running, then stalled; elapsed their span), never `ended` while it may write.
    if (p.writersHidden) return { alive: null, arrivedAt, unproven: true };
    if (checkedAt !== null && ((arrivedAt !== null && arrivedAt > checkedAt) || (modifiedAt !== null && modifiedAt > checkedAt))) return { alive: null, arrivedAt, unproven: true };
    // A writer not started here that this dashboard saw go: its run ran until then (run-view endOf). A run launched
    // from here ended where its end record says, on every surface (tester AD3: a launch that died before its first
    // record read `0:01` on its dashboard and in `h`, `elapsed 0:00` in `status`).
    // This dashboard's look, or the end another's look recorded first for the run (one writer seen gone by two
    // dashboards a second apart: the earlier, one end for all).
    if (p.externalEndedAt != null) {
      const first = recordedWriterEnd(state);
      return { alive: false, endedAt: first !== null ? Math.min(first, p.externalEndedAt) : p.externalEndedAt };
    }
    const launchEnd = launchEndOfCurrent(state);
    if (launchEnd !== null) return { alive: false, endedAt: launchEnd };
    // Another dashboard watched its writer (not started here) go, and recorded when (tester AI4): that end, not its
    // last line, as that dashboard says it.
    const recorded = recordedWriterEnd(state);
    return recorded !== null ? { alive: false, endedAt: recorded } : { alive: false };
  }
  return { alive: null, arrivedAt };
}

/** A recorded end of a writer not started here this far past the run's last line is another run's. */
const WRITER_END_AFTER_LAST_MAX_MS = 24 * 3_600_000;

/**
 * The end another dashboard recorded for the current run's writer, one not started here (runs.jsonl WriterEndRecord):
 * the first recorded after its last line (our clock), within a day of it; null when none.
 */
function recordedWriterEnd(state: AppState): number | null {
  const ends = state.process.writerEnds;
  const run = state.log.current;
  const last = run?.lastActivityAt ?? run?.startedAt ?? null;
  if (!ends?.length || last == null) return null;
  const lastOurs = onOurClock(last, state.log.clockBehindMs);
  return ends.find((t) => t >= lastOurs && t - lastOurs <= WRITER_END_AFTER_LAST_MAX_MS) ?? null;
}

/** Looks at who writes the log come at most this often when lines call for one (a /proc walk each). */
export const WRITERS_LOOK_GAP_MS = 1000;

/**
 * When lines came after the last look and no writer is known, the next look is due now (at most one per
 * WRITERS_LOOK_GAP_MS): until it, the dashboard could only say `running` where `status`, looking at once,
 * says `ended`. Returns the delay in ms, or null when no look is called for.
 */
export function writersLookDue(state: AppState, lastLookAt: number | null, now: number): number | null {
  // A look that cannot see the writers (the log another user's) would see no more now: none called for.
  // A Cloud Run execution's writer is the region's to say, never a look at this machine's processes.
  if (state.place || state.process.launching || state.process.writersHidden || !writerOf(state).unproven) return null;
  return lastLookAt === null ? 0 : Math.max(0, lastLookAt + WRITERS_LOOK_GAP_MS - now);
}

/** When the log's earlier runs began, on our clock: a launch belongs to the first run after it (launch-match.ts). */
function earlierStarts(state: AppState): number[] {
  return earlierRuns(state.log).map((r) => r.startedAt).filter((t): t is number => t !== null).map((t) => onOurClock(t, state.log.clockBehindMs));
}

/**
 * The log's current run is not the run this dashboard stopped: its first line came after that run's launch
 * was over, or another run came between (tester U5: a run restarted by hand after `x` read `stopped` from
 * its first line to its last). While the stopped run's record is not read yet nothing says so. Local runs only.
 */
function laterRun(state: AppState): boolean {
  // A Cloud Run run is its execution's, named by id: the process side is always the followed execution's.
  if (state.place) return false;
  const run = state.log.current;
  const rec = state.process.history.find((r) => r.id === state.process.runId);
  if (!run || run.startedAt === null || !rec) return false;
  // The run's start on our clock, as the record's (a writer's clock off: tester AA1).
  const began = onOurClock(run.startedAt, state.log.clockBehindMs);
  return launchOfCurrentLogRun(state, [rec], earlierStarts(state)) === null && began > rec.startedAt;
}

/**
 * The log's current run is one that runs.jsonl says was stopped (by this or another dashboard): the newest
 * recorded run ended with reason 'stopped', and it is that record's run by the one launch rule
 * (launch-match.ts: begun after the launch, before its end, the first run to). So every dashboard on the
 * same stopped run says `stopped`, not only the one that stopped it, and a run started after it never does.
 */
export function stoppedByRecord(state: AppState): boolean {
  const run = state.log.current;
  const rec = state.process.history.at(-1);
  if (!run || run.complete || !rec || rec.reason !== 'stopped' || rec.endedAt === null || run.startedAt === null) return false;
  if (state.process.pid !== null && state.process.alive === true) return false;
  return launchOfCurrentLogRun(state, [rec], earlierStarts(state)) !== null;
}

/** The launch from here that started the log's current run (launch-match.ts), or null; a Cloud Run run is its execution's. */
function launchOfCurrent(state: AppState): AppState['process']['history'][number] | null {
  const run = state.log.current;
  if (state.place || !run || run.startedAt === null) return null;
  // A writer not started here is not a launch's run (as launchOfCurrentRun has it).
  if (state.process.external && !state.process.attached) return null;
  return launchOfCurrentLogRun(state, state.process.history, earlierStarts(state));
}

/** The end recorded for the launch from here that started the log's current run, or null. */
function launchEndOfCurrent(state: AppState): number | null {
  return launchOfCurrent(state)?.endedAt ?? null;
}

/** The end record's time of the run this dashboard watched (process.runId), or null. */
function recordedEnd(state: AppState): number | null {
  return state.process.history.find((r) => r.id === state.process.runId)?.endedAt ?? null;
}

/** A run launched or re-attached here is running (its process seen alive). */
export function ourRunLive(p: AppState['process']): boolean {
  return p.attached && p.alive === true;
}

/**
 * The log's run is another's: a process not started here writes it and no run of ours is live. Only then the run
 * reads `(external)` and `x` refuses; beside a live run of ours the stranger is said, never taken for the run
 * (tester V18: a backfill started twice by mistake hid ours, and x would not stop it).
 */
export function strangerRun(p: AppState['process']): boolean {
  return p.external && !ourRunLive(p);
}

/** The pids of processes not started here that write the log beside our live run (tester V18); [] otherwise. */
export function otherWriters(p: AppState['process']): number[] {
  return p.external && ourRunLive(p) ? p.externalPids : [];
}

/** "pid 31881" or "pids 31881, 31915". */
export function pidsText(pids: number[]): string {
  return `pid${pids.length === 1 ? '' : 's'} ${pids.join(', ')}`;
}
