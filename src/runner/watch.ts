import type { ChildProcess } from 'node:child_process';
import { isAlive, type ProcStart } from './proc.js';

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
  const onChildExit = (code: number | null, signal: NodeJS.Signals | null) => finish(code, signal);
  const stop = () => {
    done = true;
    if (timer) clearTimeout(timer);
    opts.child?.off('exit', onChildExit);
    opts.signal?.removeEventListener('abort', stop);
  };
  if (opts.signal?.aborted) return () => undefined;
  opts.signal?.addEventListener('abort', stop, { once: true });

  const child = opts.child;
  if (child) {
    // The exit may already have happened (a short run inside launch's start window).
    if (child.exitCode !== null || child.signalCode !== null) {
      queueMicrotask(() => finish(child.exitCode, child.signalCode));
    } else {
      child.on('exit', onChildExit);
    }
    return stop;
  }
  const poll = () => {
    if (done) return;
    if (!isAlive(pid, procStart)) finish(null, null);
    else timer = setTimeout(poll, opts.pollMs ?? 1000);
  };
  poll();
  return stop;
}
