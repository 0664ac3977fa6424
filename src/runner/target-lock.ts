import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { acquireLaunchLock, type LockResult } from './lock.js';

/**
 * Where the launch locks of what a launch writes into (a log, a Cloud Run job) live: one folder for every dashboard of
 * this user, whatever its state directory or config (tester AK8: two dashboards with different `--state-dir`, `s` `y`
 * within a second, launched two backfills into one log, each under its own state directory's lock).
 */
export function targetLockDir(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return join(process.env.XDG_RUNTIME_DIR || tmpdir(), `backfill-tui-${uid}`);
}

/** A log as one name whatever path reaches it: its folder's real path and its own name (it may not exist yet). */
export function logTarget(log: string): string {
  try {
    return join(realpathSync(dirname(log)), basename(log));
  } catch {
    return resolve(log);
  }
}

/**
 * Takes the launch lock of `target` (a log's logTarget, or `cloud-run:projects/…/jobs/J`) in targetLockDir, beside the
 * job's own lock in its state directory: held by a live dashboard, the launch waits for nothing and is refused.
 */
export function acquireTargetLock(target: string): Promise<LockResult> {
  return acquireLaunchLock(targetLockDir(), `target-${createHash('sha256').update(target).digest('hex').slice(0, 20)}`);
}
