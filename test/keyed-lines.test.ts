import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { statusJson } from '../src/app/status-json.js';
import type { ParsedBatch } from '../src/log-line.js';
import { compileGrammar, linesOf, LogClock, parseChunk, type Grammar } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { runFacts } from '../src/state/run.js';
import { damagedLogs, readEvents, type TestLog } from './support/damaged-logs.js';
import { logLine } from './support/log-text.js';

// Outcome lines read as keyed columns (hashes, no LogLine, no key string) must change nothing: every batch
// the same records as the LogLine parse, and the same state after the fold, on logs damaged every way we know.
const dir = mkdtempSync(join(tmpdir(), 'keyed-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const logs: TestLog[] = [];
beforeAll(async () => {
  logs.push(...(await damagedLogs(dir)));
}, 120_000);

/** Every event of a read, and the state they fold into. */
async function read(file: string, grammar: Grammar, keyed: boolean, chunkSize: number) {
  return readEvents(file, grammar, { chunkSize, keyed });
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

  // A long history's chunks far from its end keep no log-pane lines: there the outcome lines are read in one
  // pass from the line's start (hot-lines.ts), and must give what the general path gives.
  test.each([1024, 4099, 65_536])('with no log-pane lines, every batch and the folded state equal to the LogLine read, in %i-byte chunks', (size) => {
    for (const { name, grammar, file } of logs) {
      const bytes = readFileSync(file);
      const fold = (keyed: boolean) => {
        const clock = new LogClock(grammar.zone);
        let state = initialState({ job: 'j', log: file, now: Date.UTC(2025, 10, 30), targets: [95, 98, 100] });
        const batches: ParsedBatch[] = [];
        for (let p = 0; p < bytes.length; ) {
          const cut = bytes.lastIndexOf(10, Math.min(bytes.length, p + size) - 1);
          const end = cut < p ? bytes.length : cut + 1;
          const batch = parseChunk(bytes.subarray(p, end), grammar, 0, clock, keyed);
          batches.push(batch);
          state = reduce(state, { type: 'log/batch', batch });
          p = end;
        }
        return { batches, state };
      };
      const general = fold(false);
      const keyed = fold(true);
      expect(keyed.batches.map(plain), name).toEqual(general.batches);
      const [x, y] = [general.state.log, keyed.state.log];
      expect(runFacts(y.current), name).toEqual(runFacts(x.current));
      expect(y.history.map(runFacts), name).toEqual(x.history.map(runFacts));
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
