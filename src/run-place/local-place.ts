import type { ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { countOf, formatCount } from '../format.js';
import type { Config } from '../config.js';
import { launchBackfill } from '../app/launcher.js';
import { takesKeysFile } from '../runner/command.js';
import { settingsTaken, settingsWords } from './settings-taken.js';
import { runEndWords, skippedSignalWords } from './end-words.js';
import { CAN_SEE_WRITERS, recordedRuns } from '../app/process-info.js';
import { logRunFor, unwatchedEnd, unwatchedEndAt, nextLaunchAt, provenEnd } from '../app/unwatched-end.js';
import type { RunState } from '../state/run.js';
import { findAttachable } from '../runner/attach.js';
import { withMarkedPids } from '../runner/run-mark.js';
import { isAlive, procStartOf, type ProcStart } from '../runner/proc.js';
import { appendRunRecord, recordEndOnce, recordStopNow, recordStopTermNow, recordedCarrierNow, readRuns, stopAsked, type RunRecord, type StopCarrier } from '../runner/runs-file.js';
import { withClaim } from '../runner/claim-file.js';
import { runProcesses } from '../runner/session.js';
import { carryStop } from '../runner/stop-carrier.js';
import { waitUntil } from '../runner/wait.js';
import type { Survivor } from '../runner/session.js';
import { killRun, stopRun } from '../runner/stop.js';
import { lateExit, watchProcess, type ExitInfo } from '../runner/watch.js';
import { coverageView } from '../state/coverage-view.js';
import { STOP_GRACE_MS, signalsSent, stopStage } from '../state/confirm-situation.js';
import { stopNoticeKey } from '../state/app-state.js';

import type { Store } from '../store.js';
import type { AppState } from '../state/app-state.js';
import { attachedRunSeed, deadLaunchSeed } from '../state/attached-seed.js';
import { strangerRun } from '../state/writer.js';
import type { PlaceLaunchOutcome, PlaceLaunchRequest, PlaceStopOutcome, RunPlace } from './run-place.js';

/** How long after a stop's grace the standing carrier sends the SIGTERM this dashboard did not (see `standing`). */
export const DEADMAN_LAG_MS = 1000;

/** What the local place needs from the dashboard around it. */
export interface LocalPlaceDeps {
  config: Config;
  store: Store;
  now(): number;
  signal: AbortSignal;
  /** A fresh storage listing (coverage after a run, for the history's before → after). */
  freshStorage(): Promise<Set<string> | null>;
  refreshHistory(): Promise<void>;
  /** Looks at the warehouse now (storage was just listed after a run). */
  refreshWarehouse(): void;
  /**
   * The pids of the runs this place launched or re-attached to and has not seen exit, kept here from the instant
   * of the spawn: the runtime's look at /proc filters its finds by them after its walk, so a run launched while a
   * walk went on is never taken for another writer (tester V12). Filled here; the runtime only reads it.
   */
  ourPids?: Set<number>;
}

/** The local place, plus the two start-up steps the runtime drives after its /proc snapshot. */
export interface LocalPlace extends RunPlace {
  /** Re-attaches to a recorded run of ours that is still alive (its pid and start time both match). */
  attach(patch: { runId?: string | null; pid?: number | null; procStart?: ProcStart | null; attached?: boolean; left?: AppState['process']['left'] }): void;
  /** Runs recorded as launched whose process is gone with no end record: they ended while no dashboard watched. */
  noteEndedUnseen(): Promise<void>;
  /** Leaving during a stop's SIGINT grace: its SIGTERM is handed to a detached carrier (process.stopCarrier). */
  handOffStop(): void;
}

/** Longest wait for the follower to reach the log's end after a run exits, before its counts are recorded (ms). */
const END_READ_WAIT_MS = 10_000;

/** `exited 0 and left pid 4124 running in its session` (what a wrapper that backgrounds the backfill did). */
export function leftWords(exitCode: number | null, signal: string | null, pids: Survivor[]): string {
  const how = signal ? `was ended by ${signal}` : exitCode !== null ? `exited ${exitCode}` : 'exited';
  const who = pids.length === 1 ? `pid ${pids[0].pid}` : `pids ${pids.slice(0, 3).map((p) => p.pid).join(', ')}${pids.length > 3 ? ` and ${pids.length - 3} more` : ''}`;
  return `${how} and left ${who} running in its session`;
}

/**
 * The log's run that launch `runId` started: the current one, or with a second writer's run beside it (tester AA18)
 * the one that began first after the launch (as for a run that ended unwatched), whichever the screen follows.
 */
function ourLogRun(s: AppState, runId: string): RunState | null {
  const log = s.log;
  const rec = log.beside ? s.process.history.find((h) => h.id === runId) : undefined;
  if (!rec) return log.current;
  const behind = log.clockBehindMs ?? 0;
  return logRunFor({ startedAt: rec.startedAt - behind }, log) ?? log.current;
}

/** The log's size in bytes now, 0 when it cannot be read (then nothing is waited for). */
function logSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * A backfill as a local process: wraps what `src/runner/` does (launch detached under the lock, watch the pid,
 * SIGINT then SIGTERM, SIGKILL only on a second confirm, runs.jsonl) behind the run-place interface.
 */
export function createLocalPlace(d: LocalPlaceDeps): LocalPlace {
  const { config, store } = d;
  const ourPids = d.ourPids ?? new Set<number>();
  const dispatch = store.dispatch;
  /** The key of a run's keep-awake notice: it ends with the run. */
  const awakeKey = (runId: string) => `awake:${runId}`;
  const notice = (text: string, tone: 'info' | 'warn' | 'fail' = 'info', key?: string) => dispatch({ type: 'ui/notice', text, tone, ...(key ? { key } : {}) });
  /** Notices about one run share a key: its end replaces `launched`/`re-attached … still running` (tester U16). */
  const runKey = (id: string) => `run:${id}`;
  let stopRequested = false;
  let awake: { stop(): void } | null = null;
  /** Runs this dashboard watches (launched or re-attached): their end is the watch's to record. */
  const watching = new Set<string>();
  /** Runs whose end this dashboard recorded or is recording: one end record per run, whichever path saw it first. */
  const endClaimed = new Set<string>();

  /** Resolves once `done()` holds for the state, or after `ms` at most. */
  function until(done: () => boolean, ms: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      };
      const timer = setTimeout(finish, ms);
      const unsubscribe = store.subscribe(() => {
        if (done()) finish();
      });
    });
  }

  /** Resolves once the log's history is read, or after 15 s at most (a log that does not exist yet). */
  function historyRead(): Promise<void> {
    return until(() => store.getState().log.historyDone, 15_000);
  }

  /** The log's history is read, or it was looked for and is not there. */
  const logKnown = (log: AppState['log']) => log.historyDone || (log.looked && !log.exists);

  /** A re-attached run that has written nothing yet starts from its launch record (attached-seed.ts). */
  function seedAttached(): void {
    const s = store.getState();
    if (!logKnown(s.log)) return;
    const seed = attachedRunSeed(s);
    if (seed) dispatch({ type: 'log/launched', seed, bytesBefore: s.log.bytesRead });
  }

  function watch(pid: number, procStart: ProcStart | null, runId: string, child?: ChildProcess, left?: Survivor[]) {
    watching.add(runId);
    ourPids.add(pid);
    watchProcess(pid, procStart, {
      child,
      signal: d.signal,
      // The dashboard's clock: an end seen late is placed among the stop's records, which are on it.
      now: d.now,
      left,
      onLeft: (info, pids, record) => {
        const was = store.getState().process.left;
        const exit = was ?? { exitCode: info.exitCode, signal: info.signal, at: info.at };
        if (store.getState().process.runId === runId) dispatch({ type: 'process/update', patch: { left: { ...exit, pids } } });
        if (!was) notice(`run ${runId}: ${leftWords(exit.exitCode, exit.signal, pids)}; it is still this run (x stops it)`, 'info', runKey(runId));
        // In runs.jsonl too: a dashboard started later proves the session is still the run's by these (session.ts).
        if (record) void appendRunRecord(config.stateDir, { type: 'left', id: runId, at: info.at, exitCode: info.exitCode, signal: info.signal, pids }).catch((err: Error) => notice(`could not record what run ${runId} left running: ${err.message}`, 'warn'));
      },
      onExit: (info) => {
        ourPids.delete(pid);
        awake?.stop();
        awake = null;
        // Seen late (tester AD15: the dashboard stopped by Ctrl-Z reaped it at `fg`, 8 s after its SIGTERM; one not its
        // parent found it gone on waking): it ended between when it was last seen alive and now, and is said to have
        // ended at the latest proof of its life (below), never at when it was noticed. Until that is read, the former.
        const late = lateExit(info);
        dispatch({ type: 'process/update', patch: { exitCode: info.exitCode, exitedAt: late ? info.seenAliveAt : info.at, keepAwake: null, keepAwakeProblem: null, stopping: null, stopped: stopRequested } });
        // The end record is written once (runs.jsonl is append-only): its counts wait until the follower has
        // read the log as far as it was when the run ended, since the last lines come just before the exit.
        const sizeAtExit = logSize(config.log);
        const lines = until(() => store.getState().log.bytesRead >= sizeAtExit, END_READ_WAIT_MS);
        // Stopped from here, or from another dashboard (its stop record, written before its first signal): the
        // run ends `stopped`, with no "ended without a summary" alert, and one end record says so (tester V8).
        let stopped = stopRequested;
        // What comes after the wait is this run's only: a run launched meanwhile must not read `alive: false`
        // (tester V12: it then read `running (external)` and x refused it).
        const stillThisRun = () => store.getState().process.runId === runId;
        const read = Promise.all([lines, stopped ? true : stopAsked(config.stateDir, runId)]).then(([, asked]) => {
          if (asked && !stopped && stillThisRun()) dispatch({ type: 'process/update', patch: { stopped: true } });
          stopped = asked;
        });
        // So does "gone": a run that wrote its summary and exited is `complete`, never `ended` without a summary
        // for the moment between its exit and the read of its last lines (nor its alert).
        void read.then(() => stillThisRun() && dispatch({ type: 'process/update', patch: { alive: false } }));
        let counts: Record<string, number> = {};
        let complete = false;
        // Claimed now, before any wait: the ended-unwatched path must not write for a run seen ending here.
        const mine = !endClaimed.has(runId);
        endClaimed.add(runId);
        void read
          .then(() => {
            const run = ourLogRun(store.getState(), runId);
            counts = run ? { succeeded: run.succeeded, failed: run.failed, skipped: run.skipped } : {};
            // Its summary read: complete, even after a stop it ignored (tester AA11), as its end notice says.
            complete = stillThisRun() && run?.complete === true;
            // Coverage after the run from a fresh listing, so the history shows what the run really added.
            return d.freshStorage();
          })
          .then(async () => {
            const present = coverageView(store.getState()).storage?.coverage?.present;
            // "Before" from this run's own launch record, whoever launched it (tester W4: a run another dashboard
            // launched was given this dashboard's previous launch's figure); none recorded, none said.
            const runs = await readRuns(config.stateDir).catch(() => [] as RunRecord[]);
            const rec = runs.find((r) => r.id === runId);
            const before = rec?.storageBefore;
            if (typeof before === 'number' && present !== undefined) Object.assign(counts, { storageBefore: before, storageAfter: present });
            const endedAt = late ? lateEnd(info, rec, runs) : info.at;
            if (late && stillThisRun()) dispatch({ type: 'process/update', patch: { exitedAt: endedAt } });
            if (!mine) return;
            return recordEndOnce(config.stateDir, { id: runId, endedAt, exitCode: info.exitCode, signal: info.signal, reason: complete ? 'complete' : stopped ? 'stopped' : 'exited', counts });
          })
          .then(d.refreshHistory)
          .catch((err: Error) => notice(`could not record the run's end: ${err.message}`, 'warn'));
        dispatch({ type: 'ui/notice-end', key: awakeKey(runId) });
        // Said in the words of the run's state once its last lines are read (tester W23: a complete run read
        // `ended (exit 0)`), and `stopped` also on a dashboard that did not stop it (its stop record: tester X9).
        void read.then(() => {
          const end = runEndWords(runId, stillThisRun() ? ourLogRun(store.getState(), runId) : null, { stopped, exitCode: info.exitCode, signal: info.signal });
          notice(end.text, end.tone, runKey(runId));
        });
        // Storage was just listed fresh above; the warehouse is the one left to look at.
        d.refreshWarehouse();
      },
    });
  }

  /**
   * The end of a run whose exit was seen late (see watch): its last log line read by now (as a dashboard that finds it
   * ended unwatched records it) or a stop signal sent to it while it ran, whichever is latest; else when it was last
   * seen alive.
   */
  function lateEnd(info: ExitInfo, rec: RunRecord | undefined, runs: RunRecord[]): number {
    const log = rec ? unwatchedEnd(rec, store.getState().log, nextLaunchAt(rec, runs)).endedAt : null;
    const p = store.getState().process;
    const signals = p.runId === rec?.id ? p.stopSignals.map((x) => x.at) : [];
    return provenEnd(info, [log, rec?.stopAskedAt, rec?.stopTermAt, ...signals]);
  }

  async function launch(req: PlaceLaunchRequest): Promise<PlaceLaunchOutcome> {
    const storageBefore = coverageView(store.getState()).storage?.coverage?.present ?? null;
    const bytesBefore = store.getState().log.bytesRead;
    const launchedAt = d.now();
    // A command given no keys file runs what it decides itself: its total is its own to say.
    const takesKeys = config.command ? takesKeysFile(config.command) : false;
    // Figures the command never gets are no facts of its run: the header waits for its log to say them.
    const taken = settingsTaken(config.command ?? []);
    // Until its pid is in the state, the run's first lines must not bring a look that takes it for another writer.
    dispatch({ type: 'process/update', patch: { launching: true } });
    let spawned: number | null = null;
    let seed = { startedAt: launchedAt, total: takesKeys ? req.keys.length : null, workers: taken.workers ? req.workers : null, timeoutSec: taken.timeout ? req.timeout : null };
    let before: AppState['log'] | null = null;
    const onSpawn = (pid: number, rec: { id: string; startedAt: number }) => {
      // Begun when its launch record says, as every dashboard reading runs.jsonl dates it (one identity: tester Z6).
      seed = { ...seed, startedAt: rec.startedAt };
      ourPids.add((spawned = pid));
      // The new run from its spawn, from its launch's facts until its banner is read (tester U3's class), before the
      // child makes the log's writer alive: the run before it must never read as alive and silent (tester Y11: each
      // launch after a quiet spell alerted `run stalled` about it).
      before = store.getState().log;
      // One step with its pid: between the two the new run had no writer, read `ended` and alerted (h59's 10:39 note).
      dispatch({ type: 'log/launched', seed, bytesBefore, startingPid: pid });
    };
    const settled = { launching: false, startingPid: null };
    const out = await launchBackfill(config, { ...req, storageBefore }, onSpawn).catch((err: unknown) => {
      dispatch({ type: 'process/update', patch: settled });
      throw err;
    });
    if (!out.ok) {
      // Failed to start: the child exited or was ended; its pid is nobody's to claim any more.
      if (spawned !== null) ourPids.delete(spawned);
      // A start that wrote nothing was no run: the run before is the log's current one again, before the window
      // closes (else the seeded run would read `ended` for a moment, and alert).
      if (before) dispatch({ type: 'log/unlaunched', startedAt: seed.startedAt, before });
      dispatch({ type: 'process/update', patch: settled });
      return { ok: false, message: out.message, notices: out.notices };
    }
    stopRequested = false;
    awake = out.keepAwake;
    const { run } = out;
    const notices = [...out.notices];
    // The launch window closes in the same step the run becomes ours: never a moment with the new run and no writer.
    dispatch({ type: 'process/update', patch: { ...settled, left: null, runId: run.id, pid: run.pid, procStart: run.procStart, attached: true, alive: true, stopped: false, stopping: null, stopSignals: [], exitCode: null, exitedAt: null, keepAwake: out.keepAwake.how, keepAwakeProblem: config.keepAwake && !out.keepAwake.how ? (out.keepAwake.reason ?? 'no inhibitor') : null } });
    watch(run.pid as number, run.procStart, run.id, out.child);
    // The header says only `awake: unavailable` (the reason pushed the settings off its line: tester U10); why, here.
    const problem = store.getState().process.keepAwakeProblem;
    // Keyed by the run: it goes when the run ends (W23: it stayed under the header of the run after).
    if (problem) notice(`the machine cannot be kept awake during the run: ${problem}`, 'warn', awakeKey(run.id));
    // An inhibitor that fails after it was taken as working (tester AD13: `awake` stood for the whole run with none
    // running): said as one that failed at once, while this run lives.
    out.keepAwake.onEnded?.((why) => {
      const p = store.getState().process;
      if (p.runId !== run.id || !p.alive || p.keepAwake === null) return;
      dispatch({ type: 'process/update', patch: { keepAwake: null, keepAwakeProblem: why } });
      // The launch's notice no longer says it either (tester AD13's nit: `machine kept awake` stood above this one).
      const said = out.keepAwake.how ? `, machine kept awake (${out.keepAwake.how})` : '';
      const launched = store.getState().ui.notices.find((n) => n.key === runKey(run.id) && n.text.startsWith(`launched run ${run.id}:`) && n.text.endsWith(said));
      if (said && launched) notice(launched.text.slice(0, -said.length), launched.tone, runKey(run.id));
      notice(`the machine is no longer kept awake during the run: ${why}`, 'warn', awakeKey(run.id));
    });
    return { ok: true, runId: run.id, what: `pid ${run.pid}`, suffix: out.keepAwake.how ? `, machine kept awake (${out.keepAwake.how})` : '', notices };
  }

  /** Ends the dashboard's own escalation of a stop when the stop is handed to a carrier (or the dashboard closes). */
  let escalation: AbortController | null = null;
  /**
   * The carrier this dashboard stood for the stop of the run it watches: from the stop's first signal on (tester AC14: a
   * dashboard suspended by Ctrl-Z sent its SIGTERM only at `fg`, and one whose terminal closed, or that was killed,
   * never), or when it carries on a stop it found with no live carrier. Recorded with the stop (runs.jsonl), so every
   * other dashboard defers to it. Due DEADMAN_LAG_MS after the grace: this dashboard, alive, sends the SIGTERM itself
   * when due and ends it just before; stopped, killed or gone, the carrier sends it.
   */
  let standing: StopCarrier | null = null;
  /** The live carrier recorded by another dashboard that this one defers to for the stop it carries on. */
  let deferredTo: StopCarrier | null = null;
  /** The stop was handed to its carrier (leaving): nothing of it is this dashboard's any more. */
  let handedOff = false;
  /** When the stop of the run watched was asked for (its stop record's time): a carrier recorded later carries it. */
  let stopAskedAt: number | null = null;

  /** The carrier is alive: its pid with its recorded start time (never a pid reused since); a zombie is gone. */
  const carrierAlive = (c: StopCarrier | null | undefined): c is StopCarrier => !!c && isAlive(c.pid, c.procStart);
  /** The claim two dashboards take to decide who carries a run's stop, or sends its SIGTERM (claim-file.ts). */
  const stopClaim = (runId: string) => join(config.stateDir, `stop-${runId.replace(/[^\w.-]/g, '_')}.claim`);
  /** Runs `work` under the run's stop claim, waiting for another dashboard's (short) hold; null when it cannot be had. */
  async function underStopClaim<T>(runId: string, work: () => Promise<T>): Promise<T | null> {
    for (let tries = 0; tries < 50 && !d.signal.aborted; tries++) {
      const out = await withClaim(stopClaim(runId), async () => ({ v: await work() })).catch(() => null);
      if (out) return out.v;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return null;
  }

  /** Spawns a carrier for the run's stop, due at `dueAt`; null where /proc cannot prove the run (or the carrier). */
  function spawnCarrier(p: AppState['process'], runId: string, dueAt: number): StopCarrier | null {
    if (p.pid === null) return null;
    const members = runProcesses({ pid: p.pid, procStart: p.procStart, left: p.left?.pids });
    const pid = carryStop({ stateDir: config.stateDir, runId, dueAt, members });
    const procStart = pid === null ? null : procStartOf(pid);
    return pid !== null && typeof procStart === 'number' ? { pid, procStart, dueAt } : null;
  }

  /**
   * A stop carried on from its record (a dashboard left during it, tester Y9): the live carrier recorded for it (another
   * dashboard's, even one gone since) is deferred to; with none, this dashboard stands one of its own and records it
   * with the stop's time. Under the run's stop claim, so two dashboards opened at once stand one. Null: no carrier
   * (no /proc), the dashboard sends the SIGTERM itself.
   */
  async function carrierFor(p: AppState['process'], runId: string, askedAt: number, dueAt: number): Promise<{ carrier: StopCarrier; mine: boolean } | null> {
    return underStopClaim(runId, async () => {
      const rec = (await readRuns(config.stateDir).catch(() => [] as RunRecord[])).find((r) => r.id === runId);
      if (carrierAlive(rec?.stopCarrier)) return { carrier: rec.stopCarrier, mine: false };
      // Overdue: due a moment from now, so this dashboard sends it first and ends its carrier before.
      const c = spawnCarrier(p, runId, Math.max(dueAt, d.now() + DEADMAN_LAG_MS));
      if (!c) return null;
      standing = c;
      try {
        recordStopNow(config.stateDir, runId, askedAt, c);
      } catch {
        // unrecorded, it still stands for this dashboard; another may stand one too (a full disk says so elsewhere)
      }
      return { carrier: c, mine: true };
    });
  }

  /**
   * Whether this dashboard sends the stop's SIGTERM now that it is due (stop.ts beforeTerm): not when the runs file says
   * it went (the carrier, or the dashboard it stands for), nor while another dashboard's recorded carrier lives (it is
   * waited for: it sends at its time, or is ended by its dashboard sending it). Ours to send: recorded first, then our
   * own carrier ended, then the signal. One SIGTERM per stop whatever dashboards come and go.
   */
  function beforeTerm(id: string, gone: () => boolean, signal: AbortSignal) {
    return async (): Promise<'send' | 'exited' | { graceLeftMs: number }> => {
      for (;;) {
        if (gone()) return 'exited';
        const said = await underStopClaim(id, async () => {
          const rec = (await readRuns(config.stateDir).catch(() => [] as RunRecord[])).find((r) => r.id === id);
          const termAt = rec?.stopTermAt !== undefined && rec.stopAskedAt !== undefined && rec.stopTermAt >= rec.stopAskedAt ? rec.stopTermAt : null;
          if (termAt !== null) return { termAt };
          const other = rec?.stopCarrier && rec.stopCarrier.pid !== standing?.pid && carrierAlive(rec.stopCarrier) ? rec.stopCarrier : null;
          if (other) return 'wait' as const;
          try {
            recordStopTermNow(config.stateDir, id, d.now());
          } catch {
            // The signal matters more than its record.
          }
          // Gone before our SIGTERM goes (a SIGKILL takes effect when the carrier is next scheduled, on a busy machine
          // after the run's own handler could have run).
          await endStandingGone();
          return 'send' as const;
        });
        if (said === null || said === 'send') return 'send';
        if (said !== 'wait') {
          endStanding();
          const signals = store.getState().process.stopSignals;
          if (!signals.some((x) => x.signal === 'SIGTERM')) dispatch({ type: 'process/update', patch: { stopping: 'sigterm', stopSignals: [...signals, { signal: 'SIGTERM', at: said.termAt }] } });
          return { graceLeftMs: said.termAt + STOP_GRACE_MS - d.now() };
        }
        if (await waitUntil(gone, { timeoutMs: 250, signal })) return 'exited';
      }
    };
  }

  /**
   * The stop's steps after its first signal, in the background: SIGTERM after the grace (recorded in runs.jsonl, so
   * a dashboard opened later goes on from there), then the SIGKILL question. `from`: a stop carried on from its
   * record, its SIGINT (or SIGTERM) sent `waitMs` before its grace ends (tester Y9).
   */
  function escalate(p: AppState['process'], start: { from?: 'SIGTERM'; waitMs?: number; skipAll?: boolean } = {}): Promise<'exited' | 'needs-kill'> {
    escalation?.abort();
    const ac = (escalation = new AbortController());
    // Ended by a hand-off or by the dashboard closing (AbortSignal.any is not in every Node 20).
    if (d.signal.aborted) ac.abort();
    else d.signal.addEventListener('abort', () => ac.abort(), { once: true });
    const signal = ac.signal;
    const id = p.runId;
    const onPhase = (phase: 'sigint' | 'sigterm' | 'waiting-kill-confirm') => {
      if (phase === 'waiting-kill-confirm') return dispatch({ type: 'process/update', patch: { stopping: 'needs-kill' } });
      // A SIGTERM is recorded (and our carrier ended) in beforeTerm, before it goes.
      const sent = { signal: phase === 'sigint' ? ('SIGINT' as const) : ('SIGTERM' as const), at: d.now() };
      dispatch({ type: 'process/update', patch: { stopping: phase, stopSignals: [...store.getState().process.stopSignals, sent] } });
    };
    // Waiting out a grace for a signal every process ignores would only delay the stop: said, and the next one sent.
    const onSkip = (sig: string, pids: number[]) => notice(skippedSignalWords(sig, pids), 'warn', runKey(id ?? ''));
    const run = { pid: p.pid as number, procStart: p.procStart, left: p.left?.pids };
    const gone = () => runProcesses(run).length === 0;
    const rest = async (): Promise<'exited' | 'needs-kill'> => {
      // The grace of the signal sent before this dashboard (its record's time) runs out first.
      if (start.waitMs && start.waitMs > 0 && (await waitUntil(gone, { timeoutMs: start.waitMs, signal }))) return 'exited';
      if (start.skipAll) {
        if (gone()) return 'exited';
        onPhase('waiting-kill-confirm');
        return 'needs-kill';
      }
      return stopRun(run.pid, run.procStart, { graceMs: STOP_GRACE_MS, signal, onPhase, onSkip, left: run.left, from: start.from, ...(id ? { beforeTerm: beforeTerm(id, gone, signal) } : {}) });
    };
    const result = rest();
    // Never a box that appears by itself: the operator opens the SIGKILL question with x, after this notice.
    void result.then(
      (r) => r === 'needs-kill' && notice(`run ${id} ignored ${signalsSent(store.getState().process)}: press x to decide about SIGKILL`, 'warn', runKey(id ?? '')),
      () => undefined,
    );
    return result;
  }

  /**
   * A stop recorded in runs.jsonl for the run re-attached to, its end not recorded (the dashboard that stopped it was
   * left during the stop, tester Y9): carried on from where its record says it is, with a carrier standing for it (the
   * one recorded, alive, or one of this dashboard's own: see carrierFor).
   */
  async function carryOn(p: AppState['process']): Promise<void> {
    const last = p.stopSignals.at(-1);
    if (!last || p.pid === null || !p.runId) return;
    stopRequested = true;
    const askedAt = p.stopSignals[0].at;
    stopAskedAt = askedAt;
    const waitMs = last.at + STOP_GRACE_MS - d.now();
    if (last.signal === 'SIGTERM') return void escalate(p, { waitMs, skipAll: true }).catch(() => undefined);
    const c = await carrierFor(p, p.runId, askedAt, last.at + STOP_GRACE_MS + DEADMAN_LAG_MS);
    deferredTo = c && !c.mine ? c.carrier : null;
    // Left meanwhile (q): the carrier has the stop now.
    if (d.signal.aborted || handedOff) return;
    void escalate(p, { waitMs: last.at + STOP_GRACE_MS - d.now(), from: 'SIGTERM' }).catch(() => undefined);
  }

  /**
   * Leaving during a stop: the SIGTERM still due goes to a detached carrier (stop-carrier.ts), never dropped and never
   * sent early; this dashboard's own escalation ends. Said under the last frame (leave-summary.ts).
   */
  function handOff(): void {
    const p = store.getState().process;
    if (p.stopping !== 'sigint' || !p.alive || p.pid === null || !p.runId) return;
    const last = p.stopSignals.at(-1);
    if (!last) return;
    escalation?.abort();
    handedOff = true;
    // The carrier standing since the stop (ours, or the recorded one deferred to) takes it: a second would send a second SIGTERM.
    // Leaving before this dashboard's look at the runs file ended (carrierFor): the recorded one, read now.
    const recorded = recordedCarrierNow(config.stateDir, p.runId);
    let pid = carrierAlive(standing) ? standing.pid : carrierAlive(deferredTo) ? deferredTo.pid : carrierAlive(recorded) ? recorded.pid : null;
    standing = null;
    if (pid === null) {
      const c = spawnCarrier(p, p.runId, last.at + STOP_GRACE_MS);
      if (c) {
        pid = c.pid;
        try {
          recordStopNow(config.stateDir, p.runId, stopAskedAt ?? last.at, c);
        } catch {
          // it stands all the same
        }
      }
    }
    dispatch({ type: 'process/update', patch: { stopCarrier: pid } });
  }

  /** Ends the standing carrier and waits (a moment at most) until it is gone. */
  async function endStandingGone(): Promise<void> {
    const c = standing;
    endStanding();
    if (c) await waitUntil(() => !carrierAlive(c), { timeoutMs: 2000, pollMs: 5 }).catch(() => undefined);
  }

  /** Ends the standing carrier, proven by its start time (never a pid reused since). */
  function endStanding(): void {
    const c = standing;
    standing = null;
    if (!carrierAlive(c)) return;
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      // gone already: the run ended, or it sent the SIGTERM
    }
  }

  async function stop(): Promise<PlaceStopOutcome> {
    const p = store.getState().process;
    if (p.pid === null) return { ok: false, message: 'no run of ours is running' };
    stopRequested = true;
    deferredTo = null;
    handedOff = false;
    dispatch({ type: 'process/update', patch: { stopSignals: [] } });
    // Said in runs.jsonl before the first signal: the dashboard watching the run's child learns it was a stop. Written
    // and signalled in this same tick, nothing awaited between: a q right after y, or the dashboard dying, cannot
    // leave a stop recorded and never sent (tester W25). The carrier stands from here on and is recorded with it, so
    // a dashboard opened during the stop defers to it (one SIGTERM, however many dashboards).
    if (p.runId) {
      const at = d.now();
      stopAskedAt = at;
      endStanding();
      standing = spawnCarrier(p, p.runId, at + STOP_GRACE_MS + DEADMAN_LAG_MS);
      try {
        recordStopNow(config.stateDir, p.runId, at, standing);
      } catch {
        // The stop goes on: the signal matters more than its record.
      }
    }
    // The first signal goes before escalate returns (stopRun signals before its first wait); the rest goes on in the
    // background, so a `q` after `y` waits for nothing but that signal (tester Z1: q froze 10–20 s in silence).
    void escalate(p).catch(() => undefined);
    return { ok: true, message: '' };
  }

  return {
    kind: 'local',
    label: 'local process',
    // A command without {keysFile} decides its keys itself (`--season 2024`, its own resume): it is run as configured,
    // and `r` cannot hand it the failed keys (tester W14: it was offered 853 keys, written to a keys file it never read).
    keysUnsupported: () => (config.command && !takesKeysFile(config.command) ? 'its command takes no keys file ({keysFile}): it chooses what to scrape' : null),
    settingsTaken: () => settingsTaken(config.command ?? []),
    launchWhere: () => '',
    keylessQuestion(workers, timeout) {
      const cmd = config.command ?? [];
      const settings = settingsWords(settingsTaken(cmd), workers, timeout);
      // The program and, after an interpreter, its script: `nt.sh`, `python3 backfill.py`.
      const script = cmd[1] && !cmd[1].startsWith('-') && !cmd[1].includes('{') ? ` ${basename(cmd[1])}` : '';
      return `Run ${basename(cmd[0] ?? 'the command')}${script} as configured${settings ? `, ${settings}` : ''}? It takes no keys file ({keysFile}): it chooses what to scrape.`;
    },
    launchBlocked() {
      const s = store.getState();
      if (!config.command) return 'no `command` in the config: nothing to launch';
      if (s.process.attached && s.process.alive) return `run ${s.process.runId} is still running (pid ${s.process.pid}); x stops it`;
      if (s.process.external) return `the log is being written by pid ${s.process.externalPids.join(', ')}, not started here: launching is refused until it ends`;
      return null;
    },
    notKnownYet() {
      const p = store.getState().process;
      // In the launch's start window (a second after the spawn) the run is neither ours yet nor nobody's: x, s and r
      // wait for it to settle rather than say `no run of ours is running` of a run going (tester W6).
      if (p.launching) return p.startingPid ? `the run being launched (pid ${p.startingPid}) is still starting` : 'a launch is under way';
      // Where /proc cannot be read, nothing more will be known: the keys act on what is.
      return p.writersChecked || p.attached || !CAN_SEE_WRITERS ? null : 'the first look at which process writes the log is not done yet';
    },
    stopQuestion() {
      const p = store.getState().process;
      // Our live run is ours to stop even while another process writes the log too (tester V18); only then is the
      // box about the other writer's run.
      if (strangerRun(p)) return { ok: false, tone: 'warn', message: `the run writing the log (pid ${p.externalPids.join(', ')}) was not started here: stop it where it runs` };
      if (!p.attached || !p.alive || p.pid === null) return { ok: false, tone: 'info', message: 'no run of ours is running' };
      if (p.stopping === 'needs-kill') {
        return { ok: true, kind: 'kill', message: `Send SIGKILL to process group ${p.pid} (run ${p.runId})? It ignored what was sent: ${signalsSent(p)}. Keys in flight are lost.` };
      }
      // Keyed by the run's stop: it goes when the stop moves on or is over (tester AC11: it stood frozen under `stopped`).
      if (p.stopping) return { ok: false, tone: 'info', message: `stopping run ${p.runId}: ${stopStage(p, d.now(), false)}`, key: stopNoticeKey(p.runId ?? '') };
      // A command that exited leaving the backfill in its session (tester W24): the box names what goes on.
      if (p.left) return { ok: true, kind: 'stop', message: `Stop run ${p.runId}? Its command ${leftWords(p.left.exitCode, p.left.signal, p.left.pids)}. SIGINT to its session's process groups, SIGTERM after ${STOP_GRACE_MS / 1000} s.` };
      return { ok: true, kind: 'stop', message: `Stop run ${p.runId} (pid ${p.pid})? SIGINT to its process group, SIGTERM after ${STOP_GRACE_MS / 1000} s.` };
    },
    launch,
    stop,
    async kill() {
      const p = store.getState().process;
      if (p.stopping !== 'needs-kill' || p.pid === null) return { ok: false, message: '' };
      if (!(await killRun(p.pid, p.procStart, undefined, p.left?.pids))) return { ok: false, message: `run ${p.runId} still alive after SIGKILL` };
      return { ok: true, message: '' };
    },
    async start() {
      // The runtime takes the /proc snapshot and calls attach and noteEndedUnseen.
    },
    async recentRuns() {
      return recordedRuns(await readRuns(config.stateDir).catch(() => []));
    },
    async close() {
      // Watchers end with the dashboard's signal; the run itself is never touched.
    },
    attach(patch) {
      if (patch.attached && patch.pid && patch.runId) {
        const p = store.getState().process;
        const stopping = p.runId === patch.runId && p.stopping ? p.stopping : null;
        notice(`re-attached to run ${patch.runId} (pid ${patch.pid}), still running${stopping ? `, stopping: ${stopStage(p, d.now(), false)}` : ''}`, 'info', runKey(patch.runId));
        watch(patch.pid, patch.procStart ?? null, patch.runId, undefined, patch.left?.pids);
        // A stop confirmed on a dashboard left during it goes on here from its record (tester Y9).
        if (stopping === 'needs-kill') stopRequested = true;
        else if (stopping) void carryOn(p);
        // Silent so far (tester U19): the run from its launch record, not `waiting` or the log's previous run.
        void until(() => logKnown(store.getState().log), 15_000).then(seedAttached);
      }
    },
    handOffStop: handOff,
    async noteEndedUnseen() {
      const marked = withMarkedPids(await readRuns(config.stateDir).catch(() => []));
      const runs = marked.runs;
      // A launch whose pid never reached runs.jsonl (its dashboard killed right after the spawn: tester AA13), found by
      // its mark: its record is completed, so `status`, `h` and every later dashboard know its pid without a walk.
      for (const run of marked.found) {
        const { end: _end, left, stopAskedAt: _a, stopTermAt: _t, stopCarrier: _c, ...launch } = run;
        try {
          await appendRunRecord(config.stateDir, { type: 'launch', ...launch });
          if (left) await appendRunRecord(config.stateDir, { type: 'left', id: run.id, ...left });
        } catch (err) {
          notice(`could not record the pid of run ${run.id}: ${(err as Error).message}`, 'warn');
        }
      }
      // One look at the runs' processes (/proc) sorts them all: unproven, and ended unseen.
      const { unproven, ended } = findAttachable(runs);
      for (const run of unproven) {
        if (run.pid === null) continue; // interrupted before its spawn: nothing under any pid to speak of
        notice(`run ${run.id} (pid ${run.pid}) has no recorded start time, so pid ${run.pid} cannot be proven to be it: not attached and never signalled from here`, 'warn');
      }
      // A launch that died before its first record is the log's newest run (tester Z8), once the log is read.
      void historyRead().then(() => {
        const dead = deadLaunchSeed(store.getState());
        if (dead) dispatch({ type: 'log/launched', seed: dead.seed, bytesBefore: store.getState().log.bytesRead, linesBefore: dead.linesBefore, ...(dead.deadStart ? { deadStart: true as const } : {}) });
      });
      // Its duration and counts come from its own log, so the log's history must be read first.
      if (ended.length) await historyRead();
      // The history read may take seconds: a run found gone above may be one this dashboard re-attached to and has
      // just stopped (tester U4), or one another dashboard recorded meanwhile. Its end is then recorded already,
      // or by the watch that saw it exit, with the counts read to its last line: never a second, false one.
      const recorded = new Set((await readRuns(config.stateDir).catch(() => [])).filter((r) => r.end !== null).map((r) => r.id));
      for (const run of ended) {
        if (watching.has(run.id) || endClaimed.has(run.id) || recorded.has(run.id)) continue;
        endClaimed.add(run.id);
        const last = store.getState().log.tail.at(-1)?.text ?? '';
        notice(`run ${run.id} (pid ${run.pid ?? '?'}) ended while no dashboard watched${last ? `; last line: ${last}` : ''}`, 'warn', runKey(run.id));
        const end = unwatchedEnd(run, store.getState().log, nextLaunchAt(run, runs));
        const counts = end.counts ? { ...end.counts } : undefined;
        await recordEndOnce(config.stateDir, { id: run.id, endedAt: unwatchedEndAt(end, run), exitCode: null, signal: null, reason: end.reason, counts }).catch(() => undefined);
      }
      if (ended.length) await d.refreshHistory();
    },
  };
}
