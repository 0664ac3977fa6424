import { afterEach, describe, expect, test } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findInhibitor, findOnPath, keepAwake, keepAwakeArgv } from '../src/runner/keep-awake.js';
import { isAlive, procStartOf, readProcStat } from '../src/runner/proc.js';
import { cleanup, node, tempDir, track, waitFor, writeScript } from './runner-support.js';

afterEach(cleanup);

const everywhere = (name: string) => `/usr/bin/${name}`;
const nowhere = () => null;

describe('keepAwakeArgv', () => {
  test.each<[NodeJS.Platform, (n: string) => string | null, string[] | null]>([
    ['linux', everywhere, ['/usr/bin/systemd-inhibit', '--what=sleep:idle', '--who=backfill-tui',
      '--why=backfill running (pid 4242)', '--mode=block', '/usr/bin/tail', '--pid=4242', '-f', '/dev/null']],
    ['linux', (n) => (n === 'tail' ? '/usr/bin/tail' : null), null],
    ['linux', nowhere, null],
    ['darwin', everywhere, ['/usr/bin/caffeinate', '-i', '-w', '4242']],
    ['darwin', nowhere, null],
    ['win32', everywhere, null],
  ])('%s', (platform, find, expected) => {
    expect(keepAwakeArgv(4242, platform, find)).toEqual(expected);
  });
});

/** A PATH dir holding a stand-in `systemd-inhibit` shell script, ahead of the real PATH (for tail and sh). */
function fakeInhibitPath(body: string): string {
  const dir = tempDir();
  const file = join(dir, 'systemd-inhibit');
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return `${dir}${delimiter}${process.env.PATH}`;
}

/** A live process standing in for the backfill. */
function fakeRun() {
  const run = node(writeScript(tempDir(), 'idle.mjs', 'setInterval(() => {}, 1000);'));
  return { pid: run.pid!, procStart: procStartOf(run.pid!), child: run };
}

describe('findOnPath', () => {
  test('finds executable files only, in PATH order', () => {
    const [a, b] = [tempDir(), tempDir()];
    writeFileSync(join(a, 'tool'), 'not executable');
    writeFileSync(join(b, 'tool'), '#!/bin/sh\n');
    chmodSync(join(b, 'tool'), 0o755);
    expect(findOnPath('tool', [a, '', b].join(delimiter))).toBe(join(b, 'tool'));
    expect(findOnPath('tool', a)).toBeNull();
    expect(findOnPath('tool', '')).toBeNull();
  });
});

describe('keepAwake', () => {
  test('without a tool on PATH it is off and says why', async () => {
    const k = await keepAwake(4242, { platform: 'linux', pathEnv: tempDir() });
    expect(k).toMatchObject({ active: false, how: null, reason: 'nothing to keep linux awake on PATH' });
  });

  test('an inhibitor that fails at once is reported off with its own error', async () => {
    const run = fakeRun();
    const pathEnv = fakeInhibitPath('echo "Failed to connect to bus: No such file or directory" >&2; exit 1');
    const k = await keepAwake(run.pid, { platform: 'linux', pathEnv, settleMs: 10_000 }); // it exits long before
    expect(k).toMatchObject({ active: false, how: 'systemd-inhibit' });
    expect(k.reason).toBe('systemd-inhibit ended at once (code 1): Failed to connect to bus: No such file or directory');
  });

  test('a working inhibitor runs detached, is found again by a new dashboard, and ends with the run', async () => {
    const run = fakeRun();
    // Stands in for systemd-inhibit: drops its four options and runs the rest (the tail --pid watcher).
    const pathEnv = fakeInhibitPath('shift 4\n"$@"');
    const k = await keepAwake(run.pid, { platform: 'linux', pathEnv, settleMs: 200 });
    expect(k).toMatchObject({ active: true, how: 'systemd-inhibit', reason: null });
    const inhibitor = findInhibitor(run.pid)!;
    track(inhibitor);
    expect(readProcStat(inhibitor)?.session).toBe(inhibitor); // outlives the dashboard's terminal

    const again = await keepAwake(run.pid, { platform: 'linux', pathEnv });
    expect(again.active).toBe(true);
    expect(findInhibitor(run.pid)).toBe(inhibitor); // not a second one

    const inhibitorStart = procStartOf(inhibitor);
    run.child.kill('SIGKILL');
    await waitFor(() => !isAlive(inhibitor, inhibitorStart), 'the inhibitor to end with the run');
    await waitFor(() => !k.active && !again.active, 'both handles to say it is off');
  });

  // Tester AD13: a bus or logind answering late fails the inhibitor after the half second it is given; the header said
  // `awake` for the whole run with none running.
  test('an inhibitor that fails after it was taken as working says so, once, with its own error; one stopped says nothing', async () => {
    const run = fakeRun();
    const pathEnv = fakeInhibitPath('sleep 0.5; echo "Failed to inhibit: Connection timed out" >&2; exit 1');
    const k = await keepAwake(run.pid, { platform: 'linux', pathEnv, settleMs: 100 });
    expect(k.active).toBe(true);
    const said: string[] = [];
    k.onEnded!((why) => said.push(why));
    await waitFor(() => said.length > 0 || null, 'the late failure said');
    expect(said).toEqual(['systemd-inhibit ended after 1 s (code 1): Failed to inhibit: Connection timed out']);
    expect(k.active).toBe(false);
    // Asked after its end: said at once.
    const late: string[] = [];
    k.onEnded!((why) => late.push(why));
    expect(late).toEqual(said);

    const other = fakeRun();
    const s = await keepAwake(other.pid, { platform: 'linux', pathEnv: fakeInhibitPath('shift 4\n"$@"'), settleMs: 100 });
    const stopped: string[] = [];
    s.onEnded!((why) => stopped.push(why));
    const inhibitor = findInhibitor(other.pid)!;
    track(inhibitor);
    const start = procStartOf(inhibitor);
    s.stop();
    await waitFor(() => !s.active || null, 'the stopped inhibitor gone');
    expect(isAlive(inhibitor, start)).toBe(false);
    expect(stopped).toEqual([]);
  });

  test('stop() ends the inhibitor early', async () => {
    const run = fakeRun();
    const k = await keepAwake(run.pid, { platform: 'linux', pathEnv: fakeInhibitPath('shift 4\n"$@"'), settleMs: 200 });
    expect(k.active).toBe(true);
    const inhibitor = findInhibitor(run.pid)!;
    expect(inhibitor).toBeGreaterThan(0);
    track(inhibitor);
    const start = procStartOf(inhibitor);
    k.stop();
    await waitFor(() => !isAlive(inhibitor, start), 'the inhibitor to stop');
    expect(isAlive(run.pid, run.procStart)).toBe(true);
  });

  test('on this machine: either it keeps awake for real, or it says why not and leaves nothing running', async () => {
    const run = fakeRun();
    const k = await keepAwake(run.pid, { settleMs: 3000 }); // a failing tool ends well before that
    const inhibitor = findInhibitor(run.pid);
    track(inhibitor);
    if (k.active) {
      expect(inhibitor).not.toBeNull();
      k.stop();
    } else {
      expect(k.reason).toMatch(/./);
      expect(inhibitor).toBeNull();
    }
  });
});
