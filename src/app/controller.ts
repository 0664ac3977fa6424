import type { ChildProcess } from 'node:child_process';
import { unwatchedEnd } from './unwatched-end.js';
import type { Config } from '../config.js';
import type { Intent } from '../keymap.js';
import { findAttachable } from '../runner/attach.js';
import { recordEnd, readRuns } from '../runner/runs-file.js';
import type { ProcStart } from '../runner/proc.js';
import { killRun, stopRun } from '../runner/stop.js';
import { watchProcess } from '../runner/watch.js';
import type { Store } from '../store.js';
import type { Confirm } from '../state/app-state.js';
import { coverageView } from '../state/coverage-view.js';
import { STOP_GRACE_MS, signalsSent, stopStage } from '../state/confirm-situation.js';
import { moveCursor } from '../state/cursor.js';
import { failuresView, retryGroups } from '../state/failures-view.js';
import { limit } from '../abort.js';
import { lookOnce } from './look-once.js';
import { launchBackfill } from './launcher.js';
import type { LiveSources } from './live-sources.js';
import type { RunPlace } from '../run-place/run-place.js';
import { recordedRuns } from './process-info.js';

export { STOP_GRACE_MS };

export interface ControllerDeps {
  config: Config;
  store: Store;
  live: LiveSources;
  exit(): void;
  now(): number;
  signal: AbortSignal;
  /** Where the run lives when it is not a local process (a Cloud Run Job); set once its modules have loaded. */
  place?: { current: RunPlace | null };
}

/**
 * Acts on intents: view changes go straight to the reducer; anything that starts or stops a process
 * first opens a confirm box, and only `confirm-yes` carries it out.
 */
export function createController(deps: ControllerDeps) {
  const { config, store, live } = deps;
  const dispatch = store.dispatch;
  const notice = (text: string, tone: 'info' | 'warn' | 'fail' = 'info') => dispatch({ type: 'ui/notice', text, tone });
  let stopRequested = false;
  let awake: { stop(): void } | null = null;
  let presentAtLaunch: number | null = null;

  const place = () => deps.place?.current ?? null;
  const refreshHistory = async () => {
    const pl = place();
    dispatch({ type: 'process/history', runs: pl ? await pl.recentRuns() : recordedRuns(await readRuns(config.stateDir).catch(() => [])) });
  };

  /** A fresh storage listing: resume and retry must not act on a cached one. */
  async function freshStorage(): Promise<Set<string> | null> {
    if (!live.storage) return null;
    notice(`listing ${live.storage.label} for a fresh count…`);
    const fresh = limit(60_000, deps.signal);
    const keys = await lookOnce(live.storage, dispatch, deps.now, fresh.signal, 60_000).finally(() => fresh.clear());
    if (keys === null) notice(`storage listing failed: ${store.getState().coverage.storage?.error ?? 'unknown error'}`, 'fail');
    return keys;
  }

  function launchBlocked(): string | null {
    const s = store.getState();
    if (config.cloudRun) {
      const pl = place();
      return pl ? pl.launchBlocked() : 'the Cloud Run client is still loading';
    }
    if (!config.command) return 'no `command` in the config: nothing to launch';
    if (s.process.attached && s.process.alive) return `run ${s.process.runId} is still running (pid ${s.process.pid}); x stops it`;
    if (s.process.external) return `the log is being written by pid ${s.process.externalPids.join(', ')}, not started here: launching is refused until it ends`;
    return null;
  }

  async function askResume() {
    const blocked = launchBlocked();
    if (blocked) return notice(blocked, 'warn');
    const pl = place();
    if (pl?.keysUnsupported()) {
      return openConfirm({ kind: 'resume', keys: [], workers: config.workers, timeout: config.timeout, message: `Execute ${pl.label}? Its args take no keys: the script's own resume skips what is in storage.` });
    }
    const expected = store.getState().coverage.expected?.keys;
    if (!expected) return notice('resume needs the expected keys (config `expected`)', 'warn');
    const present = await freshStorage();
    if (live.storage && present === null) return;
    const keys = present ? expected.filter((k) => !present.has(k)) : expected;
    if (keys.length === 0) return notice('nothing to resume: every expected key is in storage', 'info');
    openConfirm({ kind: 'resume', keys, workers: config.workers, timeout: config.timeout, message: `Launch ${keys.length} keys, ${config.workers} workers, timeout ${config.timeout} s?` });
  }

  async function askRetry(only?: { label: string; keys: string[] }) {
    const blocked = launchBlocked();
    if (blocked) return notice(blocked, 'warn');
    const cannot = place()?.keysUnsupported();
    if (cannot) return notice(`cannot retry only the failed keys: ${cannot}`, 'warn');
    const present = await freshStorage();
    if (live.storage && present === null) return;
    const failing = only ? only.keys : failuresView(store.getState()).rows.map((r) => r.key);
    const keys = failing.filter((k) => !present?.has(k));
    if (keys.length === 0) return notice('nothing to retry: every failed key is in storage now', 'info');
    const { workers, timeout } = config.retry;
    const what = only ? ` (${only.label} only)` : '';
    openConfirm({ kind: 'retry', keys, workers, timeout, message: `Retry ${keys.length} failed keys${what}, ${workers} workers, timeout ${timeout} s?` });
  }

  function openConfirm(confirm: Confirm) {
    dispatch({ type: 'ui/confirm', confirm });
  }

  /**
   * `x`: a stop box when no stop is under way; while one is, the stage it is in and when the next comes;
   * once SIGINT and SIGTERM were both ignored, the SIGKILL question as a box of its own.
   */
  function askStop() {
    const pl = place();
    if (pl) {
      const q = pl.stopQuestion();
      return q.ok ? openConfirm({ kind: 'stop', keys: [], workers: null, timeout: null, message: q.message }) : notice(q.message, 'info');
    }
    const p = store.getState().process;
    if (p.external) return notice(`the run writing the log (pid ${p.externalPids.join(', ')}) was not started here: stop it where it runs`, 'warn');
    if (!p.attached || !p.alive || p.pid === null) return notice('no run of ours is running', 'info');
    if (p.stopping === 'needs-kill') {
      return openConfirm({ kind: 'kill', keys: [], workers: null, timeout: null, message: `Send SIGKILL to process group ${p.pid} (run ${p.runId})? It ignored what was sent: ${signalsSent(p)}. Keys in flight are lost.` });
    }
    if (p.stopping) return notice(`stopping run ${p.runId}: ${stopStage(p, deps.now())}`, 'info');
    openConfirm({ kind: 'stop', keys: [], workers: null, timeout: null, message: `Stop run ${p.runId} (pid ${p.pid})? SIGINT to its process group, SIGTERM after ${STOP_GRACE_MS / 1000} s.` });
  }

  function watch(pid: number, procStart: ProcStart | null, runId: string, child?: ChildProcess) {
    watchProcess(pid, procStart, {
      child,
      signal: deps.signal,
      onExit: (info) => {
        awake?.stop();
        awake = null;
        dispatch({ type: 'process/update', patch: { alive: false, exitCode: info.exitCode, keepAwake: null, stopping: null, stopped: stopRequested } });
        const run = store.getState().log.current;
        const counts: Record<string, number> = run ? { succeeded: run.succeeded, failed: run.failed, skipped: run.skipped } : {};
        // Coverage after the run from a fresh listing, so the history shows what the run really added.
        void freshStorage()
          .then(() => {
            const present = coverageView(store.getState()).storage?.coverage?.present;
            if (presentAtLaunch !== null && present !== undefined) Object.assign(counts, { storageBefore: presentAtLaunch, storageAfter: present });
            return recordEnd(config.stateDir, { id: runId, endedAt: info.at, exitCode: info.exitCode, signal: info.signal, reason: stopRequested ? 'stopped' : 'exited', counts });
          })
          .then(refreshHistory)
          .catch((err: Error) => notice(`could not record the run's end: ${err.message}`, 'warn'));
        notice(`run ${runId} ended${info.exitCode !== null ? ` (exit ${info.exitCode})` : ''}`, stopRequested ? 'warn' : 'info');
        // Storage was just listed fresh above; the warehouse is the one left to look at.
        live.refresh('warehouse');
      },
    });
  }

  async function doLaunch(c: Confirm) {
    const label = c.kind === 'retry' ? 'retry' : c.kind === 'resume' ? 'resume' : 'launch';
    notice(`launching ${c.keys.length} keys…`);
    const pl = place();
    if (pl) {
      const out = await pl.launch({ keys: c.keys, workers: c.workers ?? config.workers, timeout: c.timeout ?? config.timeout, label });
      out.notices.forEach((n) => notice(n, 'warn'));
      notice(out.ok ? `launched run ${out.runId}: ${out.what}, ${c.keys.length} keys` : out.message, out.ok ? 'info' : 'fail');
      return refreshHistory();
    }
    presentAtLaunch = coverageView(store.getState()).storage?.coverage?.present ?? null;
    const out = await launchBackfill(config, { keys: c.keys, workers: c.workers ?? config.workers, timeout: c.timeout ?? config.timeout, label });
    out.notices.forEach((n) => notice(n, 'warn'));
    if (!out.ok) {
      notice(out.message, 'fail');
      await refreshHistory();
      return;
    }
    stopRequested = false;
    awake = out.keepAwake;
    const { run } = out;
    dispatch({ type: 'process/update', patch: { runId: run.id, pid: run.pid, procStart: run.procStart, attached: true, alive: true, stopped: false, stopping: null, stopSignals: [], exitCode: null, keepAwake: out.keepAwake.how } });
    notice(`launched run ${run.id}: pid ${run.pid}, ${c.keys.length} keys${out.keepAwake.how ? `, machine kept awake (${out.keepAwake.how})` : ''}`);
    watch(run.pid as number, run.procStart, run.id, out.child);
    await refreshHistory();
  }

  async function doStop() {
    const p = store.getState().process;
    if (p.pid === null) return;
    stopRequested = true;
    dispatch({ type: 'process/update', patch: { stopSignals: [] } });
    const onPhase = (phase: 'sigint' | 'sigterm' | 'waiting-kill-confirm') => {
      if (phase === 'waiting-kill-confirm') return dispatch({ type: 'process/update', patch: { stopping: 'needs-kill' } });
      const sent = { signal: phase === 'sigint' ? ('SIGINT' as const) : ('SIGTERM' as const), at: deps.now() };
      dispatch({ type: 'process/update', patch: { stopping: phase, stopSignals: [...store.getState().process.stopSignals, sent] } });
    };
    const result = await stopRun(p.pid, p.procStart, { graceMs: STOP_GRACE_MS, signal: deps.signal, onPhase });
    // Never a box that appears by itself: the operator opens the SIGKILL question with x, after this notice.
    if (result === 'needs-kill') notice(`run ${p.runId} ignored ${signalsSent(store.getState().process)}: press x to decide about SIGKILL`, 'warn');
  }

  async function onConfirmYes() {
    const c = store.getState().ui.confirm;
    if (!c) return;
    dispatch({ type: 'ui/confirm', confirm: null });
    if (c.kind === 'stop') {
      const pl = place();
      if (!pl) return doStop();
      const r = await pl.stop();
      return notice(r.message, r.ok === true ? 'info' : 'fail');
    }
    if (c.kind === 'kill') {
      const p = store.getState().process;
      if (p.stopping !== 'needs-kill') return;
      if (p.pid !== null && !(await killRun(p.pid, p.procStart))) notice(`pid ${p.pid} still alive after SIGKILL`, 'fail');
      return;
    }
    return doLaunch(c);
  }

  function onIntent(intent: Intent): void {
    const s = store.getState();
    const run = (p: Promise<unknown> | void) => void Promise.resolve(p).catch((err: Error) => notice(err.message, 'fail'));
    switch (intent) {
      case 'quit':
        return deps.exit();
      case 'help':
        return dispatch({ type: 'ui/help' });
      case 'view-failures':
        return dispatch({ type: 'ui/view', view: 'failures' });
      case 'view-history':
        run(refreshHistory());
        return dispatch({ type: 'ui/view', view: 'history' });
      case 'view-dashboard':
        return dispatch({ type: 'ui/view', view: 'dashboard' });
      case 'filter':
        return dispatch({ type: 'ui/filter-start' });
      case 'filter-done':
        return dispatch({ type: 'ui/filter-end', keep: true });
      case 'filter-cancel':
        return dispatch({ type: 'ui/filter-end', keep: false });
      case 'cursor-up':
      case 'cursor-down':
        return dispatch({ type: 'ui/cursor', key: moveCursor(failuresView(s).shown, s.ui.cursorKey, intent === 'cursor-up' ? -1 : 1) });
      case 'refresh':
        notice('checking storage and warehouse now');
        return live.refresh();
      case 'resume':
        return run(askResume());
      case 'retry':
        return run(askRetry());
      case 'retry-group': {
        const groups = retryGroups(s);
        if (groups.length === 0) return notice('no failures to retry', 'info');
        return dispatch({ type: 'ui/choose-group', choice: { groups, index: 0 } });
      }
      case 'choose-up':
      case 'choose-down': {
        const c = s.ui.choosingGroup;
        if (!c) return;
        const index = Math.max(0, Math.min(c.groups.length - 1, c.index + (intent === 'choose-up' ? -1 : 1)));
        return dispatch({ type: 'ui/choose-group', choice: { ...c, index } });
      }
      case 'choose-pick': {
        const c = s.ui.choosingGroup;
        if (!c) return;
        dispatch({ type: 'ui/choose-group', choice: null });
        return run(askRetry(c.groups[c.index]));
      }
      case 'stop':
        return askStop();
      case 'confirm-yes':
        return run(onConfirmYes());
      case 'confirm-no':
        dispatch({ type: 'ui/choose-group', choice: null });
        return dispatch({ type: 'ui/confirm', confirm: null });
    }
  }

  /** Re-attaches to a recorded run of ours that is still alive (its pid and start time both match). */
  function attach(patch: { runId?: string | null; pid?: number | null; procStart?: ProcStart | null; attached?: boolean }) {
    if (patch.attached && patch.pid && patch.runId) {
      notice(`re-attached to run ${patch.runId} (pid ${patch.pid}), still running`);
      watch(patch.pid, patch.procStart ?? null, patch.runId);
    }
  }

  /** Runs recorded as launched whose process is gone with no end record: they ended while no dashboard watched. */
  async function noteEndedUnseen() {
    const runs = await readRuns(config.stateDir).catch(() => []);
    for (const run of findAttachable(runs).unproven) {
      if (run.pid === null) continue; // interrupted before its spawn: nothing under any pid to speak of
      notice(`run ${run.id} (pid ${run.pid}) has no recorded start time, so pid ${run.pid} cannot be proven to be it: not attached and never signalled from here`, 'warn');
    }
    const ended = findAttachable(runs).ended;
    // Its duration and counts come from its own log, so the log's history must be read first.
    if (ended.length) await historyRead();
    for (const run of ended) {
      const last = store.getState().log.tail.at(-1)?.text ?? '';
      notice(`run ${run.id} (pid ${run.pid ?? '?'}) ended while no dashboard watched${last ? `; last line: ${last}` : ''}`, 'warn');
      const next = runs.find((r) => r.startedAt > run.startedAt)?.startedAt ?? null;
      const end = unwatchedEnd(run, store.getState().log, next);
      const counts = end.counts ? { ...end.counts } : undefined;
      await recordEnd(config.stateDir, { id: run.id, endedAt: end.endedAt ?? run.startedAt, exitCode: null, signal: null, reason: end.reason, counts }).catch(() => undefined);
    }
    if (findAttachable(runs).ended.length) await refreshHistory();
  }

  /** Resolves once the log's history is read, or after 15 s at most (a log that does not exist yet). */
  function historyRead(): Promise<void> {
    const done = () => store.getState().log.historyDone;
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      };
      const timer = setTimeout(finish, 15_000);
      const unsubscribe = store.subscribe(() => {
        if (done()) finish();
      });
    });
  }

  return { onIntent, attach, noteEndedUnseen };
}
