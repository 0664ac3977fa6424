import { link, unlink, writeFile } from 'node:fs/promises';
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
      if (other !== null && holds(other)) return { ok: false, holderPid: other.pid };
      // Stale: cleared by one taker at a time, under the lock's breaker (clearStale), never moved aside on a guess.
      const cleared = await clearStale(path, current, tmp, ours);
      if (typeof cleared === 'object') return { ok: false, holderPid: cleared.busy };
      if (cleared) tookOverStale = { pid: other?.pid ?? null };
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
  return other !== null && holds(other);
}

/**
 * Whether the process a lock (or its breaker) names is still the one that wrote it. A holder without a start time
 * cannot be proven gone: while its pid exists, it counts as holding.
 */
function holds(h: LockHolder): boolean {
  return h.procStart === null ? pidExists(h.pid) : isAlive(h.pid, h.procStart);
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

/** How long a taker waits for another dashboard that is clearing the same stale lock (a few ms as a rule). */
const BREAKER_WAIT_MS = 2_000;

/**
 * Removes the stale lock `judged` from `path` when it is still there, holding `PATH.break` meanwhile (the lock's own
 * way: `tmp` hard-linked into place), so only one taker clears it at a time. Under the breaker nobody else removes
 * the lock and its dead holder cannot release it, so a lock read as `judged` is still the stale one when unlinked.
 * Before, each taker renamed the lock aside and put it back when it proved fresh; with four racers a third could
 * link its lock in that moment and two dashboards held the launch (runner-lock's four-process race, seen once in
 * CI). Returns whether this call removed it, or `{ busy: pid }` when another live dashboard held the breaker for
 * BREAKER_WAIT_MS. A breaker left by a dashboard that died holding it is removed first (that removal can race only
 * with another dead breaker's: a crash within a few ms, twice).
 */
async function clearStale(path: string, judged: string, tmp: string, ours: string): Promise<boolean | { busy: number }> {
  const breaker = `${path}.break`;
  const until = Date.now() + BREAKER_WAIT_MS;
  while (!(await tryLink(tmp, breaker))) {
    const text = await readOrNull(breaker);
    if (text === null) continue;
    const h = parseHolder(text);
    if (h === null || !holds(h)) {
      await unlink(breaker).catch(() => undefined);
      continue;
    }
    if (Date.now() > until) return { busy: h.pid };
    await new Promise((r) => setTimeout(r, 5));
  }
  try {
    if ((await readOrNull(path)) !== judged) return false;
    await unlink(path).catch(() => undefined);
    return true;
  } finally {
    await releaseIfOurs(breaker, ours);
  }
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
