import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CLI, unwrapped } from './support/cli.js';
import { removeDir } from './support/remove-dir.js';
import { HAS_TMUX, startTerminal, type Terminal } from './support/tmux.js';
import { HAS_LEASE, lease as takeLease } from './support/lease.js';

// Tester AH9: a path the tool reads that blocks or never ends. A FIFO with no writer (as a hung NFS or gcsfuse mount
// does) blocked the open of the expected keys file in a thread Node waits for at exit: the dashboard could not be
// left with q, Ctrl-C or SIGTERM, and `status` printed its timeout words and never exited; as a failed-keys file,
// `status` never exited either; /dev/zero as the expected keys was read to 620 MB. Each such path is said at once
// and never opened, as the log's is.
let dir: string;
let term: Terminal | null = null;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-blocking-'));
  writeFileSync(path.join(dir, 'a.log'), '2025-11-26 23:17:10,000 - INFO -   ✅ Scraped 2022-01-03\n');
  writeFileSync(path.join(dir, 'dates.csv'), '2022-01-03\n2022-01-04\n');
});
afterEach(() => {
  term?.close();
  term = null;
  removeDir(dir);
});

/** How long a command that must not block is given before it is killed and the test fails (never reached when fixed). */
const DEADLINE_MS = 60_000;

/**
 * Runs the built CLI in `dir`; resolves when it exits, or kills it at DEADLINE_MS and resolves `killed: true`, so a
 * command that never exits fails its test with what it printed instead of holding the suite.
 */
function run(args: string[]) {
  return runUntil(args, DEADLINE_MS);
}

function config(fields: object) {
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'a', log: 'a.log', ...fields }));
}

describe('a path that is not a regular file is said and never opened', () => {
  test('a FIFO as the expected keys: status says so at once and exits, long before its --timeout', async () => {
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    config({ expected: 'fifo' });
    const r = await run(['status', '--timeout', '30']);
    expect(r.killed, r.stdout).toBe(false);
    const out = unwrapped(r.stdout);
    expect(out).toContain(`expected  expected keys file ${path.join(dir, 'fifo')} is a FIFO (named pipe), not a regular file: never opened (job a's "expected")`);
    // Not cut by the bound: nothing waited on the file (before, `expected keys …: not finished within 30 s`).
    expect(out).not.toContain('not finished within');
    expect(r.code).toBe(0);
  }, DEADLINE_MS + 10_000);

  test('a FIFO with a failed-keys file\'s name: status says it as a problem and exits 1', async () => {
    mkdirSync(path.join(dir, 'f'));
    execFileSync('mkfifo', [path.join(dir, 'f', 'failed_dates_20261201_000000.json')]);
    config({ failed: 'f/failed_dates_*.json' });
    const r = await run(['status', '--timeout', '30']);
    expect(r.killed, r.stdout).toBe(false);
    const out = unwrapped(r.stdout);
    expect(out).toContain('problem   failed-keys file failed_dates_20261201_000000.json: not a file: a FIFO (named pipe); never opened');
    expect(out).not.toContain('not finished within');
    expect(r.code).toBe(1);
  }, DEADLINE_MS + 10_000);

  test('/dev/zero as the expected keys is said as a device, never read', async () => {
    config({ expected: '/dev/zero' });
    const r = await run(['status', '--json', '--timeout', '30']);
    expect(r.killed, r.stdout).toBe(false);
    const json = JSON.parse(r.stdout);
    // Before: read to 620 MB, then `cannot read expected keys file /dev/zero: Invalid string length`.
    expect(json.coverage.expectedProblems.error).toBe('expected keys file /dev/zero is a device, not a regular file: never opened (job a\'s "expected")');
  }, DEADLINE_MS + 10_000);

  test('an expected keys file over 64 MB is refused with its size, not read', async () => {
    // Sparse: 100 MB of size on disk costs nothing, and read whole would be 100 MB of NULs held as one string.
    const big = path.join(dir, 'big.csv');
    closeSync(openSync(big, 'w'));
    truncateSync(big, 100_000_000);
    config({ expected: 'big.csv' });
    const r = await run(['status', '--timeout', '30']);
    expect(r.killed, r.stdout).toBe(false);
    expect(unwrapped(r.stdout)).toContain(`expected keys file ${big} is 100 MB, over the 64 MB such a file may be (room for 3 million keys; a wrong path?): not read (job a's "expected")`);
  }, DEADLINE_MS + 10_000);

  test('a failed-keys file over 64 MB is refused with its size', async () => {
    mkdirSync(path.join(dir, 'f'));
    const big = path.join(dir, 'f', 'failed_dates_20261201_000000.json');
    closeSync(openSync(big, 'w'));
    truncateSync(big, 70_000_000);
    config({ failed: 'f/failed_dates_*.json' });
    const r = await run(['status', '--timeout', '30']);
    expect(r.killed, r.stdout).toBe(false);
    expect(unwrapped(r.stdout)).toContain('problem   failed-keys file failed_dates_20261201_000000.json: 70 MB, over the 64 MB such a file may be (room for 200,000 failures; a wrong path?): not read');
    expect(r.code).toBe(1);
  }, DEADLINE_MS + 10_000);

  test('a FIFO no one writes as the config is a config error (exit 2) at once, never waited on', async () => {
    execFileSync('mkfifo', [path.join(dir, 'c.json')]);
    const r = await run(['--config', 'c.json', 'status', '--timeout', '30']);
    expect(r.killed, r.stderr).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path.join(dir, 'c.json')}: cannot read config: is a FIFO (named pipe) with nothing written to it: nothing read`);
  }, DEADLINE_MS + 10_000);

  // h84's note on the first version, which refused every pipe: `--config <(jq …)` and `--config /dev/stdin` were read.
  test('a config from a pipe (/dev/stdin) is read to its end, its relative paths from the working directory', async () => {
    // A shell's pipe (a FIFO), as `jq … | backfill-tui --config /dev/stdin status` makes it.
    const config = JSON.stringify({ job: 'piped', log: 'a.log' });
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('sh', ['-c', `printf '%s' '${config}' | "$0" "$1" --config /dev/stdin status`, process.execPath, CLI], { cwd: dir });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe(`piped: ended  ${path.join(dir, 'a.log')}`);
  }, DEADLINE_MS + 10_000);

  test.skipIf(!HAS_TMUX)('a FIFO as the expected keys: the dashboard says it and q leaves', async () => {
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    config({ expected: 'fifo', storage: { url: path.join(dir, 'store') }, keepAwake: false });
    mkdirSync(path.join(dir, 'store'));
    term = startTerminal([process.execPath, CLI, '--no-color', '--no-alerts'], { cols: 80, rows: 24, cwd: dir });
    await term.waitScreen((_, t) => t.replace(/\s+/g, ' ').includes(`expected keys file ${path.join(dir, 'fifo')} is a FIFO (named pipe), not a regular file: never opened`), 'the FIFO said', 30_000);
    term.keys('q');
    // Before: q unmounted the screen and the process stayed, its open of the FIFO in a thread Node waits for at exit.
    await term.waitScreen(() => term!.exited(), 'the dashboard to have exited', 30_000);
  }, 90_000);
});

// A read that never returns on a regular file, as on a hung NFS or gcsfuse mount: a write lease held on it
// (test/support/lease.ts) holds its open in libuv's pool, which Node's exit waits for.
const releases: Array<() => void> = [];
afterEach(() => {
  for (const r of releases.splice(0)) r();
});
async function lease(file: string) {
  const held = await takeLease(file);
  releases.push(held.release);
  return held;
}

/** Runs the built CLI; resolves with its exit code or signal, or kills it at `deadlineMs` (`killed`). */
function runUntil(args: string[], deadlineMs: number): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, METADATA_SERVER_DETECTION: 'none' } });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, killed });
    });
  });
}

// Each must end while the lease still holds the read: before the kernel breaks it, 45 s after the open.
const HELD_MS = 30_000;

describe.skipIf(!HAS_LEASE)('a read that never returns (a hung mount) never holds the end', () => {
  test('status --timeout 3 says what was left out, then ends without waiting for the read, saying so', async () => {
    const file = path.join(dir, 'dates.csv');
    const held = await lease(file);
    config({ expected: 'dates.csv' });
    const r = await runUntil(['status', '--timeout', '3'], HELD_MS);
    // Before: the words at 3 s, then no exit until the lease went (the open returned).
    expect(r.killed, `${r.stdout}\n${r.stderr}`).toBe(false);
    expect(held.holding()).toBe(true);
    expect(unwrapped(r.stdout)).toContain(`problem   expected keys ${file}: not finished within 3 s (--timeout): left out`);
    // A job without a warehouse has none to leave out, and no failed-keys files no tried keys to match.
    expect(r.stdout).not.toContain('warehouse');
    expect(r.stdout).not.toContain('keys each run tried');
    expect(r.stderr).toContain(`backfill-tui: the read of expected keys file ${file} had not returned 1 s after the end (a hung mount?): ended without waiting for it (SIGKILL, exit status 137)`);
    expect([r.code, r.signal]).toEqual([null, 'SIGKILL']);
  }, HELD_MS + 20_000);

  for (const how of ['q', 'SIGTERM'] as const) {
    test.skipIf(!HAS_TMUX)(`the dashboard leaves on ${how} while its read of the expected keys is held`, async () => {
      const held = await lease(path.join(dir, 'dates.csv'));
      config({ expected: 'dates.csv', keepAwake: false });
      term = startTerminal([process.execPath, CLI, '--no-color', '--no-alerts'], { cols: 80, rows: 24, cwd: dir });
      await term.waitScreen((_, t) => t.includes('q quit'), 'the dashboard', 30_000);
      await held.opened;
      if (how === 'q') term.keys('q');
      else process.kill(term.pid(), 'SIGTERM');
      // Before: the screen went and the process stayed, until the lease let its open go.
      await term.waitScreen(() => term!.exited(), 'the dashboard to have exited', HELD_MS);
      expect(held.holding()).toBe(true);
      if (how === 'q') {
        const rows = await term.waitScreen((r, t) => (t.replace(/\s+/g, ' ').includes('had not returned 1 s after the end (a hung mount?): ended without waiting for it') ? r : null), 'the words of the end');
        // Wrapped within the terminal as every message is (h84: the terminal broke `ret`/`urned`): no row wider than 80.
        expect(rows.filter((r) => r.length > 80)).toEqual([]);
      }
    }, HELD_MS + 60_000);
  }
});

// Files the dashboard keeps in its state directory, which is the operator's (`--state-dir`): a FIFO put in the place of
// runs.jsonl or alerts.jsonl blocked `status` (`runs and log writers: not finished within 5 s`, then no exit) and an
// append to it waited for a reader for good. Never opened for reading, never written into.
describe('a FIFO in the state directory', () => {
  function fifoState() {
    config({ keepAwake: false });
    mkdirSync(path.join(dir, '.backfill-tui'));
    for (const name of ['runs.jsonl', 'alerts.jsonl']) execFileSync('mkfifo', [path.join(dir, '.backfill-tui', name)]);
  }

  test('status reads it as no runs, says so, and exits, long before its --timeout', async () => {
    fifoState();
    const r = await run(['status', '--timeout', '30']);
    expect(r.killed, r.stdout).toBe(false);
    expect(r.stdout).not.toContain('not finished within');
    expect(r.stdout.split('\n')[0]).toMatch(/^a: ended /);
    expect(unwrapped(r.stdout)).toContain(`problem   run records ${path.join(dir, '.backfill-tui', 'runs.jsonl')} is a FIFO (named pipe), not a regular file: never opened; runs launched from here are not known`);
    expect(r.code).toBe(1);
  }, DEADLINE_MS + 10_000);

  test('a run record or an alert is refused with what is there, never written into it, and nothing waits for a reader', async () => {
    fifoState();
    const state = path.join(dir, '.backfill-tui');
    const { appendRunRecord, runsPath } = await import('../src/runner/runs-file.js');
    const { recordAlertOnce } = await import('../src/alerts/alert-sink.js');
    // Before: the open for appending waited for a reader of the FIFO, for good (this test's own timeout).
    await expect(appendRunRecord(state, { type: 'end', id: 'r1', endedAt: 1, exitCode: 0, signal: null, reason: 'exited' } as never)).rejects.toThrow(
      `Cannot write the run record ${runsPath(state)}: it is a FIFO (named pipe), not a regular file: nothing written to it`,
    );
    await expect(recordAlertOnce(state, { text: 'x', at: 1, kind: 'stalled' } as never)).rejects.toThrow(`${path.join(state, 'alerts.jsonl')} is a FIFO (named pipe), not a regular file: nothing written to it`);
  }, 20_000);

  test.skipIf(!HAS_TMUX)('the dashboard opens and q leaves at once, no read left behind', async () => {
    fifoState();
    term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir });
    await term.waitScreen((_, t) => t.includes('q quit'), 'the dashboard', 30_000);
    term.keys('q');
    await term.waitScreen(() => term!.exited(), 'the dashboard to have exited', 30_000);
    // Left as any dashboard is: no read of the FIFO was under way to be cut (process-end.ts's words).
    expect(term.screen().join('\n')).not.toContain('had not returned');
  }, 90_000);
});

// Tester AI8: `demo --dir FILE` was a stack trace (exit 1), and `--dir /proc/x` a blank screen spinning a core until
// Ctrl-C (Node's recursive mkdir never returns there). Said as a usage error naming the folder and why, exit 2.
describe.skipIf(!HAS_TMUX)('demo --dir that cannot be made', () => {
  const cases: Array<[string, (d: string) => string, (d: string) => string]> = [
    ['a file', (d) => path.join(d, 'afile'), (d) => `cannot make the demo directory ${path.join(d, 'afile')}: ${path.join(d, 'afile')} is a file, not a directory (EEXIST); give --dir a new or empty folder`],
    ['under a file', (d) => path.join(d, 'afile', 'sub'), (d) => `cannot make the demo directory ${path.join(d, 'afile', 'sub')}: ${path.join(d, 'afile')} is a file, not a directory (ENOTDIR); give --dir a new or empty folder`],
    ['under /proc', () => `/proc/bt-demo-${process.pid}`, () => `cannot make the demo directory /proc/bt-demo-${process.pid}: its file system makes no folders there (ENOENT) making the folder /proc/bt-demo-${process.pid}; give --dir a new or empty folder`],
  ];
  for (const [what, dirOf, words] of cases) {
    test(`${what}: said, exit 2`, async () => {
      writeFileSync(path.join(dir, 'afile'), 'x');
      const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} demo --dir ${JSON.stringify(dirOf(dir))}; echo "rc=$?"; sleep 60`;
      term = startTerminal(['sh', '-c', cmd], { cols: 200, rows: 24, cwd: dir });
      // Before: `rc=1` after a stack trace, or (under /proc) no rc at all.
      const text = await term.waitScreen((_, t) => (/rc=\d+/.test(t) ? t : null), 'the demo to end', 30_000);
      expect(text.replace(/\s+/g, ' ')).toContain(`backfill-tui: ${words(dir)}`);
      expect(text).toContain('rc=2');
    }, 60_000);
  }
});
