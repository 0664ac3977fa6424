import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readLogOnce } from '../src/app/read-log-once.js';
import { statusJson } from '../src/app/status-json.js';
import type { ParsedBatch } from '../src/log-line.js';
import { compileGrammar, linesOf, parseChunk, type Grammar } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import type { AppEvent } from '../src/state/events.js';
import { reduce } from '../src/state/reducer.js';
import { runFacts } from '../src/state/run.js';
import { logLine } from './support/log-text.js';
// @ts-expect-error: the bench is plain JavaScript
import { oneRunLog } from '../bench/one-run.js';
import { simulate } from './support/simulate.js';

// Outcome lines read as keyed columns (hashes, no LogLine, no key string) must change nothing: every batch
// the same records as the LogLine parse, and the same state after the fold, on logs damaged every way we know.
const dir = mkdtempSync(join(tmpdir(), 'keyed-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sim(extra: string[], start = Date.UTC(2025, 10, 26, 23, 17, 10)): Promise<string> {
  const { log, code } = await simulate(['--limit=150', '--workers=6', '--seed=7', `--storage=${join(dir, `s${Math.random()}`)}`, `--failed-dir=${dir}`, ...extra], { start, cwd: dir });
  expect(code).toBe(0);
  return log;
}

/** Lines no simulator writes: key-less retries, a traceback, odd keys, outcomes after a summary, CRLF, a very long line. */
function oddities(at: number): Buffer {
  const text = [
    logLine(at, 'INFO', 'Retry Backfill initialized'),
    logLine(at + 1, 'INFO', 'Loaded 5 failed dates from failed.json'),
    logLine(at + 2, 'INFO', '[1/5] Processing 2024-01-02'),
    logLine(at + 3, 'INFO', '  ✅ Scraped successfully (attempt 2)'),
    logLine(at + 4, 'INFO', '[2/5] Processing 2024-01-03'),
    logLine(at + 5, 'WARNING', '  ❌ Failed after 5 attempts: HTTP 503'),
    logLine(at + 6, 'INFO', '[3/5] Processing 2024-01-04'),
    logLine(at + 6, 'INFO', '[3/5] Processing 2024-01-04'),
    logLine(at + 7, 'INFO', '  ⏭️  Skipped (already in GCS)'),
    logLine(at + 8, 'INFO', 'Game 2024-01-05 scraped, but by whom'),
    // Keys of every length around the cut, with colons, non-ASCII and control bytes.
    logLine(at + 9, 'INFO', `  ✅ Scraped ${'x'.repeat(300)}`),
    logLine(at + 9, 'INFO', `  ✅ Scraped ${'y'.repeat(200)}`),
    logLine(at + 9, 'WARNING', `  ❌ Failed ${'z'.repeat(201)}: HTTP 500`),
    logLine(at + 9, 'WARNING', `  ❌ Failed ${'w'.repeat(200)}: HTTP 500`),
    logLine(at + 9, 'WARNING', '  ❌ Failed 2024-02-01: HTTP 500 Internal Server Error'),
    logLine(at + 9, 'WARNING', '  ❌ Failed 2024-02-02:: HTTP 502'),
    logLine(at + 9, 'WARNING', '  ❌ Failed 2024-02-03:x HTTP 502'),
    logLine(at + 9, 'WARNING', '  ❌ Failed 2024-02-04: Read timed out. (read timeout=180)'),
    logLine(at + 9, 'WARNING', '  ❌ Failed 2024-02-05:'),
    logLine(at + 9, 'WARNING', '  ❌ Failed : HTTP 500'),
    logLine(at + 9, 'ERROR', '  ❌ Error 2024-02-06: ConnectionResetError(104)'),
    logLine(at + 9, 'ERROR', '  ❌ Error scraping 2024-02-07: boom'),
    logLine(at + 9, 'WARNING', '  ❌ Timeout scraping 2024-02-08'),
    logLine(at + 9, 'WARNING', '  ⏱️  Timeout 2024-02-09 after 180s'),
    logLine(at + 9, 'INFO', '  ⏭️  Skipped 2024-02-10 (already in GCS)'),
    logLine(at + 9, 'INFO', '  ✅ Scraped café-2024 (non-ASCII key)'),
    logLine(at + 9, 'INFO', '  ✅ Scraped a\u0001b (a control byte)'),
    logLine(at + 9, 'INFO', '  ✅ Scraped 2024-02-01'),
    logLine(at + 9, 'INFO', '  ✅ Scraped 2024-02-01'),
    logLine(at + 9, 'WARNING', '  ❌ Failed 2024-02-01: HTTP 504'),
    logLine(at + 9, 'INFO', '  ⏭️  Skipped 2024-02-08'),
    logLine(at + 10, 'INFO', 'BACKFILL COMPLETE'),
    logLine(at + 10, 'INFO', '  ✅ Processed: 5'),
    // A skip after the summary belongs to the run; a success after it starts a new one.
    logLine(at + 11, 'INFO', '  ⏭️  Skipped 2024-03-01'),
    logLine(at + 12, 'INFO', '  ✅ Scraped 2024-03-02'),
    logLine(at + 13, 'WARNING', '  ❌ Failed 2024-03-02: HTTP 500'),
    'Traceback (most recent call last):',
    '  File "backfill.py", line 10, in <module>',
    'FileNotFoundError: [Errno 2] No such file or directory: failed.json',
  ].join('\r\n');
  const bad = Buffer.concat([
    Buffer.from(`${logLine(at + 14, 'INFO', '  ✅ Scraped ')}`),
    Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x41]),
    Buffer.from(` (2024-01-06)\n${logLine(at + 15, 'INFO', `  ❌ Failed 2024-01-07: ${'é'.repeat(40_000)}`)}\n`),
  ]);
  return Buffer.concat([Buffer.from(`${text}\r\n`), bad, Buffer.alloc(3000, 0), Buffer.from(`${logLine(at + 16, 'INFO', '✅ Scraped 2024-01-08')}\n`)]);
}

const logs: { name: string; grammar: Grammar; file: string }[] = [];

beforeAll(async () => {
  const put = (name: string, bytes: string | Buffer, zone = 'UTC') => {
    const file = join(dir, `${name}.log`);
    writeFileSync(file, bytes);
    logs.push({ name, grammar: compileGrammar(undefined, zone), file });
  };
  // Several runs in one file, each damaged its own way, then the oddities, then a run still going.
  const runs = [await sim([]), await sim(['--doubled']), await sim(['--cr-prefix']), await sim(['--escaped-emoji']), await sim(['--nul-prefix=70000'])];
  put('damaged-runs', Buffer.concat([...runs.map((r) => Buffer.from(r)), oddities(Date.UTC(2025, 10, 28)), Buffer.from((await sim(['--limit=40'])).split('\n').slice(0, 30).join('\n'))]));
  // The night clocks fall back: the repeated hour is told apart by the order of the lines (one clock across chunks).
  put('dst-night', await sim(['--workers=1', '--mean-seconds=40', '--timezone=America/New_York', '--clock-start=2025-11-02T05:20:00Z', '--limit=900']), 'America/New_York');
  // A retry run in the same log: its outcomes follow failures of the run before, and some fail again.
  const rough = ['--fail-months=1,2,3,4,5,6,10,11,12', '--fail-rate=0.4', '--timeout-rate=0.1', '--exception-rate=0.05'];
  put('retries', `${await sim(rough)}${await sim([...rough, '--seed=8'], Date.UTC(2025, 10, 27, 9))}`);
  // The bench's shape, past the 1 MiB near the end whose chunks carry the log pane's lines.
  const big = oneRunLog(dir, 1_600_000, 7);
  logs.push({ name: 'one-run', grammar: compileGrammar(undefined, 'UTC'), file: big.file });
}, 120_000);

/** Every event of a read, and the state they fold into. */
async function read(file: string, grammar: Grammar, keyed: boolean, chunkSize: number) {
  const events: AppEvent[] = [];
  let state = initialState({ job: 'j', log: file, now: Date.UTC(2025, 10, 30), targets: [95, 98, 100] });
  await readLogOnce(
    file,
    grammar,
    (e) => {
      events.push(e);
      state = reduce(state, e);
    },
    undefined,
    { chunkSize, keyed },
  );
  return { events, state };
}

/** A batch with its keyed columns made into LogLines (what the LogLine parse gives). */
function plain(batch: ParsedBatch): ParsedBatch {
  const { keyed: _keyed, ...rest } = batch;
  return { ...rest, lines: linesOf(batch) };
}

describe('outcome lines as keyed columns', () => {
  // Small reads put chunk ends inside multi-byte characters, between \r and \n, inside doubled pairs and at run
  // banners; 20,000 bytes puts hundreds of keyed lines in a batch (the key store is warmed from 256).
  test.each([1024, 4099, 20_000])('every batch and the folded state equal to the LogLine read, in %i-byte reads', async (chunkSize) => {
    for (const { name, grammar, file } of logs) {
      const general = await read(file, grammar, false, chunkSize);
      const keyed = await read(file, grammar, true, chunkSize);
      expect(keyed.events.length, name).toBe(general.events.length);
      let columns = 0;
      for (let i = 0; i < general.events.length; i++) {
        const a = general.events[i];
        const b = keyed.events[i];
        if (a.type !== 'log/batch' || b.type !== 'log/batch') {
          expect(b, name).toEqual(a);
          continue;
        }
        expect(a.batch.keyed, name).toBeUndefined();
        columns += b.batch.keyed?.count ?? 0;
        expect(plain(b.batch), `${name} batch ${i}`).toEqual(a.batch);
      }
      expect(columns, name).toBeGreaterThan(100);
      const [x, y] = [general.state.log, keyed.state.log];
      expect(runFacts(y.current), name).toEqual(runFacts(x.current));
      expect(y.history.map(runFacts), name).toEqual(x.history.map(runFacts));
      expect(y.trail, name).toEqual(x.trail);
      expect(JSON.stringify(statusJson(keyed.state)), name).toBe(JSON.stringify(statusJson(general.state)));
    }
  }, 120_000);

  test('the logs hold what the comparison is about: every line kind, keyed records of each kind, runs after runs', async () => {
    const kinds = new Set<string>();
    const keyedKinds = new Set<number>();
    let runs = 0;
    for (const { name, grammar, file } of logs) {
      const { events, state } = await read(file, grammar, true, 4099);
      for (const e of events) {
        if (e.type !== 'log/batch') continue;
        for (const l of linesOf(e.batch)) kinds.add(l.kind);
        const k = e.batch.keyed!;
        for (let r = 0; r < k.size; r++) keyedKinds.add(k.order[r]);
      }
      if (name !== 'one-run') runs += state.log.history.length;
      // A success after a failure of the same run, and a failure after a success: the key's text was needed.
      if (name === 'damaged-runs') expect(state.log.history.some((r) => r.duplicateLines > 0)).toBe(true);
    }
    expect([...keyedKinds].sort()).toEqual([0, 1, 2, 3]);
    expect([...kinds].sort().join(' ')).toEqual(['complete', 'failed', 'failedSaved', 'loaded', 'processing', 'progress', 'queued', 'setting', 'skipped', 'start', 'succeeded', 'summary', 'trace', 'unrecognized'].join(' '));
    expect(runs).toBeGreaterThan(6);
    const dst = logs.find((l) => l.name === 'dst-night')!;
    const walls = readFileSync(dst.file, 'utf8').split('\n').filter(Boolean).map((l) => Date.parse(`${l.slice(0, 10)}T${l.slice(11, 19)}Z`));
    expect(walls.some((w, i) => i > 0 && w < walls[i - 1] - 30 * 60_000)).toBe(true);
  }, 60_000);

  test('only ASCII keys up to the cut travel as bytes; a config grammar gets LogLines only', () => {
    const at = Date.UTC(2025, 10, 26);
    const text = [
      logLine(at, 'INFO', '  ✅ Scraped 0022100001 (2021-10-19)'),
      logLine(at, 'INFO', '  ✅ Scraped café'),
      logLine(at, 'INFO', `  ✅ Scraped ${'k'.repeat(201)}`),
      logLine(at, 'WARNING', '  ❌ Failed 0022100002: HTTP 500'),
    ].join('\n');
    const batch = parseChunk(Buffer.from(`${text}\n`), compileGrammar(undefined, 'UTC'), 0, undefined, true);
    expect(batch.keyed!.count).toBe(2);
    expect(batch.lines.map((l) => ('key' in l ? l.key : null))).toEqual(['café', `${'k'.repeat(200)}…`]);
    expect(batch.suspiciousKeys).toBe(1);
    expect(batch.keyed!.key(1)).toBe('0022100002');
    const custom = parseChunk(Buffer.from(`${text}\n`), compileGrammar({ succeeded: 'Scraped (?<key>\\S+)' }, 'UTC'), 0, undefined, true);
    expect(custom.keyed).toBeUndefined();
    expect(custom.lines).toHaveLength(4);
  });
});
