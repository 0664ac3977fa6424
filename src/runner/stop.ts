import { isAlive, type ProcStart } from './proc.js';
import { ignoresSignal, runGroups, runProcesses, type Survivor } from './session.js';
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
  /**
   * A signal not sent because every process of the run ignores it (a backfill started with `&` by a script ignores
   * SIGINT): the next one goes at once rather than after a grace no one can use.
   */
  onSkip?: (sig: 'SIGINT', pids: number[]) => void;
  /** What the launched command left running in its session when it exited (watch.ts onLeft): the run goes on in them. */
  left?: Survivor[];
  /** `SIGTERM`: SIGINT went earlier (a stop carried on from its record, tester Y9): the stop goes on from SIGTERM. */
  from?: 'SIGTERM';
  /**
   * Asked when SIGTERM is due, before it goes: `send` (this caller sends it, and has recorded it), `exited`, or, when
   * another sent it (a stop's carrier, or the dashboard it stands for), what is left of its grace: then none is sent
   * here. One SIGTERM per stop, whoever sends it.
   */
  beforeTerm?: () => Promise<'send' | 'exited' | { graceLeftMs: number }>;
}

/**
 * Asks the run to end, gently first: SIGINT to its whole process group (what Ctrl-C would do, so the script
 * can save its failed keys), then SIGTERM, each with `graceMs` to go. Never SIGKILL: if both fail it returns
 * 'needs-kill' and the UI asks again before {@link killRun}. The pid is re-checked before every signal,
 * so a pid reused since is never signalled. The run is every process of the session its command was launched in
 * (session.ts), so a backfill the command left running when it exited is stopped too (tester W24).
 */
export async function stopRun(pid: number, procStart: ProcStart | null, opts: StopOptions): Promise<'exited' | 'needs-kill'> {
  const run = { pid, procStart, left: opts.left };
  // The launched command alive settles it without a walk of /proc (this is polled every pollMs).
  const gone = () => !isAlive(pid, procStart) && runProcesses(run).length === 0;
  for (const sig of opts.from === 'SIGTERM' ? (['SIGTERM'] as const) : (['SIGINT', 'SIGTERM'] as const)) {
    if (sig === 'SIGTERM' && opts.beforeTerm) {
      const said = await opts.beforeTerm();
      if (said === 'exited') return 'exited';
      if (said !== 'send') {
        if (await waitUntil(gone, { timeoutMs: Math.max(0, said.graceLeftMs), pollMs: opts.pollMs, signal: opts.signal })) return 'exited';
        continue;
      }
    }
    const members = runProcesses(run);
    const groups = runGroups(members);
    if (groups.length === 0) return 'exited';
    if (sig === 'SIGINT' && members.every((m) => ignoresSignal(m.pid, sig))) {
      opts.onSkip?.(sig, members.map((m) => m.pid));
      continue;
    }
    opts.onPhase?.(sig === 'SIGINT' ? 'sigint' : 'sigterm');
    if (!signalGroups(groups, sig)) return 'exited';
    if (await waitUntil(gone, { timeoutMs: opts.graceMs, pollMs: opts.pollMs, signal: opts.signal })) return 'exited';
  }
  opts.onPhase?.('waiting-kill-confirm');
  return 'needs-kill';
}

/**
 * SIGKILL to the run's process group, after the operator confirmed a second time; waits up to `waitMs`
 * for it to be gone. True when it is gone (or already was).
 */
export async function killRun(pid: number, procStart: ProcStart | null, waitMs = 2000, left?: Survivor[]): Promise<boolean> {
  const run = { pid, procStart, left };
  const gone = () => !isAlive(pid, procStart) && runProcesses(run).length === 0;
  const groups = runGroups(runProcesses(run));
  if (groups.length === 0) return true;
  signalGroups(groups, 'SIGKILL');
  return waitUntil(gone, { timeoutMs: waitMs });
}

/**
 * Signals each process group of the run (the launched command's, led by its pid since it was started with setsid,
 * and any other its session made). False if every one is gone.
 */
function signalGroups(groups: number[], sig: NodeJS.Signals): boolean {
  let reached = false;
  for (const g of groups) {
    try {
      process.kill(-g, sig);
      reached = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  return reached;
}
