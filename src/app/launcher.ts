import type { ChildProcess } from 'node:child_process';
import { lstat, unlink } from 'node:fs/promises';
import type { Config } from '../config.js';
import { commandVars, expandCommand, takesKeysFile } from '../runner/command.js';
import { settingsRecorded, settingsTaken } from '../run-place/settings-taken.js';
import { keepAwake, type KeepAwake } from '../runner/keep-awake.js';
import { writeKeysFile } from '../runner/keys-file.js';
import { readExpectedLayout } from '../coverage/expected-keys.js';
import { launch } from '../runner/launch.js';
import { acquireLaunchLock } from '../runner/lock.js';
import { acquireTargetLock, logTarget } from '../runner/target-lock.js';
import { staleLockWords } from '../run-place/end-words.js';
import type { RunRecord } from '../runner/runs-file.js';
import type { RunLabel } from '../runner/keys-file.js';
import { processSnapshot } from './process-info.js';

/** What a launch asks for: the keys and the settings the confirm box showed. */
export interface LaunchRequest {
  keys: string[];
  workers: number;
  timeout: number;
  label: RunLabel;
  /** Expected keys present in storage at the launch, or null when not known: recorded, so whoever records the run's end says what it added. */
  storageBefore?: number | null;
}

export type LaunchOutcome =
  | { ok: true; run: RunRecord; child: ChildProcess; keepAwake: { how: string | null; reason: string | null; stop(): void; onEnded?: KeepAwake['onEnded'] }; notices: string[] }
  | { ok: false; message: string; notices: string[] };

/**
 * Launches the configured command on a keys file, under the launch lock so two dashboards cannot start the
 * same job twice, and only when no run of ours or anyone else's is writing the log.
 */
export async function launchBackfill(config: Config, req: LaunchRequest, onSpawn?: (pid: number, launch: { id: string; startedAt: number }) => void): Promise<LaunchOutcome> {
  const notices: string[] = [];
  if (!config.command) return { ok: false, message: 'no `command` in the config: nothing to launch', notices };
  const lock = await acquireLaunchLock(config.stateDir, config.job).catch((err: Error) => ({ ok: false as const, holderPid: null, error: err }));
  if (!lock.ok) {
    const why = 'error' in lock ? causeFirst(lock.error.message) : `another dashboard${lock.holderPid !== null ? ` (pid ${lock.holderPid})` : ''} is launching this job`;
    return { ok: false, message: `not launched: ${why}`, notices };
  }
  if (lock.tookOverStale) notices.push(staleLockWords(lock.tookOverStale.pid));
  // And the log's own, shared by every dashboard of this user (tester AK8: another state directory, or another config
  // naming the same log, launched beside this one in the instant before either wrote it). One it cannot take is said,
  // and the job's lock stands alone: a full /tmp must not stop a launch the job's lock allows.
  const logLock = await acquireTargetLock(logTarget(config.log)).catch((err: Error) => ({ ok: false as const, holderPid: null, error: err }));
  if (!logLock.ok && !('error' in logLock)) {
    await lock.release();
    return { ok: false, message: `not launched: another dashboard${logLock.holderPid !== null ? ` (pid ${logLock.holderPid})` : ''} is launching into ${config.log}`, notices };
  }
  if (!logLock.ok) notices.push(`the log's shared launch lock could not be taken (${causeFirst(logLock.error.message)}): launched under the job's lock alone`);
  else if (logLock.tookOverStale) notices.push(staleLockWords(logLock.tookOverStale.pid));
  try {
    const now = await processSnapshot(config);
    if (now.attached) return { ok: false, message: `not launched: run ${now.runId} (pid ${now.pid}) is still running`, notices };
    if (now.external) return { ok: false, message: `not launched: the log is being written by pid ${now.externalPids?.join(', ')}, not started here`, notices };
    // A command that takes no keys file gets none: nothing written for it to never read (tester W14).
    const takesKeys = takesKeysFile(config.command);
    let keysFile: string | null = null;
    try {
      if (takesKeys) keysFile = await writeKeysFile(config.stateDir, req.keys, req.label, Date.now, await readExpectedLayout(config.expected));
    } catch (err) {
      return { ok: false, message: `not launched: ${(err as Error).message}`, notices };
    }
    let argv: string[];
    try {
      argv = expandCommand(config.command, commandVars(config.vars, { keysFile, workers: req.workers, timeout: req.timeout }));
    } catch (err) {
      return { ok: false, message: `not launched: ${(err as Error).message}`, notices };
    }
    const logWasThere = await lstat(config.log).then(() => true, () => false);
    const result = await launch({ argv, cwd: config.cwd ?? config.baseDir, env: config.env, logFile: config.log, stateDir: config.stateDir, keysFile, keyCount: takesKeys ? req.keys.length : 0, label: req.label, ...settingsRecorded(settingsTaken(config.command), req.workers, req.timeout), storageBefore: req.storageBefore ?? null, onSpawn });
    if (!result.ok) {
      if (!logWasThere) await removeEmptyLog(config.log);
      const out = result.firstOutput.trim();
      // No end recorded: the launch stopped before anything was spawned (its record could not be written).
      if (result.run.end === null) return { ok: false, message: `not launched: ${result.reason}`, notices };
      return { ok: false, message: `failed to start: ${result.reason}${out ? ` — first output: ${out.split('\n').slice(-3).join(' | ')}` : ''}`, notices };
    }
    const awake = config.keepAwake && result.run.pid !== null ? await keepAwake(result.run.pid) : { active: false, how: null, reason: null, stop: () => undefined };
    return { ok: true, run: result.run, child: result.child, keepAwake: { how: awake.active ? awake.how : null, reason: awake.active ? null : awake.reason, stop: awake.stop, onEnded: awake.onEnded }, notices };
  } finally {
    if (logLock.ok) await logLock.release();
    await lock.release();
  }
}

/**
 * A launch that never started leaves no log the operator did not have (tester X9: a command not found left an empty
 * bf.log, and the screen said `No run in the log yet` instead of `waiting for bf.log`). Only a file this launch made
 * (none was there before) and that is still empty: anything written to it is kept.
 */
async function removeEmptyLog(log: string): Promise<void> {
  try {
    if ((await lstat(log)).size === 0) await unlink(log);
  } catch {
    // gone already, or not ours to judge: left as it is
  }
}

/**
 * `Cannot write the launch lock /a/long/path/launch-x.lock: a part of the path is a file, not a directory (ENOTDIR)`
 * with the cause first, so that a notice cut at the terminal's edge still says why (tester Y8: the cause was past
 * column 80): `a part of the path is a file, not a directory (ENOTDIR): cannot write the launch lock /a/…`.
 */
export function causeFirst(message: string): string {
  const m = /^Cannot write (.+?): (.+)$/s.exec(message);
  return m ? `${m[2]}: cannot write ${m[1]}` : message;
}
