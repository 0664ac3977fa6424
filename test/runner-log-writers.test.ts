import { afterEach, describe, expect, test } from 'vitest';
import { readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from '../src/runner/launch.js';
import { createWritersScan, externalWriters, logWriters, walkWriters, type Want } from '../src/runner/log-writers.js';
import { cleanup, node, readText, stdoutOf, STUBBORN_SCRIPT, tempDir, track, waitFor, writeScript } from './runner-support.js';

afterEach(cleanup);

/** A process that opens `file` with `flags` and says so on stdout, then stays. */
async function holder(file: string, flags: 'a' | 'r' | 'r+') {
  const script = writeScript(tempDir(), `hold-${flags}.cjs`,
    `require('fs').openSync(process.argv[2], process.argv[3]); console.log('open'); setInterval(() => {}, 1000);`);
  const proc = node(script, [file, flags]);
  const out = stdoutOf(proc);
  await waitFor(() => out().includes('open'), `the ${flags} holder to open the log`);
  return proc.pid!;
}

describe('logWriters', () => {
  test('finds the run and its helpers writing the log; readers and this process are not writers', async () => {
    const dir = tempDir();
    const logFile = join(dir, 'job.log');
    writeFileSync(logFile, '');
    const result = await launch({
      argv: [process.execPath, writeScript(dir, 'stubborn.mjs', STUBBORN_SCRIPT), '', 'fork'], cwd: dir, env: {},
      logFile, stateDir: join(dir, 'state'), keysFile: null, keyCount: 0, label: 'launch', startWindowMs: 50,
    });
    if (!result.ok) throw new Error(result.reason);
    const runPid = result.run.pid!;
    track(runPid);
    await waitFor(() => (readText(logFile).match(/^ready/gm) ?? []).length === 2, 'the run and its helper');
    const helperPid = [...readText(logFile).matchAll(/^ready (\d+)/gm)].map((m) => Number(m[1])).find((p) => p !== runPid)!;
    const reader = await holder(logFile, 'r');

    expect((await logWriters(logFile)).sort()).toEqual([runPid, helperPid].sort());
    expect(await logWriters(logFile)).not.toContain(reader);
    expect(await externalWriters(logFile, [runPid])).toEqual([]); // the helper shares the run's session

    const stranger = await holder(logFile, 'a');
    const sharer = await holder(logFile, 'r+');
    expect((await externalWriters(logFile, [runPid])).sort()).toEqual([stranger, sharer].sort());
    // A dashboard that does not know the run (say its state dir was removed) sees all of them as external.
    expect((await externalWriters(logFile, [])).sort()).toEqual([runPid, helperPid, stranger, sharer].sort());
  });

  test('a log nobody writes, or that does not exist, has no writers', async () => {
    const dir = tempDir();
    const logFile = join(dir, 'job.log');
    expect(await logWriters(logFile)).toEqual([]);
    writeFileSync(logFile, 'done\n');
    expect(await logWriters(logFile)).toEqual([]);
  });
});

// A process whose descriptors this one may not look into (pid 1 of a container, another user's process): readlink
// says EACCES for each of them, since the check is the process's; the walk passes it over after the first.
describe('a process whose descriptors may not be looked into', () => {
  test('is passed over after its first descriptor, and the walk goes on to the others', async () => {
    const dir = tempDir();
    const logFile = join(dir, 'job.log');
    writeFileSync(logFile, '');
    const writer = await holder(logFile, 'a');
    const st = statSync(logFile);
    const want: Want = { file: logFile, log: logFile, ids: new Set([`${st.dev}:${st.ino}`]), rotated: false };
    // This process plays the closed one: its descriptors (more than one) answer EACCES, and are counted.
    const closed = `/proc/${process.pid}/fd/`;
    expect(readdirSync(closed).length).toBeGreaterThan(1);
    let asked = 0;
    const readlink = (p: string): string => {
      if (!p.startsWith(closed)) return readlinkSync(p);
      asked++;
      throw Object.assign(new Error(`EACCES: permission denied, readlink '${p}'`), { code: 'EACCES' });
    };
    expect(walkWriters([want], readlink).get(want)!.map((w) => w.pid)).toEqual([writer]);
    expect(asked).toBe(1);
  });
});

describe('one look at /proc for many jobs', () => {
  test('looks asked together share one walk, and each job gets the writers of its own log', async () => {
    const dir = tempDir();
    const logs = ['a', 'b', 'c'].map((n) => join(dir, `${n}.log`));
    for (const l of logs) writeFileSync(l, '');
    const writesA = await holder(logs[0], 'a');
    const writesC = await holder(logs[2], 'r+');
    await holder(logs[1], 'r');
    const scan = createWritersScan({ windowMs: 20 });
    const [a, b, c, missing] = await Promise.all([...logs, join(dir, 'none.log')].map((l) => scan.external(l, [])));
    expect(scan.walks).toBe(1);
    expect([a, b, c, missing]).toEqual([[writesA], [], [writesC], []]);
    // Our own run is never external, whoever asks with it.
    expect(await scan.external(logs[0], [writesA])).toEqual([]);
    expect(scan.walks).toBe(2);
  });
});
