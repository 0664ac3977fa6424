import { afterEach, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, rmdirSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBackfill } from '../src/app/launcher.js';
import { loadConfig } from '../src/config.js';
import { launch } from '../src/runner/launch.js';
import { acquireLaunchLock } from '../src/runner/lock.js';
import { readRuns, runsPath } from '../src/runner/runs-file.js';
import { cleanup, readText, tempDir, track } from './runner-support.js';

const mounts: string[] = [];
afterEach(() => {
  for (const m of mounts.splice(0)) {
    execFileSync('umount', [m]);
    rmdirSync(m);
  }
  cleanup();
});

/** A tmpfs of `kib` KiB at a fresh directory, or null where this user cannot mount (the test is then skipped). */
function smallTmpfs(kib: number): string | null {
  const at = join(tempDir(), 'tmpfs');
  mkdirSync(at);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', at], { stdio: 'ignore' });
  } catch {
    return null;
  }
  mounts.push(at);
  return at;
}

/** Fills a file system until only `pages` 4 KiB pages are free. */
function fillUntil(dir: string, pages: number): void {
  const { bavail, bsize } = statfsSync(dir);
  writeFileSync(join(dir, 'filler'), Buffer.alloc(Math.max(0, (bavail - pages) * bsize)));
  expect(statfsSync(dir).bavail).toBe(pages);
}

const canMount = smallTmpfs(4) !== null;

/** A job whose command would leave a mark in the log if it ever ran. */
function jobIn(stateDir: string) {
  const dir = tempDir();
  writeFileSync(join(dir, 'cfg.json'), JSON.stringify({
    job: 'full', log: 'job.log', stateDir, keepAwake: false,
    // It takes a keys file (written before the run record: the case below fills the disk between the two).
    command: [process.execPath, '-e', 'console.log("the backfill ran")', '{keysFile}'],
  }));
  return { config: loadConfig({ file: join(dir, 'cfg.json'), cwd: dir }), log: join(dir, 'job.log') };
}

// Tester Y8: `not launched: Cannot write the launch lock /tmp/h47/nodir/e.csv/launch-nodir.lo…`: the cause was past column 80.
test('a launch lock that cannot be written says its cause first', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'afile'), 'x');
  const { config } = jobIn(join(dir, 'afile', 'state'));
  const out = await launchBackfill(config, { keys: ['k'], workers: 1, timeout: 10, label: 'resume' });
  expect(out.ok).toBe(false);
  expect((out as { message: string }).message).toMatch(/^not launched: .*\/afile is a file, not a directory \(ENOTDIR\): cannot write the launch lock /);
});

// A launch lock that names no holder (an empty or garbled file) is stale: taken over and said so in words, never
// `left by pid ?` (an absent value inside a sentence).
test('a stale launch lock that names no holder is taken over and said so, without a `pid ?`', async () => {
  const state = join(tempDir(), 'state');
  mkdirSync(state);
  const { config } = jobIn(state);
  writeFileSync(join(state, 'launch-full.lock'), '');
  const out = await launchBackfill(config, { keys: ['k'], workers: 1, timeout: 10, label: 'resume' });
  expect(out.ok).toBe(true);
  if (out.ok) await new Promise((resolve) => (out.child.exitCode !== null ? resolve(null) : out.child.once('exit', resolve)));
  expect(out.notices).toContain('took over a stale launch lock that named no holder');
  expect(out.notices.join('\n')).not.toContain('?');
});

describe('record first, launch after', () => {
  // Once ENOSPC injected through /dev/full: a device in the place of runs.jsonl is now refused unwritten (AH9's class: the
  // dashboard writes only into what it made); a full disk's words are the tmpfs case's below.
  test('a launch record that cannot be written (a device, /dev/full, in the place of runs.jsonl) starts nothing and says so', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    mkdirSync(state);
    symlinkSync('/dev/full', runsPath(state));
    const log = join(dir, 'job.log');
    const result = await launch({
      argv: [process.execPath, '-e', 'console.log("the backfill ran")'], cwd: dir, env: {}, logFile: log, stateDir: state, keysFile: null, keyCount: 1, label: 'resume',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    track(result.run.pid);
    expect(result.reason).toBe(`Cannot write the run record ${runsPath(state)}: it is a device, not a regular file: nothing written to it; nothing was started`);
    expect(result.run.pid).toBeNull();
    expect(existsSync(log)).toBe(false); // the child would have created it on spawn: nothing was spawned
  });

  test('the launch record is on disk before the child runs: the child itself finds its record (pid still null)', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    // The child prints what runs.jsonl held when it started.
    const result = await launch({
      argv: [process.execPath, '-e', `process.stdout.write(require("fs").readFileSync(${JSON.stringify(runsPath(state))}, "utf8"))`],
      cwd: dir, env: {}, logFile: join(dir, 'job.log'), stateDir: state, keysFile: null, keyCount: 1, label: 'resume', startWindowMs: 5000,
    });
    if (!result.ok) throw new Error(result.reason);
    track(result.run.pid);
    const seen = readText(join(dir, 'job.log')).trim().split('\n').map((l) => JSON.parse(l));
    expect(seen[0]).toMatchObject({ type: 'launch', id: result.run.id, pid: null });
    const [run] = await readRuns(state, null);
    expect(run).toMatchObject({ id: result.run.id, pid: result.run.pid, procStart: result.run.procStart });
  });

  test('the launch records the storage present at it, for whichever dashboard records the end (tester W4)', async () => {
    const { config } = jobIn(join(tempDir(), 'state'));
    const out = await launchBackfill(config, { keys: ['2022-01-03'], workers: 1, timeout: 10, label: 'resume', storageBefore: 537 });
    if (!out.ok) throw new Error(out.message);
    track(out.run.pid);
    const [run] = await readRuns(config.stateDir, null);
    expect(run).toMatchObject({ id: out.run.id, storageBefore: 537 });
  });

  test.skipIf(!canMount)('two pages free: the keys file fits, the run record does not; nothing starts, the message says what is full and where, no temp file stays', async () => {
    const fs = smallTmpfs(64)!;
    const state = join(fs, 'state');
    mkdirSync(state);
    fillUntil(fs, 2);
    const { config, log } = jobIn(state);
    const out = await launchBackfill(config, { keys: ['2022-01-03', '2022-01-04'], workers: 1, timeout: 10, label: 'resume' });
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.message).toMatch(new RegExp(`^not launched: Cannot write the run record ${runsPath(state)}: the disk is full \\(the file system holding ${state} has 0 KiB free of 64 KiB\\) \\(ENOSPC\\); nothing was started$`));
    expect(existsSync(log)).toBe(false);
    expect(readdirSync(join(state, 'keys'))).toHaveLength(1); // the keys file was written whole (it is ours, kept for the record)
    expect(readdirSync(state).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(state).filter((n) => n.startsWith('launch-'))).toEqual([]); // lock released
  });

  test.skipIf(!canMount)('a full state directory: the lock cannot be written, no launch-*.lock.*.tmp is left, the message names it', async () => {
    const fs = smallTmpfs(16)!;
    const state = join(fs, 'state');
    mkdirSync(state);
    fillUntil(fs, 0);
    const lock = await acquireLaunchLock(state, 'full').catch((err: Error) => err);
    expect(lock).toBeInstanceOf(Error);
    expect((lock as Error).message).toMatch(new RegExp(`^Cannot write the launch lock ${join(state, 'launch-full.lock')}: the disk is full \\(the file system holding ${state} has 0 KiB free of 16 KiB\\) \\(ENOSPC\\)$`));
    expect(readdirSync(state)).toEqual([]);
    const { config, log } = jobIn(state);
    const out = await launchBackfill(config, { keys: ['k'], workers: 1, timeout: 10, label: 'resume' });
    // The cause first: a notice cut at the terminal's edge still says why (tester Y8).
    expect(out).toMatchObject({ ok: false, message: expect.stringMatching(/^not launched: the disk is full .*\(ENOSPC\): cannot write the launch lock /) });
    expect(readdirSync(state)).toEqual([]);
    expect(existsSync(log)).toBe(false);
  });
});

// Tester AG6 g: `--state-dir` a plain file read `a file of that name is in the way (EEXIST): cannot write the launch
// lock …/launch-loc.lock`: the lock's name was free; the state folder itself was the file in the way.
test('a state folder that is a file is named as the file in the way', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'notadir'), 'x');
  const { config } = jobIn(join(dir, 'notadir'));
  const out = await launchBackfill(config, { keys: ['k'], workers: 1, timeout: 10, label: 'resume' });
  expect((out as { message: string }).message).toMatch(/^not launched: .*\/notadir is a file, not a directory \(EEXIST\): cannot write the launch lock /);
});

// Tester AH9 e: a state dir on a read-only file system read `not launched: the directory does not exist (ENOENT):
// cannot write the launch lock …` (Node's recursive mkdir says ENOENT for any folder it cannot make), and
// `--state-dir /proc/x` left the launch `launching…` for good (Node's recursive mkdir never returns there).
test.skipIf(!canMount)('a state dir on a read-only file system is said read-only, with the folder that could not be made', async () => {
  const ro = smallTmpfs(64)!;
  execFileSync('mount', ['-o', 'remount,ro', ro]);
  const state = join(ro, 'a', 'state');
  const { config, log } = jobIn(state);
  const out = await launchBackfill(config, { keys: ['k'], workers: 1, timeout: 10, label: 'resume' });
  expect((out as { message: string }).message).toBe(`not launched: the file system is read-only (EROFS) making the folder ${join(ro, 'a')}: cannot write the launch lock ${join(state, 'launch-full.lock')}`);
  expect(existsSync(log)).toBe(false);
});

test.skipIf(!existsSync('/proc/self'))('a state dir under /proc is said at once, not made for ever', async () => {
  const state = `/proc/bt-no-such-${process.pid}/state`;
  const { config, log } = jobIn(state);
  // Before, this never settled: the test's own timeout is the deadline.
  const out = await launchBackfill(config, { keys: ['k'], workers: 1, timeout: 10, label: 'resume' });
  expect((out as { message: string }).message).toBe(`not launched: its file system makes no folders there (ENOENT) making the folder /proc/bt-no-such-${process.pid}: cannot write the launch lock ${state}/launch-full.lock`);
  expect(existsSync(log)).toBe(false);
}, 20_000);

test('makeDirs that gets no answer within its bound says so, naming the folder', async () => {
  const { makeDirs } = await import('../src/runner/make-dirs.js');
  const { describeWriteError } = await import('../src/runner/atomic-write.js');
  // A mount that never answers a mkdir (its call left pending, as a hung NFS server leaves it), bounded at 50 ms.
  const dir = join(tempDir(), 'x', 'state');
  const err = await makeDirs(dir, 50, { mkdir: () => new Promise(() => {}) }).then(() => null, (e: Error) => e);
  expect(describeWriteError(err, 'the launch lock L').message).toBe(`Cannot write the launch lock L: its file system did not answer in time (a hung mount?) (ETIMEDOUT) making the folder ${dir}`);
});

// AH9's class: a FIFO at the log's path. With no reader, the launch's open of it for appending blocked the dashboard's
// thread for good (deaf to SIGTERM); with one, the backfill's output went into it. Refused, nothing started.
test('a FIFO at the log path is refused, never written into, nothing started', async () => {
  const dir = tempDir();
  const state = join(dir, 'state');
  const log = join(dir, 'job.log');
  execFileSync('mkfifo', [log]);
  // A reader holds it open (non-blocking), so an open for writing would succeed at once: the refusal is the fix's.
  const reader = openSync(log, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const result = await launch({
      argv: [process.execPath, '-e', 'console.log("the backfill ran")'], cwd: dir, env: {}, logFile: log, stateDir: state, keysFile: null, keyCount: 1, label: 'resume',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    track(result.run.pid);
    expect(result.reason).toBe(`Cannot write the log ${log}: it is a FIFO (named pipe), not a regular file: nothing written to it`);
    expect(result.run.pid).toBeNull();
  } finally {
    closeSync(reader);
  }
});
