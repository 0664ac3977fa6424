import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { logHandlers, type ParseWorkerChoice } from '../src/app/log-events.js';
import { coreFree, cpuPressure, PARSE_WORKER_MIN_BYTES, ParseWorker, parseInWorker, parseWorkerChoice } from '../src/app/parse-worker-client.js';
import { launchParseWorker, type LaunchedParseWorker, logArgument } from '../src/app/parse-worker-launch.js';
import { readLogOnce } from '../src/app/read-log-once.js';
import { statusJson } from '../src/app/status-json.js';
import type { ParsedBatch } from '../src/log-line.js';
import { followLog } from '../src/log-follower.js';
import { linesOf, LogClock, type Grammar } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import type { AppEvent } from '../src/state/events.js';
import { reduce } from '../src/state/reducer.js';
import { failedStoreWarmed } from '../src/state/failed-keys.js';
import { runFacts } from '../src/state/run.js';
import { damagedLogs, kept, keptBatch, readEvents, type TestLog } from './support/damaged-logs.js';
import { waitFor } from './support/wait-for.js';

// A long history read and parsed in the parse worker (dist/src/parse-worker.cjs, built by `npm test`) must fold
// to exactly what the thread's own reading gives: the same records in the same order, the same lines cut for
// length, the same state, on logs damaged every way we know, whatever the read sizes on either side.
const WORKER = new URL('../dist/src/parse-worker.cjs', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'parse-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the launcher left for the CLI (src/app/parse-worker-launch.ts), looked at without taking it. */
function launchedSlot(): LaunchedParseWorker | undefined {
  return (globalThis as Record<symbol, LaunchedParseWorker | undefined>)[Symbol.for('backfill-tui.launched-parse-worker')];
}

const logs: TestLog[] = [];
beforeAll(async () => {
  logs.push(...(await damagedLogs(dir)));
}, 120_000);

async function read(file: string, grammar: Grammar, chunkSize: number, choice: ParseWorkerChoice | null) {
  const worker = choice && { ...choice, stats: { inThread: 0, fromWorker: 0 } };
  const { events, state } = await readEvents(file, grammar, { chunkSize, worker });
  const batches = events.flatMap((e) => (e.type === 'log/batch' ? [e.batch] : []));
  return {
    state,
    // Batches end where each side's reads ended: what must match is the records, in order, and every other event.
    records: batches.flatMap(linesOf),
    lineCount: batches.reduce((n, b) => n + b.lineCount, 0),
    biggest: Math.max(0, ...batches.map((b) => b.lineCount)),
    others: events.filter((e) => e.type !== 'log/batch' && e.type !== 'log/progress'),
    lastProgress: events.filter((e) => e.type === 'log/progress').at(-1),
    stats: worker?.stats ?? { inThread: 0, fromWorker: 0 },
  };
}

function expectSameRead(a: Awaited<ReturnType<typeof read>>, b: Awaited<ReturnType<typeof read>>, name: string): void {
  expect(b.records, name).toEqual(a.records);
  expect(b.lineCount, name).toBe(a.lineCount);
  expect(b.others, name).toEqual(a.others);
  expect(b.lastProgress, name).toEqual(a.lastProgress);
  const [x, y] = [a.state.log, b.state.log];
  expect(runFacts(y.current), name).toEqual(runFacts(x.current));
  expect(y.history.map(runFacts), name).toEqual(x.history.map(runFacts));
  expect(y.trail, name).toEqual(x.trail);
  expect(y.tail, name).toEqual(x.tail);
  expect(JSON.stringify(statusJson(b.state)), name).toBe(JSON.stringify(statusJson(a.state)));
}

describe('parse worker', () => {
  // The thread reads in chunks of half the worker's reads at most; the worker's reads end elsewhere: inside
  // multi-byte characters, between \r and \n, inside the 40,000-character line and the NUL run.
  test.each([1024, 4099, 65_536])('folds to the same state as the thread’s own reading, the worker reading %i bytes at a time', async (readBytes) => {
    const chunkSize = Math.min(1024, readBytes >> 1);
    for (const { name, grammar, file } of logs) {
      const own = await read(file, grammar, chunkSize, null);
      const worker = await read(file, grammar, chunkSize, { url: WORKER, minBytes: 1, readBytes });
      // The worker did the reading (all of it but what this thread read while it started).
      expect(worker.stats.fromWorker + worker.stats.inThread, name).toBeGreaterThan(0);
      expect(worker.stats.fromWorker, name).toBeGreaterThan(0);
      expectSameRead(own, worker, name);
    }
  }, 120_000);

  test('the worker is chosen for a long history only when a core is free, unless BACKFILL_TUI_PARSE_WORKER says', () => {
    expect(parseWorkerChoice({}, WORKER)).toEqual({ url: WORKER, minBytes: PARSE_WORKER_MIN_BYTES, freeCoreOnly: true });
    expect(parseWorkerChoice({ BACKFILL_TUI_PARSE_WORKER: 'on' }, WORKER)).toEqual({ url: WORKER, minBytes: 1, freeCoreOnly: false });
    expect(parseWorkerChoice({ BACKFILL_TUI_PARSE_WORKER: 'off' }, WORKER)).toBeNull();
    expect(parseWorkerChoice({}, null)).toBeNull();
    expect(coreFree(0.4, 2)).toBe(true);
    expect(coreFree(1.6, 2)).toBe(false);
    expect(coreFree(9, 2)).toBe(false);
    expect(coreFree(0.1, 1)).toBe(false);
    // Where CPU pressure is known it decides: this program's own last runs raise the load average, not the pressure.
    expect(coreFree(1.9, 2, 3.1)).toBe(true);
    expect(coreFree(0.2, 2, 45)).toBe(false);
    expect(coreFree(0.2, 1, 0)).toBe(false);
  });

  test('CPU pressure is read from a PSI file (some avg10, per cent); none where there is none', () => {
    const psi = join(dir, 'pressure-cpu');
    writeFileSync(psi, 'some avg10=12.50 avg60=35.24 avg300=18.63 total=39203562292\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n');
    expect(cpuPressure(psi)).toBe(12.5);
    writeFileSync(psi, 'full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n');
    expect(cpuPressure(psi)).toBeNull();
    expect(cpuPressure(join(dir, 'no-such-file'))).toBeNull();
  });

  test('the worker loads while the history’s start is looked for, and reads from where it is found', async () => {
    const { name, grammar, file } = logs.find((l) => l.name === 'one-run')!;
    // The worker says it has loaded by a file; the history start waits for it (a deadline, not a sleep).
    const loaded = join(dir, 'loaded');
    const marking = join(dir, 'marking-worker.cjs');
    // One line per worker loaded: the one started early must be the one that reads (none started later).
    writeFileSync(marking, `require(${JSON.stringify(fileURLToPath(WORKER))});\nrequire('node:fs').appendFileSync(${JSON.stringify(loaded)}, 'loaded\\n');\n`);
    const text = readFileSync(file);
    const from = text.indexOf(10, text.length >> 2) + 1;
    let seen = false;
    const events: AppEvent[] = [];
    let state = initialState({ job: 'j', log: file, now: Date.UTC(2025, 10, 30), targets: [95, 98, 100] });
    const stats = { inThread: 0, fromWorker: 0 };
    await readLogOnce(file, grammar, (e) => {
      events.push(kept(e));
      state = reduce(state, e);
    }, async () => {
      seen = await waitFor(() => existsSync(loaded), 'the worker loaded', 30_000).catch(() => false);
      return from;
    }, { chunkSize: 512, worker: { url: pathToFileURL(marking), minBytes: 1, readBytes: 4096, stats } });
    expect(seen, name).toBe(true);
    // Loaded before it was needed, it read the history (it was reading the file's start ahead: told to stop, it
    // takes the history from where it starts; this thread reads on meanwhile, a few reads): no second worker.
    expect(stats.inThread + stats.fromWorker, name).toBe(text.length - from);
    expect(stats.fromWorker, name).toBeGreaterThan(0);
    expect(readFileSync(loaded, 'utf8'), name).toBe('loaded\n');
    const own = events.flatMap((e) => (e.type === 'log/batch' ? linesOf(e.batch) : []));
    const part = join(dir, 'part.log');
    writeFileSync(part, text.subarray(from));
    expect(own, name).toEqual((await read(part, grammar, 512, null)).records);
  }, 60_000);

  test('a one-run log is read ahead while its history start is looked for, and that read is the one folded', async () => {
    const { name, grammar, file } = logs.find((l) => l.name === 'one-run')!;
    const size = readFileSync(file).length;
    const own = await read(file, grammar, 512, null);
    const stats = { inThread: 0, fromWorker: 0, readAhead: 0, fromAhead: 0, early: 0 };
    const events: AppEvent[] = [];
    let state = initialState({ job: 'j', log: file, now: Date.UTC(2025, 10, 30), targets: [95, 98, 100] });
    await readLogOnce(file, grammar, (e) => {
      events.push(kept(e));
      state = reduce(state, e);
    }, async () => {
      // The start (the file's first line) is said only once the worker was given its read ahead: a deadline, no sleep.
      await waitFor(() => stats.readAhead === 1, 'the read ahead begun', 30_000);
      return 0;
    }, { chunkSize: 512, worker: { url: WORKER, minBytes: 1, readBytes: 4096, stats } });
    // All of it came from the read ahead: no read in this thread, no second read in the worker; that worker was the
    // one started before the log was opened (startEarly: it loads while the tail is read and the zone guessed).
    expect(stats, name).toEqual({ inThread: 0, fromWorker: size, readAhead: 1, fromAhead: size, early: 1 });
    const records = events.flatMap((e) => (e.type === 'log/batch' ? linesOf(e.batch) : []));
    expect(records, name).toEqual(own.records);
    expect(JSON.stringify(statusJson(state)), name).toBe(JSON.stringify(statusJson(own.state)));
  }, 60_000);

  test('a read ahead from the file’s start is dropped when the history starts later: nothing of it is folded', async () => {
    const { name, grammar, file } = logs.find((l) => l.name === 'one-run')!;
    const text = readFileSync(file);
    const from = text.indexOf(10, text.length >> 1) + 1;
    const stats = { inThread: 0, fromWorker: 0, readAhead: 0, fromAhead: 0 };
    const events: AppEvent[] = [];
    await readLogOnce(file, grammar, (e) => events.push(kept(e)), async () => {
      await waitFor(() => stats.readAhead === 1, 'the read ahead begun', 30_000);
      return from;
    }, { chunkSize: 512, worker: { url: WORKER, minBytes: 1, readBytes: 4096, stats } });
    // Another worker (or this thread while it started) read the history from where it starts.
    expect(stats.fromAhead, name).toBe(0);
    expect(stats.inThread + stats.fromWorker, name).toBe(text.length - from);
    const part = join(dir, 'part-ahead.log');
    writeFileSync(part, text.subarray(from));
    const records = events.flatMap((e) => (e.type === 'log/batch' ? linesOf(e.batch) : []));
    expect(records, name).toEqual((await read(part, grammar, 512, null)).records);
  }, 60_000);

  test('a worker the launcher started and that loaded before the CLI took it reads the one-run log ahead: the same records', async () => {
    const { name, grammar, file } = logs.find((l) => l.name === 'one-run')!;
    const size = readFileSync(file).length;
    const own = await read(file, grammar, 512, null);
    launchParseWorker(['status', '--json', '--log', file], fileURLToPath(new URL('.', WORKER)), { BACKFILL_TUI_PARSE_WORKER: 'on' });
    // Its `ready` came while nobody had taken it (a deadline, not a sleep): it must not be lost.
    await waitFor(() => (launchedSlot()?.messages.length ?? 0) > 0, 'the launched worker loaded', 30_000);
    const stats = { inThread: 0, fromWorker: 0, readAhead: 0, fromAhead: 0, early: 0 };
    const events: AppEvent[] = [];
    await readLogOnce(file, grammar, (e) => events.push(kept(e)), async () => {
      await waitFor(() => stats.readAhead === 1, 'the read ahead begun', 30_000);
      return 0;
    }, { chunkSize: 512, worker: { url: WORKER, minBytes: 1, readBytes: 4096, stats } });
    // Taken once: nothing is left for a second reader.
    expect(launchedSlot(), name).toBeUndefined();
    expect(stats, name).toEqual({ inThread: 0, fromWorker: size, readAhead: 1, fromAhead: size, early: 1 });
    expect(events.flatMap((e) => (e.type === 'log/batch' ? linesOf(e.batch) : [])), name).toEqual(own.records);
  }, 60_000);

  test('the launcher starts a worker only for --log naming a file the CLI would read in one, never with the worker off', () => {
    const distSrc = fileURLToPath(new URL('.', WORKER));
    const { file } = logs.find((l) => l.name === 'one-run')!;
    expect(logArgument(['status', '--json', '--log', file])).toBe(file);
    expect(logArgument(['--log=x.log', 'missing'])).toBe('x.log');
    expect(logArgument(['status', '--', '--log', file])).toBeNull();
    expect(logArgument(['status', '--json'])).toBeNull();
    const started = (args: string[], env: NodeJS.ProcessEnv, where = distSrc): boolean => {
      launchParseWorker(args, where, env);
      const launched = launchedSlot();
      launched?.worker.terminate();
      ParseWorker.launched()?.stop();
      return launched !== undefined;
    };
    expect(started(['status', '--log', file], { BACKFILL_TUI_PARSE_WORKER: 'on' })).toBe(true);
    expect(started(['status', '--log', file], { BACKFILL_TUI_PARSE_WORKER: 'off' })).toBe(false);
    // Shorter than PARSE_WORKER_MIN_BYTES: the CLI reads it in its own thread.
    expect(started(['status', '--log', file], {})).toBe(false);
    expect(started(['status', '--log', dir], { BACKFILL_TUI_PARSE_WORKER: 'on' })).toBe(false);
    expect(started(['status', '--log', join(dir, 'no-such.log')], { BACKFILL_TUI_PARSE_WORKER: 'on' })).toBe(false);
    expect(started(['status'], { BACKFILL_TUI_PARSE_WORKER: 'on' })).toBe(false);
    // No worker built beside the launcher (running from sources).
    expect(started(['status', '--log', file], { BACKFILL_TUI_PARSE_WORKER: 'on' }, dir)).toBe(false);
  });

  test('a history shorter than minBytes is read in the thread', async () => {
    const { name, grammar, file } = logs[0];
    const r = await read(file, grammar, 1024, { url: WORKER, minBytes: 1 << 30 });
    expect(r.biggest, name).toBeLessThanOrEqual(30);
    expect(r.stats, name).toEqual({ inThread: 0, fromWorker: 0 });
  });

  /** A worker that loads only once `marker` exists (or after 30 s). */
  function slowWorker(marker: string): URL {
    const slow = join(dir, `slow-worker-${Math.random().toString(36).slice(2)}.cjs`);
    writeFileSync(
      slow,
      `const { existsSync } = require('node:fs');
const wait = new Int32Array(new SharedArrayBuffer(4));
const deadline = Date.now() + 30000;
while (!existsSync(${JSON.stringify(marker)}) && Date.now() < deadline) Atomics.wait(wait, 0, 0, 5);
require(${JSON.stringify(fileURLToPath(WORKER))});
`,
    );
    return pathToFileURL(slow);
  }

  test('while the worker starts, the thread reads on; the worker takes over where it stopped, with its clock', async () => {
    const { name, grammar, file } = logs.find((l) => l.name === 'one-run')!;
    // The history starts past the file's start (not where the worker reads ahead from), and the worker is made
    // ready only once the thread has read three batches by itself.
    const text = readFileSync(file);
    const from = text.indexOf(10, 4096) + 1;
    const marker = join(dir, 'go');
    const part = join(dir, 'part-slow.log');
    writeFileSync(part, text.subarray(from));
    const own = await read(part, grammar, 512, null);
    const stats = { inThread: 0, fromWorker: 0 };
    const events: AppEvent[] = [];
    let state = initialState({ job: 'j', log: file, now: Date.UTC(2025, 10, 30), targets: [95, 98, 100] });
    let batches = 0;
    await readLogOnce(file, grammar, (e) => {
      events.push(kept(e));
      state = reduce(state, e);
      if (e.type === 'log/batch' && ++batches === 3) writeFileSync(marker, '');
    }, async () => from, { chunkSize: 512, worker: { url: slowWorker(marker), minBytes: 1, readBytes: 4096, stats } });
    expect(stats.inThread, name).toBeGreaterThanOrEqual(3 * 4096 - 3 * 200);
    expect(stats.fromWorker, name).toBeGreaterThan(0);
    const records = events.flatMap((e) => (e.type === 'log/batch' ? linesOf(e.batch) : []));
    expect(records, name).toEqual(own.records);
  }, 60_000);

  test('a history that starts where the worker reads ahead waits for it to load: nothing is parsed in the thread', async () => {
    const { name, grammar, file } = logs.find((l) => l.name === 'one-run')!;
    const marker = join(dir, 'go-ahead');
    const own = await read(file, grammar, 512, null);
    const worker = await ParseWorker.start(slowWorker(marker));
    const handle = await open(file, 'r');
    try {
      const size = (await handle.stat()).size;
      const job = { fd: handle.fd, from: 0, to: size, clock: new LogClock(grammar.zone).state(), readBytes: 4096, maxLineBytes: 65536, tailLimit: 300, tailZoneBytes: 1 << 20 };
      worker.readAhead(job);
      const batches: ParsedBatch[] = [];
      let meanwhile = 0;
      // The read is claimed before the worker has loaded (it loads once the marker is there, after this call).
      const done = parseInWorker(worker, job, (b) => batches.push(keptBatch(b)), undefined, async () => {
        meanwhile++;
        return { from: 0, clock: job.clock };
      });
      writeFileSync(marker, '');
      const outcome = await done;
      expect(meanwhile, name).toBe(0);
      expect(outcome).toMatchObject({ through: size, readAhead: true });
      expect(batches.flatMap(linesOf), name).toEqual(own.records);
    } finally {
      await handle.close();
    }
  }, 60_000);

  test("a long read fills folded batches' columns again: the worker makes a few batches' shared memory, not the read's", async () => {
    const { name, grammar, file } = logs.find((l) => l.name === 'one-run')!;
    const own = await read(file, grammar, 512, null);
    const handle = await open(file, 'r');
    try {
      const size = (await handle.stat()).size;
      const job = { fd: handle.fd, from: 0, to: size, clock: new LogClock(grammar.zone).state(), readBytes: 8192, maxLineBytes: 65536, tailLimit: 300, tailZoneBytes: 1 << 20 };
      const records: ReturnType<typeof linesOf> = [];
      let columnBytes = 0;
      let batches = 0;
      const outcome = await parseInWorker(WORKER, job, (b) => {
        // Read while the batch is the handler's (its columns are filled again once it returns).
        records.push(...linesOf(b));
        const k = b.keyed!;
        columnBytes += k.at.byteLength + k.h1.byteLength + k.h2.byteLength + k.keyEnd.byteLength + k.keyBytes.byteLength;
        batches++;
      });
      expect(records, name).toEqual(own.records);
      expect(batches, name).toBeGreaterThan(50);
      // The worker holds back once 16 batches wait (AHEAD): what it made is about that many batches' columns.
      expect(outcome.columnBytes, name).toBeGreaterThan(0);
      expect(outcome.columnBytes!, name).toBeLessThan(columnBytes / 2);
      // A long read warms the fold's failed-keys store before its first batch (failed-keys.ts warmFailedStore).
      expect(failedStoreWarmed()).toBe(true);
    } finally {
      await handle.close();
    }
  }, 60_000);

  test('a worker that fails part way leaves the rest to the thread, on its clock: nothing lost, nothing twice', async () => {
    for (const { name, grammar, file } of logs) {
      // On the night clocks fall back, the worker fails inside the repeated hour's second pass: the thread must go
      // on with the worker's clock, or it reads the rest of that hour as its first pass, an hour early.
      const back = name === 'dst-night' ? secondPassOffset(readFileSync(file, 'latin1')) : -1;
      if (name === 'dst-night') expect(back).toBeGreaterThan(0);
      // Its reads of 1,024 bytes put its last batch's end past that hour's first line.
      const failing = back > 0 ? failingWorker(`m.through > ${back + 3_000}`) : failingWorker('++sent === 4');
      const own = await read(file, grammar, 512, null);
      const broken = await read(file, grammar, 512, { url: pathToFileURL(failing), minBytes: 1, readBytes: 1024 });
      expect(broken.stats.fromWorker, name).toBeGreaterThan(0);
      expectSameRead(own, broken, name);
    }
  }, 120_000);
});

describe('parse worker, then the dashboard follows', () => {
  // The dashboard reads the history in the worker, then follows what is appended itself: a writer's half-written
  // last line at the hand-over, and lines appended after it, fold as the thread's own follow folds them.
  test('the history read in the worker, a half-written line and later appends followed in the thread: the same state', async () => {
    const { file: whole, grammar } = logs.find((l) => l.name === 'retries')!;
    const text = readFileSync(whole);
    const cut = text.lastIndexOf(10, Math.floor(text.length * 0.7)) + 40;
    const follow = async (worker: ParseWorkerChoice | null) => {
      const file = join(dir, `followed-${worker ? 'worker' : 'thread'}.log`);
      writeFileSync(file, text.subarray(0, cut));
      // One name for both: the status JSON says it.
      let state = initialState({ job: 'j', log: 'followed.log', now: Date.UTC(2025, 10, 30), targets: [95, 98, 100] });
      const batches: ParsedBatch[] = [];
      const handlers = logHandlers(grammar, (e) => {
        if (e.type === 'log/batch') batches.push(keptBatch(e.batch));
        state = reduce(state, e);
      }, () => Date.UTC(2025, 11, 1), true, null, worker);
      const ac = new AbortController();
      const done = followLog(file, handlers, { signal: ac.signal, pollMs: 20, idlePollMs: 20, lendChunks: true, watch: false, chunkSize: 1024 });
      try {
        await waitFor(() => state.log.historyDone, 'the history read');
        appendFileSync(file, text.subarray(cut));
        const lines = text.toString('latin1').split('\n').length - 1;
        await waitFor(() => batches.reduce((n, b) => n + b.lineCount, 0) === lines, 'the appended lines');
      } finally {
        ac.abort();
        await done;
      }
      return { state, records: batches.flatMap(linesOf), biggest: Math.max(...batches.map((b) => b.lineCount)) };
    };
    const own = await follow(null);
    const worker = await follow({ url: WORKER, minBytes: 1, readBytes: 8192 });
    expect(worker.biggest).toBeGreaterThan(own.biggest);
    expect(worker.records).toEqual(own.records);
    expect(runFacts(worker.state.log.current)).toEqual(runFacts(own.state.log.current));
    expect(worker.state.log.history.map(runFacts)).toEqual(own.state.log.history.map(runFacts));
    expect(worker.state.log.tail).toEqual(own.state.log.tail);
    expect(JSON.stringify(statusJson(worker.state))).toBe(JSON.stringify(statusJson(own.state)));
  }, 60_000);
});

/** The real worker, made to throw when it is about to send a batch `m` for which `when` holds (`sent`: a counter). */
function failingWorker(when: string): string {
  const file = join(dir, `failing-worker-${Math.random()}.cjs`);
  writeFileSync(
    file,
    `const { parentPort } = require('node:worker_threads');
const post = parentPort.postMessage.bind(parentPort);
let sent = 0;
parentPort.postMessage = (m, t) => { if (m.type === 'batch' && (${when})) throw new Error('worker failed on purpose'); post(m, t); };
require(${JSON.stringify(fileURLToPath(WORKER))});
`,
  );
  return file;
}

/** Byte offset of the first line whose wall-clock time is more than half an hour before the line before it. */
function secondPassOffset(text: string): number {
  let prev = Number.NaN;
  let at = 0;
  for (const line of text.split('\n')) {
    const wall = Date.parse(`${line.slice(0, 10)}T${line.slice(11, 19)}Z`);
    if (wall < prev - 30 * 60_000) return at;
    if (!Number.isNaN(wall)) prev = wall;
    at += line.length + 1;
  }
  return -1;
}
