import { spawn } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { isAlive, procStartOf } from './proc.js';

/** What keeps the machine awake for a run, for the header. */
export interface KeepAwake {
  /** True while the inhibitor runs (it is re-checked on every read, so the header never claims a dead one). */
  readonly active: boolean;
  /** 'systemd-inhibit' or 'caffeinate' when active (or tried), else null. */
  how: string | null;
  /** Why it is not active: no tool, or the tool's own error (e.g. no D-Bus in a container). */
  reason: string | null;
  /** Ends the inhibitor early (keep-awake switched off); it also ends by itself with the run. */
  stop: () => void;
  /**
   * Calls `fn` once if the inhibitor we started ends by itself after it was taken as working (a bus or logind that
   * answered late: tester AD13), with why in words (`systemd-inhibit ended after 2 s (code 1): Failed to inhibit: …`).
   * Its end when the run ends is the same call: the caller tells them apart by the run.
   */
  onEnded?: (fn: (why: string) => void) => void;
}

/** Options for {@link keepAwake}; everything injectable for tests. */
export interface KeepAwakeOptions {
  platform?: NodeJS.Platform;
  pathEnv?: string;
  /** An inhibitor that fails does so at once; one still running after this long is taken as working. */
  settleMs?: number;
}

const WHO = 'backfill-tui';

/**
 * The inhibitor command for a platform, ending by itself when `pid` ends; null where there is none.
 * `find` resolves a program name to its path on PATH (or null).
 */
export function keepAwakeArgv(pid: number, platform: NodeJS.Platform, find: (name: string) => string | null): string[] | null {
  if (platform === 'linux') {
    const [inhibit, tail] = [find('systemd-inhibit'), find('tail')];
    if (!inhibit || !tail) return null;
    return [inhibit, '--what=sleep:idle', `--who=${WHO}`, `--why=backfill running (pid ${pid})`,
      '--mode=block', tail, `--pid=${pid}`, '-f', '/dev/null'];
  }
  const caffeinate = platform === 'darwin' ? find('caffeinate') : null;
  return caffeinate ? [caffeinate, '-i', '-w', String(pid)] : null;
}

/** The path of executable file `name` in PATH's directories, or null (no shell, no `which`). */
export function findOnPath(name: string, pathEnv: string = process.env.PATH ?? ''): string | null {
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Keeps the machine from sleeping while run `pid` lives. The inhibitor is started detached like the run, so it
 * outlives the dashboard and ends with the run. A re-attaching dashboard finds the one already running.
 */
export async function keepAwake(pid: number, opts: KeepAwakeOptions = {}): Promise<KeepAwake> {
  const platform = opts.platform ?? process.platform;
  const argv = keepAwakeArgv(pid, platform, (name) => findOnPath(name, opts.pathEnv));
  const inactive = (how: string | null, reason: string): KeepAwake => ({ active: false, how, reason, stop: () => undefined });
  if (!argv) return inactive(null, `nothing to keep ${platform} awake on PATH`);
  const how = basename(argv[0]);
  const existing = platform === 'linux' ? findInhibitor(pid) : null;
  if (existing !== null) {
    const start = procStartOf(existing);
    const alive = () => isAlive(existing, start);
    return { get active() { return alive(); }, how, reason: null, stop: () => { if (alive()) killGroup(existing); } };
  }

  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString('utf8')).slice(0, 500); });
  const early = await new Promise<{ code: number | null; error?: Error } | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), opts.settleMs ?? 500);
    child.once('error', (error) => { clearTimeout(timer); resolve({ code: null, error }); });
    child.once('exit', (code) => {
      clearTimeout(timer);
      // Its error text may still be in the pipe; 'close' says it has all arrived (unless a helper holds the pipe).
      const late = setTimeout(() => resolve({ code }), 200);
      child.once('close', () => { clearTimeout(late); resolve({ code }); });
    });
  });
  child.on('error', () => undefined);
  if (early) {
    const said = early.error?.message ?? stderr.trim().split('\n')[0] ?? '';
    return inactive(how, `${how} ended at once${early.code !== null ? ` (code ${early.code})` : ''}${said ? `: ${said}` : ''}`);
  }
  // Our end of the pipe must not keep the dashboard alive: unref'd, it is still read for a late failure's words.
  (child.stderr as (NodeJS.ReadableStream & { unref?: () => void }) | null)?.unref?.();
  child.unref();
  const inhibitor = child.pid!;
  const startedAt = Date.now();
  let running = true;
  let stopped = false;
  let ended: ((why: string) => void) | null = null;
  let said: string | null = null;
  child.once('exit', (code, signal) => {
    running = false;
    if (stopped) return;
    const first = stderr.trim().split('\n')[0] ?? '';
    said = `${how} ended after ${Math.max(1, Math.round((Date.now() - startedAt) / 1000))} s (${code !== null ? `code ${code}` : (signal ?? 'signal')})${first ? `: ${first}` : ''}`;
    ended?.(said);
  });
  return {
    get active() { return running; },
    how,
    reason: null,
    stop: () => {
      stopped = true;
      if (running) killGroup(inhibitor);
    },
    onEnded: (fn) => {
      ended = fn;
      if (said !== null) fn(said);
    },
  };
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/** The pid of an inhibitor a previous dashboard started for this run, found by its command line. */
export function findInhibitor(pid: number): number | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes(`--who=${WHO}`) && args.includes(`--pid=${pid}`)) return Number(entry);
    } catch {
      // gone or unreadable
    }
  }
  return null;
}
