import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { openAppendRegularSync } from '../user-file.js';
import { stat } from 'node:fs/promises';
import { makeDirs } from './make-dirs.js';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { procStartOf } from './proc.js';
import { leftRunning } from './session.js';
import { fileStamp, type RunLabel } from './keys-file.js';
import { appendRunRecord, appendRunRecordNow, recordEnd, type LaunchRecord, type RunRecord } from './runs-file.js';
import { RUN_MARK } from './run-mark.js';
import { readLogFrom } from './log-bytes.js';
import { describeWriteError } from './atomic-write.js';

/** What to start and where its output goes. */
export interface LaunchOptions {
  /** Already expanded (see expandCommand): argv[0] is looked up on PATH, no shell. */
  argv: string[];
  cwd: string;
  /** Added to the dashboard's environment, e.g. { PYTHONUNBUFFERED: '1' }. */
  env: Record<string, string>;
  /** The configured log: appended to, never truncated. */
  logFile: string;
  stateDir: string;
  keysFile: string | null;
  keyCount: number;
  label: RunLabel;
  /** The workers and timeout (s) the launch asked for: recorded, so a dashboard re-attaching before the run's first line can say them. */
  workers?: number;
  timeout?: number;
  /** Expected keys present in storage at the launch (null: not known): recorded for whichever dashboard records the end. */
  storageBefore?: number | null;
  now?: () => number;
  /** A non-zero exit within this window counts as failed to start. Default 1000 ms. */
  startWindowMs?: number;
  /**
   * Called with the child's pid in the same tick as the spawn, long before launch() resolves (the start window):
   * from then on its writes to the log are ours, whatever a look at /proc running meanwhile finds (tester V12).
   */
  onSpawn?: (pid: number, launch: { id: string; startedAt: number }) => void;
}

/** A started run (with our handle on the child, for its exit code), or why it did not start. */
export type LaunchResult =
  | { ok: true; run: RunRecord; child: ChildProcess }
  | { ok: false; reason: string; firstOutput: string; run: RunRecord };

const FIRST_OUTPUT_BYTES = 2048;

/**
 * Starts the backfill so that nothing the dashboard does or suffers can end it: its own session and process
 * group (setsid), stdin from /dev/null, stdout and stderr appended straight to the log file (no pipe back to us
 * that could break), unref'd.
 *
 * Record first, launch after: the launch record is written and synced to runs.jsonl before the child exists,
 * so no run is ever going without a record; a launch whose record cannot be written is not started, and the
 * reason says which file on which file system. Once spawned, the record is completed with the pid and its start
 * time; if even that cannot be written, the child (a few milliseconds old, untrackable) is ended at once.
 */
export async function launch(opts: LaunchOptions): Promise<LaunchResult> {
  const now = opts.now ?? Date.now;
  if (opts.argv.length === 0 || !opts.argv[0]) throw new Error('The command is empty');
  const startedAt = now();
  const id = `${opts.label}-${fileStamp(startedAt)}-${randomBytes(3).toString('hex')}`;
  const base = {
    id, label: opts.label, argv: opts.argv, cwd: opts.cwd, keysFile: opts.keysFile,
    keyCount: opts.keyCount, log: opts.logFile, startedAt,
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
    ...(opts.storageBefore != null ? { storageBefore: opts.storageBefore } : {}),
  };
  const record = (pid: number | null, procStart: LaunchRecord['procStart']): LaunchRecord => ({ type: 'launch', ...base, pid, procStart });
  const notStarted = (message: string): LaunchResult => ({ ok: false, reason: message, firstOutput: '', run: { ...base, pid: null, procStart: null, end: null } });
  try {
    await makeDirs(opts.stateDir);
  } catch (err) {
    return notStarted(`${describeWriteError(err, `the state directory ${opts.stateDir}`, dirname(opts.stateDir)).message}; nothing was started`);
  }
  try {
    await appendRunRecord(opts.stateDir, record(null, null));
  } catch (err) {
    return notStarted(`${(err as Error).message}; nothing was started`);
  }
  const logStart = await stat(opts.logFile).then((s) => s.size, () => 0);

  /** Records (best effort: the launch record already exists) and returns a failure to start. */
  const failed = async (message: string, f: { pid?: number | null; procStart?: LaunchRecord['procStart']; code?: number | null; signal?: string | null } = {}) => {
    const [pid, procStart] = [f.pid ?? null, f.procStart ?? null];
    const end = { endedAt: now(), exitCode: f.code ?? null, signal: f.signal ?? null, reason: 'failed-to-start' as const, message };
    await recordEnd(opts.stateDir, { id, ...end }).catch(() => undefined);
    const firstOutput = await readLogFrom(opts.logFile, logStart, FIRST_OUTPUT_BYTES);
    return { ok: false as const, reason: message, firstOutput, run: { ...base, pid, procStart, end } };
  };

  if (!(await stat(opts.cwd).then((s) => s.isDirectory(), () => false))) {
    return failed(`The working directory ${opts.cwd} does not exist`);
  }
  let fd: number;
  try {
    await makeDirs(dirname(opts.logFile));
    // Only a regular file: a FIFO there with no reader blocked this thread for good (the dashboard frozen, deaf to
    // SIGTERM), and the dashboard never writes into what is not a file (AH9's class).
    fd = openAppendRegularSync(opts.logFile);
  } catch (err) {
    return failed(describeWriteError(err, `the log ${opts.logFile}`, dirname(opts.logFile)).message);
  }
  let child: ChildProcess;
  try {
    child = spawn(opts.argv[0], opts.argv.slice(1), {
      cwd: opts.cwd,
      // The run's id in its environment, inherited by what it starts: a dashboard killed before the pid below reached
      // runs.jsonl leaves a record the next one completes by finding this mark in /proc (run-mark.ts; tester AA13).
      env: { ...process.env, ...opts.env, [RUN_MARK]: id },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } catch (err) {
    return failed(`Cannot start ${opts.argv[0]}: ${(err as Error).message}`);
  } finally {
    // The child has its own copy; ours would keep the log open for writing and look like a writer.
    closeSync(fd);
  }
  child.unref();

  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  // Listened for from the spawn: a child that exits at once (/bin/false) may do so while its record is written (an
  // fsync), and an exit emitted then would be missed, a failed start read as a run (tester W15).
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.on('error', () => undefined); // later errors (a failed kill) must not crash the dashboard
  // No pid means spawn failed (command not found, not executable): 'error' follows.
  const pid = child.pid ?? null;
  const procStart = pid === null ? null : procStartOf(pid);
  // The pid goes to runs.jsonl in the tick spawn returned in, one synchronous O_APPEND write, before anything is
  // awaited (tester AA13: a dashboard SIGKILLed right after `y` left the record without its pid while the run went
  // on, and the next one said `not started here`); its fsync follows. The mark above covers the instant before.
  let pidRecorded: Promise<void> | null = null;
  if (pid !== null) {
    try {
      pidRecorded = appendRunRecordNow(opts.stateDir, record(pid, procStart)).synced;
    } catch (err) {
      // A run nobody can find again must not go on: it is milliseconds old and has done nothing yet.
      endUntracked(pid);
      return failed(`stopped at once: ${(err as Error).message}, so the run could never be re-attached or stopped`, { pid, procStart });
    }
  }
  if (pid !== null) opts.onSpawn?.(pid, { id, startedAt });
  await pidRecorded;

  const outcome = await firstOutcome(exited, spawnError, opts.startWindowMs ?? 1000);
  if (outcome.kind === 'error') {
    const code = (outcome.error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? `Command not found: ${opts.argv[0]}` : `Cannot start ${opts.argv[0]}: ${outcome.error.message}`;
    return failed(reason, { pid, procStart });
  }
  // A command that exits having started the backfill in the background (`nohup … &`) left it running in our session:
  // that is a run going, whatever the command's own exit said (tester W24); the watcher follows what it left.
  const leftSome = outcome.kind === 'exit' && pid !== null && leftRunning(pid, procStart).length > 0;
  if (outcome.kind === 'exit' && !leftSome && (outcome.code !== 0 || outcome.signal !== null)) {
    const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.code}`;
    return failed(`${opts.argv[0]} ${how} right after starting`, { pid, procStart, code: outcome.code, signal: outcome.signal });
  }
  // A clean exit inside the window is a (very short) run, not a failure; the watcher records its end.
  return { ok: true, run: { ...base, pid, procStart, end: null }, child };
}

/** SIGKILL to the group of a child we just spawned (our own handle: the pid cannot have been reused yet). */
function endUntracked(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

type Outcome = { kind: 'error'; error: Error } | { kind: 'exit'; code: number | null; signal: string | null } | { kind: 'running' };

function firstOutcome(exited: Promise<{ code: number | null; signal: string | null }>, spawnError: Promise<Error>, windowMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'running' }), windowMs);
    const settle = (o: Outcome) => {
      clearTimeout(timer);
      resolve(o);
    };
    void spawnError.then((error) => settle({ kind: 'error', error }));
    void exited.then(({ code, signal }) => settle({ kind: 'exit', code, signal }));
  });
}
