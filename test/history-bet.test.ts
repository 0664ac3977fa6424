import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { oneRunLog } from '../bench/one-run.js';
import { historyStartFor, UNSURE_STARTS } from '../src/app/history-start.js';
import type { ParseWorkerChoice } from '../src/app/log-events.js';
import { readLogOnce } from '../src/app/read-log-once.js';
import { statusJson } from '../src/app/status-json.js';
import { MAX_LINE_BYTES, type HistoryStart } from '../src/log-follower.js';
import { compileGrammar } from '../src/parser/index.js';
import { HISTORY_LIMIT } from '../src/state/apply-lines.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import type { AppEvent } from '../src/state/events.js';
import { reduce } from '../src/state/reducer.js';
import { runFacts } from '../src/state/run.js';
import { logLine } from './support/log-text.js';

// A long log with no run start in its last megabytes is read from its start without being looked through backwards
// (history-start.ts `unsure`): the read in the parse worker (dist/src/parse-worker.cjs, built by `npm test`) counts the
// run starts it meets, and looks for the start only past UNSURE_STARTS of them. Whatever way the bet goes, the state
// is the one the plain read gives (looked through backwards first, read in this thread).
const WORKER = new URL('../dist/src/parse-worker.cjs', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'history-bet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const grammar = compileGrammar();
/** Small sizes for small files: the last 64 KiB looked through, 4 KiB blocks, 64 KiB worker reads. */
const SURE = 64 << 10;
const BLOCK = 4096;
const inWorker = (): ParseWorkerChoice & { stats: NonNullable<ParseWorkerChoice['stats']> } => ({ url: WORKER, minBytes: 1, readBytes: 64 << 10, stats: { inThread: 0, fromWorker: 0 } });
/** The worker's choice for a log shorter than its threshold (status below 64 MiB): the bet is this thread's (round 19). */
const inThread = (): ParseWorkerChoice & { stats: NonNullable<ParseWorkerChoice['stats']> } => ({ url: WORKER, minBytes: 1 << 30, stats: { inThread: 0, fromWorker: 0 } });

/** One long run (about 1 MB of game ids, 15 % failures), as the bench writes it. */
const longRun = readFileSync(oneRunLog(dir, 1_000_000, 5).file, 'utf8');
/** A line longer than the line cap, counted as cut (overlongBytes), before the run's lines. */
const overlong = `${logLine(Date.UTC(2025, 10, 19), 'INFO', 'x'.repeat(MAX_LINE_BYTES + 5000))}\n`;

/** `n` short finished runs before the long one (November 2025, days before it), the second with a line too long. */
function shortRuns(n: number): string {
  const out: string[] = [];
  let at = Date.UTC(2025, 10, 20);
  for (let r = 0; r < n; r++) {
    const line = (msg: string) => out.push(logLine((at += 1000), 'INFO', msg));
    line('Team Boxscore Backfill');
    line(`Workers: ${1 + (r % 6)} | Timeout: ${r + 10}s`);
    for (let k = 0; k < 3; k++) line(`  ✅ Scraped ${String(1000 + r * 3 + k).padStart(10, '0')}`);
    if (r === 1) out.push(overlong.trimEnd());
    line('BACKFILL COMPLETE');
    at += 60_000;
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** A picker whose reads of the file (the look back) are counted. */
function counted(pick: HistoryStart): { pick: HistoryStart; bytes: () => number } {
  let bytes = 0;
  const wrap = (handle: FileHandle): FileHandle =>
    new Proxy(handle, {
      get(target, name) {
        if (name !== 'read') return Reflect.get(target, name, target);
        return async (...args: Parameters<FileHandle['read']>) => {
          const r = await (target.read as (...a: unknown[]) => Promise<{ bytesRead: number }>)(...args);
          bytes += r.bytesRead;
          return r;
        };
      },
    });
  return { pick: (file) => pick({ ...file, handle: wrap(file.handle) }), bytes: () => bytes };
}

async function read(file: string, pick: HistoryStart | undefined, choice: ParseWorkerChoice | null): Promise<{ state: AppState; events: AppEvent[] }> {
  let state = initialState({ job: 'j', log: file, now: Date.UTC(2025, 11, 30), targets: [95, 98, 100] });
  const events: AppEvent[] = [];
  await readLogOnce(
    file,
    grammar,
    (e) => {
      if (e.type === 'log/batch') events.push({ ...e, batch: { ...e.batch, keyed: undefined } });
      else events.push(e);
      state = reduce(state, e);
    },
    pick,
    { worker: choice },
  );
  return { state, events };
}

function expectSame(got: AppState, want: AppState, name: string): void {
  const [x, y] = [want.log, got.log];
  expect(runFacts(y.current), name).toEqual(runFacts(x.current));
  expect(y.history.map(runFacts), name).toEqual(x.history.map(runFacts));
  expect(y.trail, name).toEqual(x.trail);
  expect(y.tail, name).toEqual(x.tail);
  expect(y.overlongBytes, name).toBe(x.overlongBytes);
  expect(JSON.stringify(statusJson(got)), name).toBe(JSON.stringify(statusJson(want)));
}

describe('a long history read from its start before its start is known', () => {
  it('looks through only the last megabytes of a one-run log, and folds it as the plain read does', async () => {
    const file = join(dir, 'one-run.log');
    writeFileSync(file, overlong + longRun);
    const want = await read(file, historyStartFor(grammar, BLOCK), null);
    const look = counted(historyStartFor(grammar, BLOCK, { unsure: true, sureBytes: SURE })!);
    const got = await read(file, look.pick, inWorker());
    expectSame(got.state, want.state, 'one run');
    expect(want.state.log.overlongBytes).toBeGreaterThan(0);
    // Its last 64 KiB and a block or two for the line cut at each end: not the megabyte.
    expect(look.bytes()).toBeLessThan(SURE + 4 * BLOCK);
    expect(got.events.some((e) => e.type === 'log/batch' && e.replace)).toBe(false);
  });

  it('replaces what it folded when the log holds more runs than the state keeps before its long last run', async () => {
    const file = join(dir, 'many-runs.log');
    writeFileSync(file, shortRuns(HISTORY_LIMIT + 50) + longRun);
    const plain = counted(historyStartFor(grammar, BLOCK)!);
    const want = await read(file, plain.pick, null);
    const look = counted(historyStartFor(grammar, BLOCK, { unsure: true, sureBytes: SURE })!);
    const worker = inWorker();
    const got = await read(file, look.pick, worker);
    expectSame(got.state, want.state, 'many runs');
    // The same worker read on from the start found (halted, not ended, when the bet was lost).
    expect(worker.stats.fromWorker).toBeGreaterThan(longRun.length);
    expect(want.state.log.history.length).toBe(HISTORY_LIMIT);
    // The bet was taken and lost: the start was looked for, as far back as the plain look went, and what was folded
    // from the file's start was replaced in one event.
    expect(look.bytes()).toBeGreaterThanOrEqual(plain.bytes());
    expect(got.events.filter((e) => e.type === 'log/batch' && e.replace)).toHaveLength(1);
  });

  it('reads on from where it stopped betting when the log holds more than a few runs but fewer than the state keeps', async () => {
    const file = join(dir, 'few-runs.log');
    writeFileSync(file, shortRuns(UNSURE_STARTS + 8) + longRun);
    const want = await read(file, historyStartFor(grammar, BLOCK), null);
    const look = counted(historyStartFor(grammar, BLOCK, { unsure: true, sureBytes: SURE })!);
    const worker = inWorker();
    const got = await read(file, look.pick, worker);
    expectSame(got.state, want.state, 'few runs');
    expect(worker.stats.fromWorker).toBeGreaterThan(longRun.length);
    expect(want.state.log.history.length).toBe(UNSURE_STARTS + 8);
    // Looked through to the file's start (the start is 0), nothing replaced.
    expect(look.bytes()).toBeGreaterThan(longRun.length);
    expect(got.events.some((e) => e.type === 'log/batch' && e.replace)).toBe(false);
  });

  it('is not taken where the last megabytes hold a run start: the look back finds the start as before', async () => {
    const file = join(dir, 'short-tail.log');
    writeFileSync(file, longRun + shortRuns(HISTORY_LIMIT + 50));
    const handle = await import('node:fs/promises').then((fs) => fs.open(file, 'r'));
    try {
      const size = (await handle.stat()).size;
      const start = await historyStartFor(grammar, BLOCK, { unsure: true, sureBytes: SURE })!({ handle, size, maxLineBytes: MAX_LINE_BYTES });
      expect(start).toBe(await historyStartFor(grammar, BLOCK)!({ handle, size, maxLineBytes: MAX_LINE_BYTES }));
      expect(start).toBeGreaterThan(longRun.length);
    } finally {
      await handle.close();
    }
  });
});

describe('the same bet in this thread, for a log shorter than the worker is for (round 19)', () => {
  it('looks through only the last megabytes of a one-run log, and folds it as the plain read does', async () => {
    const file = join(dir, 'one-run-thread.log');
    writeFileSync(file, overlong + longRun);
    const want = await read(file, historyStartFor(grammar, BLOCK), null);
    const look = counted(historyStartFor(grammar, BLOCK, { unsure: true, sureBytes: SURE })!);
    const choice = inThread();
    const got = await read(file, look.pick, choice);
    expectSame(got.state, want.state, 'one run');
    expect(want.state.log.overlongBytes).toBeGreaterThan(0);
    expect(look.bytes()).toBeLessThan(SURE + 4 * BLOCK);
    expect(got.events.some((e) => e.type === 'log/batch' && e.replace)).toBe(false);
    // No worker read any of it.
    expect(choice.stats.fromWorker).toBe(0);
  });

  it('replaces what it folded when the log holds more runs than the state keeps before its long last run', async () => {
    const file = join(dir, 'many-runs-thread.log');
    writeFileSync(file, shortRuns(HISTORY_LIMIT + 50) + longRun);
    const plain = counted(historyStartFor(grammar, BLOCK)!);
    const want = await read(file, plain.pick, null);
    const look = counted(historyStartFor(grammar, BLOCK, { unsure: true, sureBytes: SURE })!);
    const got = await read(file, look.pick, inThread());
    expectSame(got.state, want.state, 'many runs');
    expect(want.state.log.history.length).toBe(HISTORY_LIMIT);
    expect(look.bytes()).toBeGreaterThanOrEqual(plain.bytes());
    expect(got.events.filter((e) => e.type === 'log/batch' && e.replace)).toHaveLength(1);
  });

  it('reads on from where it stopped betting when the log holds more than a few runs but fewer than the state keeps', async () => {
    const file = join(dir, 'few-runs-thread.log');
    writeFileSync(file, shortRuns(UNSURE_STARTS + 8) + longRun);
    const want = await read(file, historyStartFor(grammar, BLOCK), null);
    const look = counted(historyStartFor(grammar, BLOCK, { unsure: true, sureBytes: SURE })!);
    const got = await read(file, look.pick, inThread());
    expectSame(got.state, want.state, 'few runs');
    expect(want.state.log.history.length).toBe(UNSURE_STARTS + 8);
    expect(look.bytes()).toBeGreaterThan(longRun.length);
    expect(got.events.some((e) => e.type === 'log/batch' && e.replace)).toBe(false);
  });

  it('leaves an unfinished last line and a line longer than its reads to the follower: the same state', async () => {
    // A line of 300 KB (over a read of 256 KiB, cut at the line cap) mid-run, and a last line with no end yet.
    const long = `${logLine(Date.UTC(2025, 10, 26, 9), 'INFO', 'y'.repeat(300_000))}\n`;
    const half = Math.floor(longRun.length / 2);
    const cut = longRun.indexOf('\n', half) + 1;
    const file = join(dir, 'long-line-thread.log');
    writeFileSync(file, `${longRun.slice(0, cut)}${long}${longRun.slice(cut)}${logLine(Date.UTC(2025, 10, 26, 10), 'INFO', '  ✅ Scraped 0099')}`);
    const want = await read(file, historyStartFor(grammar, BLOCK), null);
    const got = await read(file, historyStartFor(grammar, BLOCK, { unsure: true, sureBytes: SURE })!, inThread());
    expectSame(got.state, want.state, 'long line');
    expect(want.state.log.overlongBytes).toBeGreaterThan(0);
  });

  it('counts the run starts past a line longer than its reads: more runs than the state keeps after it are looked for', async () => {
    // One run start, then a line longer than the thread's reads (carried from read to read, cut at the line cap), then
    // more runs than the state keeps before the long run: the start is past them.
    const long = `${logLine(Date.UTC(2025, 10, 19, 12), 'INFO', 'z'.repeat(300_000))}\n`;
    const file = join(dir, 'long-line-first-thread.log');
    writeFileSync(file, shortRuns(1) + long + shortRuns(HISTORY_LIMIT + 50) + longRun);
    const want = await read(file, historyStartFor(grammar, BLOCK), null);
    const got = await read(file, historyStartFor(grammar, BLOCK, { unsure: true, sureBytes: SURE })!, inThread());
    expectSame(got.state, want.state, 'long line first');
    expect(want.state.log.history.length).toBe(HISTORY_LIMIT);
  });
});
