import type { ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Config } from '../config.js';
import { launchBackfill } from '../app/launcher.js';
import { commandVars, expandCommand, takesKeysFile } from '../runner/command.js';
import { commandLine, keysFileShown } from '../launch/launch-settings.js';
import { settingsTaken, settingsWords } from './settings-taken.js';
import { runEndWords } from './end-words.js';
import { CAN_SEE_WRITERS, recordedRuns } from '../app/process-info.js';
import { logRunFor, unwatchedEnd, unwatchedEndAt, nextLaunchAt, provenEnd } from '../app/unwatched-end.js';
import type { RunState } from '../state/run.js';
import { findAttachable } from '../runner/attach.js';
import { withMarkedPids } from '../runner/run-mark.js';
import type { ProcStart } from '../runner/proc.js';
import { appendRunRecord, recordEndOnce, readRuns, stopAsked, type RunRecord } from '../runner/runs-file.js';
import { runsOwner } from '../runner/runs-owner.js';
import { ignoresSignal, runProcesses, type Survivor } from '../runner/session.js';
import { killRun } from '../runner/stop.js';
import { lateExit, watchProcess, type ExitInfo } from '../runner/watch.js';
import { coverageView } from '../state/coverage-view.js';
import { STOP_GRACE_MS, clockTime, joinedSentWords, signalsSent, stopStage } from '../state/confirm-situation.js';
import { stopNoticeKey } from '../state/app-state.js';
import { createLocalStop } from './local-stop.js';

import type { Store } from '../store.js';
import type { AppState } from '../state/app-state.js';
import { attachedRunSeed, deadLaunchSeed } from '../state/attached-seed.js';
import { strangerRun } from '../state/writer.js';
import type { PlaceLaunchOutcome, PlaceLaunchRequest, RunPlace } from './run-place.js';
import { heldFileSize } from '../follow/held-file.js';

export { DEADMAN_LAG_MS } from './local-stop.js';

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
  /** Another dashboard's stop of the run watched, found in runs.jsonl, taken as this dashboard's to show and carry on (true: one was). */
  takeRecordedStop(): boolean;
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
  const stops = createLocalStop({ config, store, now: d.now, signal: d.signal, notice, runKey });
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

  /** The log is known, and when it holds a run, its modification time too (see seedAttached's caller). */
  const historyJudged = (log: AppState['log']) => logKnown(log) && (log.current === null || log.modifiedAt != null || !log.exists);

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
        dispatch({ type: 'process/update', patch: { exitCode: info.exitCode, exitedAt: late ? info.seenAliveAt : info.at, keepAwake: null, keepAwakeProblem: null, stopping: null, stopped: stops.requested() } });
        // The end record is written once (runs.jsonl is append-only): its counts wait until the follower has
        // read the log as far as it was when the run ended, since the last lines come just before the exit.
        // A log moved aside or deleted under the run is read where it went, through the follower's descriptor: its size
        // there, never the path's (tester AI6: `rm bf.log` mid-run, the path's 0 bytes let the end record count 149 of
        // 150 keys, `exited` and an "ended without a summary" alert for a run whose summary was written).
        const moved = store.getState().log.moved;
        const sizeAtExit = (moved ? heldFileSize(moved) : null) ?? logSize(config.log);
        const lines = until(() => store.getState().log.bytesRead >= sizeAtExit, END_READ_WAIT_MS);
        // Stopped from here, or from another dashboard (its stop record, written before its first signal): the
        // run ends `stopped`, with no "ended without a summary" alert, and one end record says so (tester V8).
        let stopped = stops.requested();
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
        /** When the listing of storage "after" was asked (kept with it: history-lines.ts storageMovedWords). */
        let listedAt = 0;
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
            listedAt = d.now();
            return d.freshStorage();
          })
          .then(async () => {
            const present = coverageView(store.getState()).storage?.coverage?.present;
            // "Before" from this run's own launch record, whoever launched it (tester W4: a run another dashboard
            // launched was given this dashboard's previous launch's figure); none recorded, none said.
            const runs = await readRuns(config.stateDir, runsOwner(config)).catch(() => [] as RunRecord[]);
            const rec = runs.find((r) => r.id === runId);
            const before = rec?.storageBefore;
            if (typeof before === 'number' && present !== undefined) Object.assign(counts, { storageBefore: before, storageAfter: present, storageAfterAt: listedAt });
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
    stops.reset();
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

  return {
    kind: 'local',
    label: 'local process',
    // A command without {keysFile} decides its keys itself (`--season 2024`, its own resume): it is run as configured,
    // and `r` cannot hand it the failed keys (tester W14: it was offered 853 keys, written to a keys file it never read).
    keysUnsupported: () => (config.command && !takesKeysFile(config.command) ? 'its command takes no keys file ({keysFile}): it chooses what to scrape' : null),
    settingsTaken: () => settingsTaken(config.command ?? []),
    launchWhere: () => '',
    commandShown(req) {
      const cmd = config.command ?? [];
      const keysFile = takesKeysFile(cmd) ? keysFileShown(config.stateDir, config.cwd ?? config.baseDir, req.label) : null;
      try {
        return `runs: ${commandLine(expandCommand(cmd, commandVars(config.vars, { keysFile, workers: req.workers, timeout: req.timeout })))}`;
      } catch {
        // A placeholder nothing fills (refused when the config is read): shown as written.
        return `runs: ${commandLine(cmd)}`;
      }
    },
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
      // Another dashboard may have stopped it since the last look at runs.jsonl: read now, before any box is offered.
      stops.takeRecorded();
      const p = store.getState().process;
      // Our live run is ours to stop even while another process writes the log too (tester V18); only then is the
      // box about the other writer's run.
      if (strangerRun(p)) return { ok: false, tone: 'warn', message: `the run writing the log (pid ${p.externalPids.join(', ')}) was not started here: stop it where it runs` };
      if (!p.attached || !p.alive || p.pid === null) return { ok: false, tone: 'info', message: 'no run of ours is running' };
      if (p.stopping === 'needs-kill') {
        return { ok: true, kind: 'kill', message: `Send SIGKILL to process group ${p.pid} (run ${p.runId})? It ignored what was sent: ${signalsSent(p)}. Keys in flight are lost.` };
      }
      // Another dashboard's stop (tester AG1): said as that dashboard's, nothing sent again.
      if (p.stopping && p.runId !== null && stops.fromOther() === p.runId && p.stopSignals.length > 0) {
        const asked = p.stopSignals[0].at;
        const term = p.stopSignals.find((x) => x.signal === 'SIGTERM');
        // In the words of a y that joins it (local-stop.ts deferToOther, joinAfterTerm).
        const sent = joinedSentWords(p.stopSignals);
        const next = !term ? `SIGTERM at ${clockTime(asked + STOP_GRACE_MS)} if it still runs` : `x asks about SIGKILL from ${clockTime(term.at + STOP_GRACE_MS)} if it still runs`;
        return { ok: false, tone: 'info', message: `run ${p.runId} is being stopped already by another dashboard (${sent}): none sent again; ${next}`, key: stopNoticeKey(p.runId) };
      }
      // Keyed by the run's stop: it goes when the stop moves on or is over (tester AC11: it stood frozen under `stopped`).
      if (p.stopping) return { ok: false, tone: 'info', message: `stopping run ${p.runId}: ${stopStage(p, d.now(), false)}`, key: stopNoticeKey(p.runId ?? '') };
      // What `y` will send, as it will send it: a run whose every process ignores SIGINT (a backfill a script started
      // with `&`) gets SIGTERM at once, and the box says so (tester AH5 a: it promised a SIGINT that never went).
      const groups = p.left ? "its session's process groups" : 'its process group';
      const ignoring = sigintIgnoredBy({ pid: p.pid, procStart: p.procStart, left: p.left?.pids });
      const signals = ignoring ? `SIGTERM to ${groups} at once: ${ignoring} SIGINT` : `SIGINT to ${groups}, SIGTERM after ${STOP_GRACE_MS / 1000} s`;
      // A command that exited leaving the backfill in its session (tester W24): the box names what goes on.
      if (p.left) return { ok: true, kind: 'stop', message: `Stop run ${p.runId}? Its command ${leftWords(p.left.exitCode, p.left.signal, p.left.pids)}. ${signals}.` };
      return { ok: true, kind: 'stop', message: `Stop run ${p.runId} (pid ${p.pid})? ${signals}.` };
    },
    launch,
    stop: stops.stop,
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
      return recordedRuns(await readRuns(config.stateDir, runsOwner(config)).catch(() => []));
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
        if (stopping === 'needs-kill') stops.markRequested();
        else if (stopping) void stops.carryOn(p);
        // Silent so far (tester U19): the run from its launch record, not `waiting` or the log's previous run.
        // With a run in the log, also its modification time (log/written, just after the history): whether that run is
        // the launch's rests on it (attached-seed.ts). With none (an empty log: nothing to wait for), at once.
        void until(() => historyJudged(store.getState().log), 15_000).then(seedAttached);
      }
    },
    handOffStop: stops.handOff,
    takeRecordedStop: stops.takeRecorded,
    async noteEndedUnseen() {
      const marked = withMarkedPids(await readRuns(config.stateDir, runsOwner(config)).catch(() => []));
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
      const recorded = new Set((await readRuns(config.stateDir, runsOwner(config)).catch(() => [])).filter((r) => r.end !== null).map((r) => r.id));
      /** Storage "after", listed once for the runs found ended (tester AK5: none was recorded), with when: `h` says it. */
      let after: { present: number; at: number } | null | undefined;
      const storageAfter = async () => {
        if (after !== undefined) return after;
        const at = d.now();
        await d.freshStorage().catch(() => null);
        const present = coverageView(store.getState()).storage?.coverage?.present;
        return (after = typeof present === 'number' && store.getState().coverage.storage?.error == null ? { present, at } : null);
      };
      for (const run of ended) {
        if (watching.has(run.id) || endClaimed.has(run.id) || recorded.has(run.id)) continue;
        endClaimed.add(run.id);
        const last = store.getState().log.tail.at(-1)?.text ?? '';
        notice(`run ${run.id}${run.pid !== null ? ` (pid ${run.pid})` : ''} ended while no dashboard watched${last ? `; last line: ${last}` : ''}`, 'warn', runKey(run.id));
        const end = unwatchedEnd(run, store.getState().log, nextLaunchAt(run, runs));
        const counts: Record<string, number> | undefined = end.counts ? { ...end.counts } : undefined;
        const listed = counts && typeof run.storageBefore === 'number' ? await storageAfter() : null;
        if (counts && listed) Object.assign(counts, { storageBefore: run.storageBefore, storageAfter: listed.present, storageAfterAt: listed.at });
        await recordEndOnce(config.stateDir, { id: run.id, endedAt: unwatchedEndAt(end, run), exitCode: null, signal: null, reason: end.reason, counts }).catch(() => undefined);
      }
      if (ended.length) await d.refreshHistory();
    },
  };
}

/**
 * `pid 6388 ignores` / `pids 6388, 6390 all ignore` when every process of the run ignores SIGINT (its SigIgn in
 * /proc, as stop.ts reads it when the stop goes), else null. Where /proc cannot be read nothing is known to ignore it.
 */
function sigintIgnoredBy(run: { pid: number; procStart: ProcStart | null; left?: Survivor[] }): string | null {
  const members = runProcesses(run);
  if (members.length === 0 || !members.every((m) => ignoresSignal(m.pid, 'SIGINT'))) return null;
  return members.length === 1 ? `pid ${members[0].pid} ignores` : `pids ${members.map((m) => m.pid).join(', ')} all ignore`;
}
