import type { ChildProcess } from 'node:child_process';
import { isAlive, type ProcStart } from './proc.js';
import { leftRunning, runProcesses, type Survivor } from './session.js';

/** How a watched run ended. exitCode and signal are known only through our own child handle. */
export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  /** Epoch ms when the end was noticed. */
  at: number;
}

/** Options for {@link watchProcess}. */
export interface WatchOptions {
  /** The handle from launch(), when this dashboard started the run: gives the exit code at once. */
  child?: ChildProcess;
  signal?: AbortSignal;
  /** How often /proc is checked for a re-attached run. Default 1000 ms. */
  pollMs?: number;
  onExit: (info: ExitInfo) => void;
  /**
   * The launched command exited and left processes of its session running (a wrapper that backgrounds the
   * backfill: tester W24): the run goes on until they are all gone, and onExit comes then. Called again whenever the
   * processes left change; `record` is true at the exit and when all those last recorded have gone while others go on
   * (what a later dashboard needs to prove the session is the run's: see LeftRecord).
   */
  onLeft?: (info: ExitInfo, left: Survivor[], record: boolean) => void;
  /** A re-attached run whose launched command is already gone: the processes it left, as recorded. */
  left?: Survivor[];
  now?: () => number;
}

/**
 * Calls onExit once when the run ends; returns the cleanup (the signal does the same). With our own child
 * handle the 'exit' event gives the code; a re-attached run is not our child, so /proc is polled for it,
 * each check after the last one ended, and its code stays unknown.
 */
export function watchProcess(pid: number, procStart: ProcStart | null, opts: WatchOptions): () => void {
  const now = opts.now ?? Date.now;
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  const finish = (exitCode: number | null, signal: string | null) => {
    if (done) return;
    stop();
    opts.onExit({ exitCode, signal, at: now() });
  };
  const onChildExit = (code: number | null, signal: NodeJS.Signals | null) => leaderGone(code, signal);
  const stop = () => {
    done = true;
    if (timer) clearTimeout(timer);
    opts.child?.off('exit', onChildExit);
    opts.signal?.removeEventListener('abort', stop);
  };
  if (opts.signal?.aborted) return () => undefined;
  opts.signal?.addEventListener('abort', stop, { once: true });

  /** The processes last recorded as left, and the ones last seen: the session's continuity, look to look. */
  let reported: Survivor[] = [];
  let seen: Survivor[] = [];
  /** The launched command is gone: the run ends with it, or goes on in what it left in its session. */
  function leaderGone(code: number | null, sig: string | null) {
    if (done) return;
    const left = leftRunning(pid, procStart);
    if (left.length === 0) return finish(code, sig);
    reported = seen = left;
    opts.onLeft?.({ exitCode: code, signal: sig, at: now() }, left, true);
    timer = setTimeout(pollSession, opts.pollMs ?? 1000);
  }
  function pollSession() {
    if (done) return;
    const members = runProcesses({ pid, procStart, left: seen }).map((m) => ({ pid: m.pid, procStart: m.procStart }));
    if (members.length === 0) return finish(null, null);
    const same = (a: Survivor[], b: Survivor[]) => a.length === b.length && a.every((x) => b.some((y) => y.pid === x.pid && y.procStart === x.procStart));
    const changed = !same(members, seen);
    seen = members;
    // All the processes a later dashboard would look for are gone while the run goes on: record who is left now.
    const record = !reported.some((r) => members.some((m) => m.pid === r.pid && m.procStart === r.procStart));
    if (record) reported = members;
    if (changed || record) opts.onLeft?.({ exitCode: null, signal: null, at: now() }, members, record);
    timer = setTimeout(pollSession, opts.pollMs ?? 1000);
  }

  const child = opts.child;
  if (child) {
    // The exit may already have happened (a short run inside launch's start window).
    if (child.exitCode !== null || child.signalCode !== null) {
      queueMicrotask(() => leaderGone(child.exitCode, child.signalCode));
    } else {
      child.on('exit', onChildExit);
    }
    return stop;
  }
  if (opts.left?.length && !isAlive(pid, procStart)) {
    reported = seen = opts.left;
    pollSession();
    return stop;
  }
  const poll = () => {
    if (done) return;
    if (!isAlive(pid, procStart)) leaderGone(null, null);
    else timer = setTimeout(poll, opts.pollMs ?? 1000);
  };
  poll();
  return stop;
}
