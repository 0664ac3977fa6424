import { readsInFlight } from './user-file.js';

/**
 * Ending the process when a file read may never return. Node's exit (process.exit, or the end of the program)
 * waits for every thread of libuv's pool to finish what it is doing, and a read on a hung NFS or gcsfuse mount,
 * or an open that blocks, never finishes and cannot be cancelled: the process then never exits, whatever it said
 * (tester AH9: `status --timeout 5` printed its timeout words at 5 s and was still there at 60; the dashboard's q,
 * Ctrl-C and SIGTERM unmounted the screen and left the process behind). A request of the pool is often still under
 * way at the end (a stat or a close a part left behind), done a moment later: the end waits up to SETTLE_MS for the
 * pool to be idle, then exits as always. When it is still busy then:
 * - an end for a signal (129 SIGHUP, 130 SIGINT, 143 SIGTERM) is that signal's own default action, which does not
 *   wait for the pool, and gives the shell the same status the exit code would have;
 * - any other end (q's 0, status's 0, 1 or 2) arms a watchdog, a small process of its own, and exits as always: a
 *   read that finishes in time lets the exit go through with its code (the watchdog sees its pipe close and ends);
 *   one that does not is ended by the watchdog with SIGKILL after END_WAIT_MS, saying so on stderr (status 137).
 */

/** How long an exit may wait for the pool's work before the watchdog ends the process (ms). */
export const END_WAIT_MS = 1000;
/** How long the end waits, in this process, for the pool to be idle before it takes its work for stuck (ms). */
const SETTLE_MS = 100;

/** The resources of a request that runs in libuv's pool (process.getActiveResourcesInfo's names). */
const POOL_WORK = new Set(['FSReqCallback', 'FSReqPromise', 'FileHandleCloseReq', 'CloseReq', 'GetAddrInfoReqWrap', 'GetNameInfoReqWrap']);

/** Looks at pool work this thread's resources do not show: each says what it reads now, or null when nothing. */
const elsewhere = new Set<() => string | null>();

/**
 * Tells the end of pool work another thread does (the parse worker's reads: libuv's pool is the process's, and an exit
 * waits for all of it, while getActiveResourcesInfo shows this thread's requests only). `look` says what is being
 * read (`log /data/bf.log (read by the parse worker)`), or null when nothing is. Returns the undoing.
 */
export function poolWorkElsewhere(look: () => string | null): () => void {
  elsewhere.add(look);
  return () => void elsewhere.delete(look);
}

/** What other threads read in the pool now (poolWorkElsewhere), by name. */
function readsElsewhere(): string[] {
  const out: string[] = [];
  for (const look of elsewhere) {
    const what = look();
    if (what !== null) out.push(what);
  }
  return out;
}

/** True when a request is under way in libuv's pool, this thread's or another's: an exit now waits for it. */
export function poolBusy(): boolean {
  return process.getActiveResourcesInfo().some((name) => POOL_WORK.has(name)) || readsElsewhere().length > 0;
}

const SIGNAL_OF: Record<number, NodeJS.Signals> = { 129: 'SIGHUP', 130: 'SIGINT', 143: 'SIGTERM' };

/**
 * The watchdog's program (CommonJS, `node -e`): argv pid, wait (ms), words. It ends when its stdin (a pipe from the
 * process it watches) closes, which happens when that process has exited; else it kills it at the wait's end.
 */
const WATCHDOG = `
const [pid, ms, words] = [Number(process.argv[1]), Number(process.argv[2]), process.argv[3]];
process.stdin.on('data', () => {}).on('end', () => process.exit(0)).on('error', () => process.exit(0));
setTimeout(() => {
  try { process.kill(pid, 0); } catch { process.exit(0); }
  // Said first: a terminal stops reading once the process it runs is gone (tmux marks the pane dead).
  process.stderr.write(words, () => {
    try { process.kill(pid, 'SIGKILL'); } catch {}
    process.exit(0);
  });
}, ms);
`;

/** What the watchdog says when it has to end the process: the reads under way, by name, when they are known. */
function endWords(): string {
  const reads = [...new Set([...readsInFlight(), ...readsElsewhere()])];
  const what = reads.length === 0 ? 'a file read (or a name lookup)' : reads.length === 1 ? `the read of ${reads[0]}` : `the reads of ${reads.join(', ')}`;
  return `backfill-tui: ${what} had not returned ${END_WAIT_MS / 1000} s after the end (a hung mount?): ended without waiting for it (SIGKILL, exit status 137)\n`;
}

/** Starts the watchdog for this process (see the module's note); resolves once it is spawned. */
async function armWatchdog(): Promise<void> {
  try {
    // Loaded here only: `status` pays for child_process only when its end would wait on the pool.
    const { spawn } = await import('node:child_process');
    // Wrapped within a terminal's width as every message is (h84: a terminal broke it mid-word); loaded here only.
    const { fitErr } = await import('./std-write.js');
    const child = spawn(process.execPath, ['-e', WATCHDOG, String(process.pid), String(END_WAIT_MS), await fitErr(endWords())], {
      detached: true,
      stdio: ['pipe', 'ignore', 'inherit'],
      env: { PATH: process.env.PATH ?? '' },
    });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No watchdog: the exit goes on as Node's own would.
  }
}

/**
 * Ends the process with `code`, never left waiting for a pool thread (see the module's note). Output written
 * through the streams must have drained before (the caller's write callbacks).
 */
export function endProcess(code: number): void {
  if (!poolBusy()) return void process.exit(code);
  const until = Date.now() + SETTLE_MS;
  const look = (): void => {
    if (!poolBusy()) return void process.exit(code);
    // Looked at each turn of the loop: the request's end is seen the turn it comes, with no timer's delay.
    if (Date.now() < until) return void setImmediate(look);
    endBusy(code);
  };
  setImmediate(look);
}

/** The end with the pool's work still under way after SETTLE_MS: a signal's own action, or the watchdog and the exit. */
function endBusy(code: number): void {
  const signal = SIGNAL_OF[code];
  if (signal) {
    // Its default action: every listener goes first (Ink's exit hook holds one too), then the signal ends us at once.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  void armWatchdog().then(() => process.exit(code));
}
