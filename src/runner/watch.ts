import type { ChildProcess } from 'node:child_process';
import { isAlive, type ProcStart } from './proc.js';
import { leftRunning, runProcesses, type Survivor } from './session.js';

/** How a watched run ended. exitCode and signal are known only through our own child handle. */
export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  /** Epoch ms when the end was noticed. */
  at: number;
  /**
   * Epoch ms when this watch last saw the run alive: its last look that found it (re-attached), or its last beat on
   * time before the exit came (our child). Far before `at`, the end was only seen late (the dashboard stopped by
   * Ctrl-Z, or its loop held up) and happened somewhere between the two (tester AD15): see lateExit.
   */
  seenAliveAt: number;
}

/** An exit seen this long after the run was last seen alive was seen late (see ExitInfo.seenAliveAt): 4 looks missed. */
export const LATE_EXIT_LOOKS = 4;

/** Whether the exit was seen late: the watch was not awake for the moment it happened (see ExitInfo.seenAliveAt). */
export function lateExit(info: Pick<ExitInfo, 'at' | 'seenAliveAt'>, pollMs = DEFAULT_POLL_MS): boolean {
  return info.at - info.seenAliveAt > LATE_EXIT_LOOKS * pollMs;
}

/** How often the run is looked at (re-attached) or the watch beats (our child), by default. */
const DEFAULT_POLL_MS = 1000;

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
  const pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  /** When the run was last seen alive (see ExitInfo.seenAliveAt): from the watch's start on. */
  let seenAliveAt = now();
  const finish = (exitCode: number | null, signal: string | null) => {
    if (done) return;
    stop();
    opts.onExit({ exitCode, signal, at: now(), seenAliveAt });
  };
  const onChildExit = (code: number | null, signal: NodeJS.Signals | null) => leaderGone(code, signal);
  let beat: NodeJS.Timeout | undefined;
  const stop = () => {
    done = true;
    if (timer) clearTimeout(timer);
    if (beat) clearInterval(beat);
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
    if (beat) clearInterval(beat);
    seenAliveAt = now();
    opts.onLeft?.({ exitCode: code, signal: sig, at: seenAliveAt, seenAliveAt }, left, true);
    timer = setTimeout(pollSession, pollMs);
  }
  function pollSession() {
    if (done) return;
    const members = runProcesses({ pid, procStart, left: seen }).map((m) => ({ pid: m.pid, procStart: m.procStart }));
    if (members.length === 0) return finish(null, null);
    seenAliveAt = now();
    const same = (a: Survivor[], b: Survivor[]) => a.length === b.length && a.every((x) => b.some((y) => y.pid === x.pid && y.procStart === x.procStart));
    const changed = !same(members, seen);
    seen = members;
    // All the processes a later dashboard would look for are gone while the run goes on: record who is left now.
    const record = !reported.some((r) => members.some((m) => m.pid === r.pid && m.procStart === r.procStart));
    if (record) reported = members;
    if (changed || record) opts.onLeft?.({ exitCode: null, signal: null, at: seenAliveAt, seenAliveAt }, members, record);
    timer = setTimeout(pollSession, pollMs);
  }

  const child = opts.child;
  if (child) {
    // The exit may already have happened (a short run inside launch's start window).
    if (child.exitCode !== null || child.signalCode !== null) {
      queueMicrotask(() => leaderGone(child.exitCode, child.signalCode));
    } else {
      child.on('exit', onChildExit);
      // Our child's exit comes as an event, at once, while this process runs: a beat on time proves the watch was
      // awake to see it, so the run was alive at the beat before. A late beat (stopped by Ctrl-Z, or the loop held
      // up) proves nothing: an exit that comes after it may have happened at any moment of the gap.
      let lastBeat = seenAliveAt;
      beat = setInterval(() => {
        const t = now();
        if (t - lastBeat <= 2 * pollMs) seenAliveAt = lastBeat;
        lastBeat = t;
      }, pollMs);
      beat.unref();
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
    if (!isAlive(pid, procStart)) return leaderGone(null, null);
    seenAliveAt = now();
    timer = setTimeout(poll, pollMs);
  };
  poll();
  return stop;
}
