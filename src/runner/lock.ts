import { link, rename, unlink, writeFile } from 'node:fs/promises';
import { makeDirs } from './make-dirs.js';
import { readUserText, type UserFileError } from '../user-file.js';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describeWriteError } from './atomic-write.js';
import { isAlive, pidExists, procStartOf, type ProcStart } from './proc.js';

/** Who holds a launch lock: a dashboard process, named by pid and start time. */
export interface LockHolder {
  pid: number;
  procStart: ProcStart | null;
  /** Epoch ms when it was taken. */
  at: number;
}

/** Either we hold the lock (and must release it), or a live dashboard does. */
export type LockResult =
  | { ok: true; release: () => Promise<void>; tookOverStale?: { pid: number | null } }
  | { ok: false; holderPid: number | null };

/** Who is acquiring; tests pass other live processes to race them. Defaults to this process. */
export interface LockOptions {
  self?: { pid: number; procStart: ProcStart | null };
  now?: () => number;
}

/** `STATEDIR/launch-<job>.lock`. */
export function lockPath(stateDir: string, job: string): string {
  return join(stateDir, `launch-${job.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
}

/**
 * Takes the job's launch lock so two dashboards cannot launch the same job twice. The lock appears whole
 * (written to a temp file, then hard-linked into place, which fails if it exists: O_EXCL without the moment
 * where a reader sees an empty file). A lock whose holder is dead, or whose pid now names another process,
 * is stale: it is moved aside and taken over, and the result says so for the notice.
 */
export async function acquireLaunchLock(stateDir: string, job: string, opts: LockOptions = {}): Promise<LockResult> {
  const self = opts.self ?? { pid: process.pid, procStart: procStartOf(process.pid) };
  const holder: LockHolder = { ...self, at: (opts.now ?? Date.now)() };
  const path = lockPath(stateDir, job);
  const ours = JSON.stringify(holder);
  const tag = randomBytes(4).toString('hex');
  const tmp = `${path}.${tag}.tmp`;
  let tookOverStale: { pid: number | null } | undefined;
  try {
    // Inside the try: a write that fails half way (a full disk) must not leave the temp file behind.
    try {
      await makeDirs(stateDir);
      await writeFile(tmp, ours, { flag: 'wx' });
    } catch (err) {
      throw describeWriteError(err, `the launch lock ${path}`, stateDir);
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await tryLink(tmp, path)) {
        return { ok: true, release: () => releaseIfOurs(path, ours), ...(tookOverStale ? { tookOverStale } : {}) };
      }
      const current = await readOrNull(path);
      if (current === null) continue; // released meanwhile: try again
      const other = parseHolder(current);
      // A holder without a start time cannot be proven gone: while its pid exists, it counts as holding.
      const held = other !== null && (other.procStart === null ? pidExists(other.pid) : isAlive(other.pid, other.procStart));
      if (held) return { ok: false, holderPid: other.pid };
      const moved = await moveAsideIfSame(path, current, `${path}.${tag}.stale`);
      if (moved === 'changed') {
        const now = parseHolder((await readOrNull(path)) ?? '');
        return { ok: false, holderPid: now?.pid ?? null };
      }
      if (moved === 'moved') tookOverStale = { pid: other?.pid ?? null };
    }
    return { ok: false, holderPid: parseHolder((await readOrNull(path)) ?? '')?.pid ?? null };
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Whether a live dashboard holds the job's launch lock now: a launch is under way (its record written, its `jobs.run` or
 * its spawn not answered yet), whose fate no other look may settle however long it takes (h70's note: only a 60 s
 * window kept another dashboard from saying it never became an execution).
 */
export async function launchLockHeld(stateDir: string, job: string): Promise<boolean> {
  const text = await readOrNull(lockPath(stateDir, job)).catch(() => null);
  const other = text === null ? null : parseHolder(text);
  return other !== null && (other.procStart === null ? pidExists(other.pid) : isAlive(other.pid, other.procStart));
}

async function tryLink(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Renames the stale lock away, then checks it is the one judged stale. If another dashboard replaced it in
 * between, we moved a live lock: link it back (fails only if a third one got in, which we then leave).
 * Exported for its test: the window it guards is too narrow to hit by racing.
 */
export async function moveAsideIfSame(path: string, judged: string, grave: string): Promise<'moved' | 'gone' | 'changed'> {
  try {
    await rename(path, grave);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  const moved = await readOrNull(grave);
  if (moved !== judged) await tryLink(grave, path);
  await unlink(grave).catch(() => undefined);
  return moved === judged ? 'moved' : 'changed';
}

async function releaseIfOurs(path: string, ours: string): Promise<void> {
  if ((await readOrNull(path)) === ours) await unlink(path).catch(() => undefined);
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    // A regular file only (user-file.ts): a FIFO with the lock's name would block the read for good.
    return (await readUserText(path, { label: 'launch lock', maxBytes: 64_000 })).text;
  } catch (err) {
    if ((err as UserFileError).problem === 'missing') return null;
    throw err;
  }
}

/** The holder in a lock file, or null for anything else (a hand-made or foreign file counts as stale). */
export function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid !== 'number' || !Number.isInteger(v.pid) || v.pid <= 0) return null;
    return { pid: v.pid, procStart: typeof v.procStart === 'number' || typeof v.procStart === 'string' ? v.procStart : null, at: Number(v.at) || 0 };
  } catch {
    return null;
  }
}
