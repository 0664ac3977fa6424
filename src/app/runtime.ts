import { stat } from 'node:fs/promises';
import { readyUnlessAborted } from '../abort.js';
import type { Config } from '../config.js';
import { findAttachable } from '../runner/attach.js';
import { readRuns, readWriterEnds, recordWriterEndOnce, runsFileNotRegular, runsPath } from '../runner/runs-file.js';
import { runsOwner } from '../runner/runs-owner.js';
import { withMarkedPids } from '../runner/run-mark.js';
import { createWritersScan, hiddenWriterPossible, notOurs, type WritersScan } from '../runner/log-writers.js';
import { triedKeysForFiles } from '../failures/tried-keys.js';
import { launchesOnLogClock } from '../state/launch-match.js';
import { initialState } from '../state/app-state.js';
import { isLive, runFigures } from '../state/run-view.js';
import { strangerRun, writerOf, writersLookDue } from '../state/writer.js';
import type { SourceHub } from '../coverage/source-hub.js';
import { createStore, type Store, type Timers } from '../store.js';
import { createController } from './controller.js';
import { initialPlaceState } from '../state/place-state.js';
import type { RunPlace } from '../run-place/run-place.js';
import { grammarFor } from './grammar.js';
import { startLiveSources, type LiveSources } from './live-sources.js';
import { CAN_SEE_WRITERS, processSnapshot, recordedRuns } from './process-info.js';
import { createSharedClock, type SharedClock } from './shared-clock.js';

export { IDLE_TICK_MS, LIVE_TICK_MS } from './shared-clock.js';

/**
 * How often we look at who writes the log: a /proc scan costs 10-40 ms here, so every 5 s only while
 * a run is live (to see it end), otherwise once a minute (a launch re-checks for itself anyway).
 */
const WRITERS_LIVE_MS = 5_000;
/** The key of the notice of a runs.jsonl that is not a regular file. */
const RUNS_NOT_REGULAR = 'runs-not-regular';
const WRITERS_IDLE_MS = 60_000;
/** A writer found gone this long after a look last saw it was found late: looks missed (see lookAtWriters). */
const LATE_LOOK_MS = 3 * WRITERS_LIVE_MS;

/**
 * After a run ends its coverage keeps the configured pace this long: its last keys, and a loader behind it (Phase 2
 * into the warehouse), still land.
 */
export const PACE_GRACE_MS = 120_000;

/** Everything the dashboard runs, without any terminal: the same runtime serves tests. */
export interface Runtime {
  store: Store;
  live: LiveSources;
  controller: ReturnType<typeof createController>;
  /** Whether the job's own screen is open (its coverage is then looked at at the configured pace; see PACE_GRACE_MS). */
  setOnScreen(on: boolean): void;
  /** Coverage is looked at at the configured pace now (else at most every IDLE_POLL_MS). */
  fast(): boolean;
  /** Stops every source, timer and watcher; never touches the backfill. */
  close(): Promise<void>;
}

/** What the jobs of one dashboard share: coverage sources, the clock, and the look at who writes the logs. */
export interface SharedParts {
  hub?: SourceHub;
  clock?: SharedClock;
  writers?: WritersScan;
}

/**
 * Starts sources, clock and process watching; `exit` is what `q` calls. Parts not given are the job's own. With
 * `ready`, the sources (log, failed-keys files, coverage, the Cloud Run place) start once it resolves, never if it
 * rejects: a new demo draws its first frame while it still lays out the files they read.
 */
export function startRuntime(config: Config, opts: { now?: () => number; exit: () => void; timers?: Timers; width?: number; height?: number; ready?: Promise<unknown>; onScreen?: boolean; onPace?: () => void; /** The job as the config file says it now (launch-settings.ts); none: the config as read at start. */ reload?: () => Config } & SharedParts): Runtime {
  const now = opts.now ?? Date.now;
  const grammar = grammarFor(config);
  const ac = new AbortController();
  const cr = config.cloudRun;
  const placeState = cr ? initialPlaceState(`Cloud Run job ${cr.job} (${cr.region})`, cr.stuckAfter * 1000, cr.pollSeconds * 1000) : null;
  const store = createStore(initialState({ job: config.job, log: config.log, now: now(), targets: config.targets, phases: config.phases, width: opts.width, height: opts.height, place: placeState, zone: config.timezone }), { timers: opts.timers });
  const live = startLiveSources(config, grammar, store.dispatch, ac.signal, now, opts.hub, opts.ready);
  const place: { current: RunPlace | null } = { current: null };
  /** Our local runs' pids from the instant each was spawned (the local place keeps it): never another writer. */
  const ourPids = new Set<number>();
  const controller = createController({ config, store, live, exit: opts.exit, now, signal: ac.signal, place, ourPids, reload: opts.reload });
  // The Cloud Run modules (and google-auth-library behind them) load only for a job that runs there.
  const placeReady = cr
    ? Promise.all([import('../run-place/cloud-run-setup.js'), opts.ready ? readyUnlessAborted(opts.ready, ac.signal) : true]).then(async ([m, go]) => {
        if (ac.signal.aborted || !go) return;
        place.current = m.cloudRunPlaceFor(config, store, grammar, now, ac.signal, live.storage);
        await place.current.start();
      }).catch((err: Error) => store.dispatch({ type: 'ui/notice', text: `Cloud Run: ${err.message}`, tone: 'fail' }))
    : Promise.resolve();

  // The clock moves the screen only while a run is live (elapsed seconds, stall detection); otherwise
  // a slow tick is enough for ages and notices, and an idle dashboard costs next to nothing.
  /** The run is live at `t`, by the log and by what we know of its process. */
  const runIsLive = (t: number) => {
    const s = store.getState();
    return isLive(runFigures(s.log.current, t, writerOf(s)).status) || s.process.stopping !== null || s.process.alive === true;
  };
  const clock = opts.clock ?? createSharedClock({ now });
  const writers = opts.writers ?? createWritersScan({ windowMs: 0 });
  // A look in flight ticks fast too: it says how far it is and how long it has taken, second by second (tester Z10).
  const sourceLooking = () => {
    const c = store.getState().coverage;
    return c.storage?.checking === true || c.warehouse?.checking === true;
  };
  const leaveClock = clock.join({ tick: (t) => store.dispatch({ type: 'clock/tick', now: t }), live: (t) => runIsLive(t) || sourceLooking() });
  // New lines (or a launch) can make the run live between slow ticks: switch to the fast clock at once.
  const unsubscribe = store.subscribe(() => clock.poke());

  // Coverage at the configured pace only while it can change in view, else at most every IDLE_POLL_MS (tester U18:
  // the five-job demo idled at 8.6 % of a core listing ~22,000 local folders every 5-10 s for rows that could not
  // move). Fast while this job's run is live or ended less than PACE_GRACE_MS ago, or its own screen is open (the
  // operator reads its figures and their age there). `g` looks at once whatever the pace.
  let onScreen = opts.onScreen ?? true;
  let wasLive = false;
  let endedAt: number | null = null;
  let fast = true;
  let graceTimer: NodeJS.Timeout | undefined;
  const updatePace = () => {
    const t = now();
    const liveNow = runIsLive(t);
    if (wasLive && !liveNow) endedAt = t;
    wasLive = liveNow;
    const inGrace = !liveNow && endedAt !== null && t - endedAt < PACE_GRACE_MS;
    clearTimeout(graceTimer);
    if (inGrace && !onScreen) {
      graceTimer = setTimeout(updatePace, endedAt! + PACE_GRACE_MS - t);
      graceTimer.unref();
    }
    const next = onScreen || liveNow || inGrace;
    if (next === fast) return;
    fast = next;
    live.pace(fast);
    opts.onPace?.();
  };
  const unsubscribePace = store.subscribe(updatePace);
  updatePace();

  /** The start-up look (runs.jsonl and /proc) is applied: later runs.jsonl changes may bring a run to adopt. */
  let snapshotApplied = false;
  if (!cr) void processSnapshot(config, writers, now).then(async (patch) => {
    if (ac.signal.aborted) return;
    store.dispatch({ type: 'process/update', patch });
    controller.attach(patch);
    snapshotApplied = true;
    await controller.noteEndedUnseen();
  });

  // Persistence needs the keys each run tried: known for runs launched from here (their keys files).
  let triedFor: { files: unknown; history: unknown } = { files: null, history: null };
  const unsubscribeTried = store.subscribe(() => {
    const { failed, process } = store.getState();
    if (failed.files === triedFor.files && process.history === triedFor.history) return;
    triedFor = { files: failed.files, history: process.history };
    if (failed.files.length < 2 || process.history.length === 0) return;
    // A failed-keys file's name is on its writer's clock, as the log is (tester AA1: a clock off).
    void triedKeysForFiles(failed.files, launchesOnLogClock(process.history, store.getState().log.clockBehindMs), undefined, store.getState().log.clockBehindMs ?? null).then((tried) => {
      if (!ac.signal.aborted && tried.size > 0) store.dispatch({ type: 'failed/tried', tried });
    });
  });

  // runs.jsonl changes when another dashboard launches or stops a run: re-read it when it changed, so every
  // dashboard on the same stopped run says `stopped`.
  let runsSeen = '';
  /** What the dashboard last said of runs.jsonl not being a regular file ('' when nothing). */
  let runsNotRegularSaid = '';
  const rereadRuns = async () => {
    const st = await stat(runsPath(config.stateDir)).catch(() => null);
    // Said as `status` says it (h82's note: only `status` did): its readers take it for no runs, so without a word a
    // FIFO put there read as a job never launched from here. Said once, and again only when it changes.
    const notRegular = (st && runsFileNotRegular(config.stateDir, st)) ?? '';
    if (notRegular !== runsNotRegularSaid && !ac.signal.aborted) {
      runsNotRegularSaid = notRegular;
      store.dispatch(notRegular ? { type: 'ui/notice', text: notRegular, tone: 'warn', key: RUNS_NOT_REGULAR } : { type: 'ui/notice-end', key: RUNS_NOT_REGULAR });
    }
    const seen = st ? `${st.size}:${st.mtimeMs}` : '';
    if (seen === runsSeen) return;
    runsSeen = seen;
    const runs = await readRuns(config.stateDir, runsOwner(config)).catch(() => null);
    if (!runs || ac.signal.aborted) return;
    store.dispatch({ type: 'process/history', runs: recordedRuns(runs) });
    // Writers not started here that a dashboard saw go (recorded in the same file): their run's end (writer.ts).
    const writerEnds = await readWriterEnds(config.stateDir, runsOwner(config));
    if (ac.signal.aborted) return;
    if (writerEnds.join() !== (store.getState().process.writerEnds ?? []).join()) store.dispatch({ type: 'process/update', patch: { writerEnds } });
    adoptRecorded(runs);
    // A stop another dashboard recorded for the run watched: `stopping` here too, as `status` says (tester AG1).
    controller.takeRecordedStop();
  };
  /**
   * A run another dashboard launched for this job (recorded in runs.jsonl; its pid alive with the recorded start
   * time) is ours here too, as it is for a dashboard started after it (tester T20: one already open called it
   * external, and could not stop it even once its launcher was gone). Not while a run of our own is on.
   */
  const adoptRecorded = (runs: Awaited<ReturnType<typeof readRuns>>) => {
    const p = store.getState().process;
    // Before the start-up look is applied it decides (it reads the same file); read again at the next look.
    if (!snapshotApplied) return void (runsSeen = '');
    if (p.launching || (p.attached && p.alive !== false)) return;
    const { attachable } = findAttachable(withMarkedPids(runs).runs);
    if (!attachable || attachable.pid === null || (attachable.id === p.runId && p.alive !== false)) return;
    const patch = { runId: attachable.id, pid: attachable.pid, procStart: attachable.procStart, left: attachable.left ?? null, attached: true, alive: true, external: false, externalPids: [], stopping: null, stopSignals: [], stopped: false, exitCode: null, exitedAt: null };
    store.dispatch({ type: 'process/update', patch });
    controller.attach(patch);
  };
  let writersTimer: NodeJS.Timeout | undefined;
  /** The next look is on the slow idle cadence: a run becoming live (e.g. the history read in) must not wait a minute. */
  let writersIdle = false;
  let looking = false;
  /** The next look was brought forward because lines came with no writer known (see writersLookDue). */
  let lookSoon = false;
  let lastLookAt: number | null = null;
  /** When a look last found processes not started here writing the log (our clock), or null. */
  let externalSeenAt: number | null = null;
  const lookAtWriters = async () => {
    if (ac.signal.aborted || !CAN_SEE_WRITERS || cr) return;
    looking = true;
    lookSoon = false;
    // Taken before the walk: a line written while it runs proves a writer it may have missed.
    const at = (lastLookAt = now());
    const p = store.getState().process;
    // Our run counts as ours from its launch on (its liveness may not be known yet when its first lines bring a look).
    const ours = () => [...ourPids, ...(p.pid !== null && p.alive !== false ? [p.pid] : [])];
    // The log moved aside under its writer is still the run's log, wherever it is now (tester W20): its writer is
    // matched by the file it holds, and launching stays refused while it writes.
    const moved = store.getState().log.moved;
    const found = await writers.external(config.log, ours(), moved ? [{ dev: moved.dev, ino: moved.ino }] : []).catch(() => [] as number[]);
    // May adopt a run another dashboard launched (adoptRecorded): its pid joins ours before the filter below.
    await rereadRuns();
    looking = false;
    if (ac.signal.aborted) return;
    // Filtered again by our pids as they are after the walk: a run spawned while it went on (its pid reaches the
    // state only after its start window, a second later) is ours from its spawn, never another writer (tester V12).
    const external = notOurs(found, ours());
    // None found where some could not be looked into (the log another user's): not a proof that none writes it.
    const writersHidden = external.length === 0 && hiddenWriterPossible(config.log);
    // Gone since the look before: their run ended between the two, taken as this look (tester Y7). Looks far apart (the
    // dashboard stopped by Ctrl-Z, tester AD15's class) say nothing of when within: it ended when last seen, its own
    // lines after that saying the rest (run-view endOf), never at the dashboard's waking up.
    const seenAt = externalSeenAt;
    const lateGone = external.length === 0 && store.getState().process.external && seenAt !== null && now() - seenAt > LATE_LOOK_MS ? { externalEndedAt: seenAt } : {};
    externalSeenAt = external.length > 0 ? at : null;
    const before = store.getState().process;
    store.dispatch({ type: 'process/update', patch: { external: external.length > 0, externalPids: external, writersChecked: true, writersCheckedAt: at, writersHidden, ...lateGone } });
    // The run of a writer not started here ended as this dashboard saw it: recorded, so a dashboard opened later and
    // `status`, which have only its lines, say the same end (tester AI4: `0:21` here, `0:07` there).
    const after = store.getState().process;
    if (strangerRun(before) && !after.external && !writersHidden && after.externalEndedAt != null) {
      const record = { type: 'writer-end' as const, id: `writer-${before.externalPids[0]}-${after.externalEndedAt}`, log: runsOwner(config), pids: before.externalPids, endedAt: after.externalEndedAt };
      // Unrecorded (a read-only state directory), this dashboard still says it; the others say the lines' span.
      // Once for all dashboards watching it (the first look's), each then saying that one (writer.ts).
      void recordWriterEndOnce(config.stateDir, record).then(() => ((runsSeen = ''), rereadRuns()), () => undefined);
    }
    // A launch recorded without its end yet: its end record (stopped, exited) is due, keep looking often.
    const last = store.getState().process.history.at(-1);
    writersIdle = !runIsLive(now()) && !(last && last.endedAt === null);
    writersTimer = setTimeout(() => void lookAtWriters(), writersIdle ? WRITERS_IDLE_MS : WRITERS_LIVE_MS);
    writersTimer.unref();
  };
  void lookAtWriters();
  // A writer that exits is seen within WRITERS_LIVE_MS of the run being live, however the idle look was scheduled.
  /** The moved log the last look was asked about (see lookAtWriters). */
  let movedSeen: unknown = null;
  const unsubscribeWriters = store.subscribe(() => {
    if (looking || lookSoon || !CAN_SEE_WRITERS || cr) return;
    // The log was just found moved aside under its writer: look at once, by the file it is (a look since the move
    // may have found no writer at the path).
    const moved = store.getState().log.moved ?? null;
    const movedNow = moved !== movedSeen && moved !== null;
    movedSeen = moved;
    const due = movedNow ? 0 : writersLookDue(store.getState(), lastLookAt, now());
    if (due !== null) {
      lookSoon = true;
      clearTimeout(writersTimer);
      writersTimer = setTimeout(() => void lookAtWriters(), due);
      writersTimer.unref();
      return;
    }
    if (!writersIdle || !runIsLive(now())) return;
    writersIdle = false;
    clearTimeout(writersTimer);
    writersTimer = setTimeout(() => void lookAtWriters(), WRITERS_LIVE_MS);
    writersTimer.unref();
  });

  return {
    store,
    live,
    controller,
    setOnScreen(on) {
      onScreen = on;
      updatePace();
    },
    fast: () => fast,
    async close() {
      ac.abort();
      unsubscribePace();
      clearTimeout(graceTimer);
      leaveClock();
      if (!opts.clock) clock.close();
      unsubscribe();
      unsubscribeTried();
      clearTimeout(writersTimer);
      unsubscribeWriters();
      await placeReady;
      await place.current?.close();
      await live.done;
      store.close();
    },
  };
}
