import { isAlive, type ProcStart } from './proc.js';
import { waitUntil } from './wait.js';

/** Where a stop is: shown in the UI while it waits. */
export type StopPhase = 'sigint' | 'sigterm' | 'waiting-kill-confirm';

/** Options for {@link stopRun}. */
export interface StopOptions {
  /** How long each of SIGINT and SIGTERM gets to end the run. */
  graceMs: number;
  signal?: AbortSignal;
  onPhase?: (phase: StopPhase) => void;
  pollMs?: number;
}

/**
 * Asks the run to end, gently first: SIGINT to its whole process group (what Ctrl-C would do, so the script
 * can save its failed keys), then SIGTERM, each with `graceMs` to go. Never SIGKILL: if both fail it returns
 * 'needs-kill' and the UI asks again before {@link killRun}. The pid is re-checked before every signal,
 * so a pid reused since is never signalled.
 */
export async function stopRun(pid: number, procStart: ProcStart | null, opts: StopOptions): Promise<'exited' | 'needs-kill'> {
  const gone = () => !isAlive(pid, procStart);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    if (gone()) return 'exited';
    opts.onPhase?.(sig === 'SIGINT' ? 'sigint' : 'sigterm');
    if (!signalGroup(pid, sig)) return 'exited';
    if (await waitUntil(gone, { timeoutMs: opts.graceMs, pollMs: opts.pollMs, signal: opts.signal })) return 'exited';
  }
  opts.onPhase?.('waiting-kill-confirm');
  return 'needs-kill';
}

/**
 * SIGKILL to the run's process group, after the operator confirmed a second time; waits up to `waitMs`
 * for it to be gone. True when it is gone (or already was).
 */
export async function killRun(pid: number, procStart: ProcStart | null, waitMs = 2000): Promise<boolean> {
  const gone = () => !isAlive(pid, procStart);
  if (gone()) return true;
  signalGroup(pid, 'SIGKILL');
  return waitUntil(gone, { timeoutMs: waitMs });
}

/** Signals the group led by pid (the run was started with setsid, so group id = pid). False if it is gone. */
function signalGroup(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, sig);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
