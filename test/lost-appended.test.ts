import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, expect, test } from 'vitest';
import { logHandlers } from '../src/app/log-events.js';
import { statusText } from '../src/app/status-text.js';
import { FileFollower } from '../src/follow/file-follower.js';
import { compileGrammar } from '../src/parser/index.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { clockTime } from '../src/state/confirm-situation.js';
import { currentFigures, skipsAhead, skipsClaimed } from '../src/state/current-figures.js';
import { lostNote, rotationNote } from '../src/state/rotation-note.js';
import { reduce } from '../src/state/reducer.js';
import { banner, logOf, T0 } from './support/log-text.js';
import { removeDir } from './support/remove-dir.js';
import { waitFor } from './support/wait-for.js';

// Tester AG10: a writer that appends (`>>`, O_APPEND, as the reference's appended runs) and two copytruncates while the
// dashboard was suspended, the first copy written over by the second (`rotate 1`): after a cut an appending writer
// writes from byte 0, no NULs, so the first copy was looked for by the log's first bytes, not found, and nothing was
// said; the second copy (what came between the cuts) was not read either. `Run 100/300` beside `✓ 84 ✗ 5`, `~24 of its
// keys already in storage: the script skips them` (scraped in the lost window), and at the end kinds 3 short of ✗ 62.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-lost-append-'));
afterAll(() => removeDir(root));
const writers: ChildProcessWithoutNullStreams[] = [];
afterEach(async () => {
  for (const w of writers.splice(0)) {
    const gone = new Promise((resolve) => w.once('exit', resolve));
    w.stdin.end();
    await gone;
  }
});

/**
 * A writer process that appends what it is sent (one JSON string a line on its stdin) to `log`: `hold`, through one
 * descriptor opened with O_APPEND (as `>> log` does); `reopen`, opening the path for each write (as Python's
 * WatchedFileHandler does between records). `write` resolves once the process wrote it.
 */
function appendingWriter(log: string, how: 'hold' | 'reopen' = 'hold'): (text: string) => Promise<void> {
  const put = how === 'hold' ? `const fd = fs.openSync(process.argv[1], 'a'); const put = (t) => fs.writeSync(fd, t);` : `const put = (t) => fs.appendFileSync(process.argv[1], t);`;
  const script = `const fs = require('fs'); ${put} let buf = '';
process.stdin.on('data', (d) => { buf += d; let i; while ((i = buf.indexOf('\\n')) >= 0) { put(JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1); process.stdout.write('ok\\n'); } });`;
  const w = spawn(process.execPath, ['-e', script, log], { stdio: 'pipe' });
  writers.push(w);
  const acks: (() => void)[] = [];
  w.stdout.on('data', (d: Buffer) => {
    for (const _ of d.toString().match(/ok\n/g) ?? []) acks.shift()?.();
  });
  return (text) =>
    new Promise<void>((resolve) => {
      acks.push(resolve);
      w.stdin.write(`${JSON.stringify(text)}\n`);
    });
}

/**
 * Waits until this machine's clock is past `file`'s last write: a rotation made after it is then later by its modification
 * time too (the file system's clock ticks coarsely), as one made seconds later always is.
 */
async function pastWriteOf(file: string): Promise<void> {
  const at = fs.statSync(file).mtimeMs;
  await waitFor(() => Date.now() > at + 20 || null, `the clock past ${path.basename(file)}'s last write`);
}

/** logrotate's copytruncate: the log copied to `copy`, then cut to 0 under its writer. */
function copyTruncate(log: string, copy = `${log}.1`) {
  fs.copyFileSync(log, copy);
  fs.truncateSync(log, 0);
}

const KEYS = Array.from({ length: 12 }, (_, i) => `2022-01-${String(i + 3).padStart(2, '0')}`);
const scraped = (i: number) => ['INFO', `  ✅ Scraped ${KEYS[i]}`];
const failed = (i: number) => ['WARNING', `  ❌ Failed ${KEYS[i]}: HTTP 500`];
const queued = KEYS.map((k, i) => ['INFO', `[${i + 1}/${KEYS.length}] Queued ${k}`]);
const head = [...banner(2, 60, KEYS.length), ...queued];
/** Each record a second after the one before, from T0, as the run wrote them. */
const at = (n: number) => T0 + n * 1000;

/** A dashboard's log reader on `log` whose checks the test makes: between two, it is not reading (suspended). */
function reader(log: string) {
  let state: AppState = initialState({ job: 'lost', log, now: T0, targets: [] });
  const ac = new AbortController();
  const follower = new FileFollower(log, logHandlers(compileGrammar(undefined, 'UTC'), (e) => (state = reduce(state, e))), ac.signal, { chunkSize: 64 * 1024, maxLineBytes: 4096 });
  return {
    check: () => follower.check(),
    state: () => state,
    close: async () => {
      await follower.close();
      ac.abort();
    },
  };
}

/** A fresh empty `NAME/bf.log` with a writer appending to it (`>>`, held open) and a reader on it. */
function appendedLog(name: string) {
  const log = path.join(root, name, 'bf.log');
  fs.mkdirSync(path.dirname(log));
  fs.writeFileSync(log, '');
  return { log, write: appendingWriter(log), r: reader(log) };
}

/** `state` with storage holding `keys`. */
function withStorage(state: AppState, keys: string[]): AppState {
  let s = reduce(state, { type: 'coverage/configured', source: 'storage', label: 'storage' });
  s = reduce(s, { type: 'coverage/result', source: 'storage', result: { keys: new Set(keys), requests: 1, bytesBilled: null, method: 'directory' }, at: s.now });
  return s;
}

test('two copytruncates under an appending writer, the first copy written over: its lines read from the second copy, the gap said, done and counts from the same lines, no skip claimed', async () => {
  const { log, write, r } = appendedLog('one');
  let n = 0;
  const records = (lines: string[][]) => {
    const text = logOf(at(n), lines);
    n += lines.length;
    return write(text);
  };
  await records([...head, scraped(0), failed(1)]);
  await r.check();
  await pastWriteOf(log);
  const lastRead = at(n - 1);
  // Suspended: three outcomes written, then cut (logrotate), the copy written over by the next cut's.
  await records([scraped(2), failed(3), scraped(4)]);
  copyTruncate(log);
  const between = at(n);
  await records([failed(5), scraped(6)]);
  copyTruncate(log);
  await records([scraped(7), ['INFO', `📊 Progress: 8/${KEYS.length} (66.7%) | ✅ 5 | ⏭️ 0 | ❌ 3 | ETA: 1min`]]);
  await r.check();

  let s = r.state();
  // What came between the cuts is read from the second copy; the first copy's lines are in no file.
  expect(s.log.current).toMatchObject({ succeeded: 3, failed: 2, failures: { 'HTTP 500': 2 } });
  expect(lostNote(s)).toBe(`lines written between ${clockTime(lastRead)} and ${clockTime(between)} while the dashboard was not reading are in no file found (a rotated copy deleted?)`);
  // The bar's done from the lines its counts come from (5), never the Progress line's 8 over ✓ 3 ✗ 2.
  const f = currentFigures({ ...s, now: at(n) });
  expect([f.done, f.total]).toEqual([5, KEYS.length]);
  // Keys scraped in the lost window are in storage with no outcome read: none is claimed as one the script will skip.
  s = withStorage(s, [KEYS[2], KEYS[4], KEYS[8], KEYS[9], KEYS[10]]);
  expect(skipsAhead(s.log.current, s.coverage.storage!.keys)).toBeGreaterThan(0);
  expect(skipsClaimed(s)).toBe(0);
  expect(statusText({ ...s, now: at(n) })).not.toContain('the script skips them');

  await records([scraped(8), scraped(9), scraped(10), failed(11), ['INFO', 'BACKFILL COMPLETE'], ['INFO', `Total dates: ${KEYS.length}`], ['INFO', '✅ Processed: 8'], ['INFO', '⏭️  Skipped: 0'], ['INFO', '❌ Failed: 4']]);
  await r.check();
  await r.close();
  s = r.state();
  expect(s.log.current).toMatchObject({ complete: true, succeeded: 8, failed: 4, failures: { 'HTTP 500': 3 } });
  expect(lostNote(s)).toBe(`lines written between ${clockTime(lastRead)} and ${clockTime(between)} while the dashboard was not reading are in no file found (a rotated copy deleted?): its failures read are 1 short of its summary's ✗ 4`);
  const text = statusText({ ...s, now: at(n) });
  expect(text).toContain('          HTTP 500 3 · 1 not read (lines lost)\n');
  expect(text).toMatch(/^run +12\/12 /m);
});

test('the same with the first copy kept (`rotate 2`): both copies read in order, nothing said lost', async () => {
  const { log, write, r } = appendedLog('two');
  await write(logOf(at(0), [...head, scraped(0), failed(1)]));
  await r.check();
  await pastWriteOf(log);
  await write(logOf(at(20), [scraped(2), failed(3), scraped(4)]));
  copyTruncate(log);
  await pastWriteOf(`${log}.1`);
  await write(logOf(at(30), [failed(5), scraped(6)]));
  fs.renameSync(`${log}.1`, `${log}.2`);
  copyTruncate(log);
  await write(logOf(at(40), [scraped(7)]));
  await r.check();
  await r.close();
  const s = r.state();
  expect(s.log.current).toMatchObject({ succeeded: 5, failed: 3, failures: { 'HTTP 500': 3 } });
  expect(s.log.lost ?? null).toBeNull();
  expect(lostNote(s)).toBeNull();
});

test('one cut whose copy is not beside the log, and nothing to prove a line in it: the gap said as one that may hold none, in the copy compressed at once (h78\'s note)', async () => {
  const { log, write, r } = appendedLog('three');
  await write(logOf(at(0), [...head, scraped(0)]));
  await r.check();
  // Compressed at once (`compress` without `delaycompress`): no copy that can be read.
  copyTruncate(log, `${log}.1.gz`);
  await write(logOf(at(30), [scraped(1)]));
  await r.check();
  await r.close();
  const s = r.state();
  expect(s.log.current).toMatchObject({ succeeded: 2 });
  expect(lostNote(s)).toBe(`lines written between ${clockTime(at(head.length))} and ${clockTime(at(30))} while the dashboard was not reading, if any, are likely in bf.log.1.gz, compressed by the rotation, which the dashboard does not read`);
});

test('moved aside twice under a writer that reopens the path, the first moved file deleted (`rotate 1`): the file between is read, the run goes on', async () => {
  const log = path.join(root, 'four', 'bf.log');
  fs.mkdirSync(path.dirname(log));
  const write = appendingWriter(log, 'reopen');
  await write(logOf(at(0), [...head, scraped(0)]));
  const r = reader(log);
  await r.check();
  await write(logOf(at(20), [failed(1)]));
  // The next file's first write comes after the moved one's last by its modification time too.
  await pastWriteOf(log);
  fs.renameSync(log, `${log}.1`);
  await write(logOf(at(30), [failed(2)]));
  fs.renameSync(`${log}.1`, `${log}.2`);
  fs.renameSync(log, `${log}.1`);
  fs.rmSync(`${log}.2`);
  await write(logOf(at(40), [scraped(3)]));
  await r.check();
  await r.close();
  const s = r.state();
  expect(s.log.current).toMatchObject({ succeeded: 2, failed: 2, failures: { 'HTTP 500': 2 } });
  expect(s.log.current?.beganMidway).toBeFalsy();
  expect(rotationNote(s)).toBeNull();
});

test('a log touched, or rewritten in place without being cut, is no gap: nothing said lost', async () => {
  const { log, write, r } = appendedLog('five');
  await write(logOf(at(0), [...head, scraped(0)]));
  await r.check();
  // `touch`: the same bytes, a new modification time (read again, to the same result).
  const st = fs.statSync(log);
  fs.utimesSync(log, new Date(st.atimeMs), new Date(st.mtimeMs + 5000));
  await r.check();
  await write(logOf(at(30), [scraped(1)]));
  await r.check();
  await r.close();
  const s = r.state();
  expect(s.log.current).toMatchObject({ succeeded: 2 });
  expect(s.log.lost ?? null).toBeNull();
  expect(lostNote(s)).toBeNull();
});
