import { setFlagsFromString } from 'node:v8';
import { describe, expect, test } from 'vitest';
import type { LogLine } from '../src/log-line.js';
import { compileGrammar, parseChunk, parseText } from '../src/parser/index.js';
import { applyLines, type LogRuns } from '../src/state/apply-lines.js';
import { FAILED_KEYS_LIMIT, FailedKeys } from '../src/state/failed-keys.js';
import { KeyLedger, hash64 } from '../src/state/key-ledger.js';
import { archiveRun, cloneRun, doneOf, emptyRun, seededRun, type RunState } from '../src/state/run.js';
import { banner, logOf, T0 } from './support/log-text.js';

const grammar = compileGrammar();
const empty: LogRuns = { current: null, history: [] };
const fold = (text: string, runs: LogRuns = empty) => applyLines(runs, parseText(text, grammar).lines);
const doubled = (records: string[][]) => records.flatMap((r) => [r, r]);

describe('one outcome per key per run', () => {
  test('a doubled log (two handlers) counts each key once and says how many lines repeated', () => {
    const records = [
      ...banner(2, 180, 3),
      ['INFO', '[1/3] Queued 2021-10-19'],
      ['INFO', '[2/3] Queued 2021-10-20'],
      ['INFO', '[3/3] Queued 2021-10-21'],
      ['INFO', '  ✅ Scraped 2021-10-19'],
      ['WARNING', '  ❌ Failed 2021-10-20: HTTP 500'],
      ['INFO', '  ✅ Scraped 2021-10-21'],
    ];
    const run = fold(logOf(T0, doubled(records))).current!;
    expect(run).toMatchObject({ total: 3, queued: 3, succeeded: 2, failed: 1, skipped: 0, duplicateLines: 6 });
    expect(run.failures).toEqual({ 'HTTP 500': 1 });
    expect(doneOf(run)).toBe(3);
    // Repeats are not new work: the rate sees three completions.
    expect(run.completions).toHaveLength(3);
  });

  test('the latest outcome wins: failed then succeeded is a success; failed twice keeps the newest error', () => {
    const run = fold(
      logOf(T0, [
        ...banner(2, 180, 3),
        ['WARNING', '  ❌ Failed 2021-10-19: HTTP 500'],
        ['WARNING', '  ❌ Timeout 2021-10-20'],
        ['WARNING', '  ❌ Failed 2021-10-21: HTTP 503'],
        ['INFO', '  ✅ Scraped 2021-10-19'],
        ['WARNING', '  ❌ Failed 2021-10-20: HTTP 502'],
      ]),
    ).current!;
    expect(run).toMatchObject({ succeeded: 1, failed: 2, duplicateLines: 1 });
    expect(run.failures).toEqual({ 'HTTP 502': 1, 'HTTP 503': 1 });
    expect([...run.failedKeys].map(([k, f]) => [k, f.failure])).toEqual([
      ['2021-10-21', 'HTTP 503'],
      ['2021-10-20', 'HTTP 502'],
    ]);
    expect(run.failedKeys.get('2021-10-19')).toBeUndefined();
  });

  test('the same holds across batches, and each run starts with no keys seen', () => {
    const first = fold(logOf(T0, [...banner(2, 180, 2), ['WARNING', '  ❌ Failed 2021-10-19: HTTP 500']]));
    const second = fold(logOf(T0 + 10_000, [['WARNING', '  ❌ Failed 2021-10-19: HTTP 500'], ['INFO', '  ✅ Scraped 2021-10-19']]), first);
    expect(second.current).toMatchObject({ succeeded: 1, failed: 0, duplicateLines: 1, failures: {} });
    const next = fold(logOf(T0 + 60_000, [...banner(2, 180, 1), ['INFO', '  ✅ Scraped 2021-10-19']]), second);
    expect(next.history).toHaveLength(1);
    expect(next.current).toMatchObject({ succeeded: 1, duplicateLines: 0 });
  });

  test('done never exceeds the total on a doubled log with Progress lines', () => {
    const records: string[][] = [...banner(1, 180, 50)];
    for (let i = 0; i < 50; i++) records.push(['INFO', `  ✅ Scraped ${new Date(Date.UTC(2021, 10, 1) + i * 86_400_000).toISOString().slice(0, 10)}`]);
    records.push(['INFO', '📊 Progress: 50/50 (100.0%) | ✅ 50 | ⏭️ 0 | ❌ 0 | ETA: 0min']);
    const run = fold(logOf(T0, doubled(records))).current!;
    expect(run.total).toBe(50);
    expect(doneOf(run)).toBe(50);
    expect(run.duplicateLines).toBe(50);
  });

  test('a retry with key-less outcomes: a doubled Processing/outcome pair is one outcome', () => {
    const run = fold(logOf(T0, doubled([['INFO', '[1/1] Processing 2022-04-17'], ['WARNING', '  ❌ Failed after 5 attempts: HTTP 500']]))).current!;
    expect(run).toMatchObject({ failed: 1, duplicateLines: 1 });
  });
});

/** `n` outcome lines for distinct game-id keys, every `failEvery`-th a failure. */
function outcomes(from: number, n: number, failEvery: number): LogLine[] {
  const lines: LogLine[] = [];
  for (let i = from; i < from + n; i++) {
    const key = `00${22100000 + i} 2021-10-19`;
    lines.push(i % failEvery === 0 ? { kind: 'failed', at: T0 + i, key, failure: 'HTTP 500', error: 'HTTP 500' } : { kind: 'succeeded', at: T0 + i, key });
  }
  return lines;
}

describe('failed keys of a run stay bounded', () => {
  test(`past ${FAILED_KEYS_LIMIT.toLocaleString('en')} failed keys the newest are listed and the rest counted`, () => {
    const extra = 5_000;
    let runs = applyLines(empty, [{ kind: 'start', at: T0, title: 'Backfill' }]);
    for (let from = 0; from < FAILED_KEYS_LIMIT + extra; from += 20_000) runs = applyLines(runs, outcomes(from, Math.min(20_000, FAILED_KEYS_LIMIT + extra - from), 1));
    const run = runs.current!;
    expect(run.failed).toBe(FAILED_KEYS_LIMIT + extra);
    expect(run.failedKeys.size + run.failedKeysOmitted).toBe(FAILED_KEYS_LIMIT + extra);
    expect(run.failedKeys.size).toBeLessThanOrEqual(FAILED_KEYS_LIMIT);
    expect(run.failedKeys.size).toBeGreaterThan(FAILED_KEYS_LIMIT - 4096);
    // The newest are kept: the last key is listed, the first is not.
    expect(run.failedKeys.has(`00${22100000 + FAILED_KEYS_LIMIT + extra - 1} 2021-10-19`)).toBe(true);
    expect(run.failedKeys.has(`00${22100000} 2021-10-19`)).toBe(false);
    // An unlisted key that succeeds later still moves the counts.
    runs = applyLines(runs, [{ kind: 'succeeded', at: T0 + 1e9, key: `00${22100000} 2021-10-19` }]);
    expect(runs.current).toMatchObject({ failed: FAILED_KEYS_LIMIT + extra - 1, succeeded: 1, failedKeysOmitted: run.failedKeysOmitted - 1 });
  }, 120_000);
});

describe('per-batch work does not grow with the run', () => {
  /**
   * Reads of failed-key entries (any copy or scan of them) while `fn` runs: each entry read from the
   * store's columns (key, failure kind, error text) counts, and iterating a column counts all of it.
   * The columns are put back afterwards (wrapping again per batch would stack proxies).
   */
  function entryReads(runs: LogRuns, fn: () => void): number {
    // Every per-entry column of a chunk: key hashes, key bytes and texts, failure kind, error, time, versions.
    const columns = ['h1', 'h2', 'at', 'born', 'died', 'keyEnd', 'keyBytes', 'texts', 'failures', 'errors'] as const;
    type Chunk = Record<(typeof columns)[number], ArrayLike<unknown>>;
    const store = runs.current!.keys!.failed;
    let reads = 0;
    const counting = <T extends object>(column: T) =>
      new Proxy(column, {
        get(target, prop) {
          if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
          if (prop === Symbol.iterator) reads += (target as ArrayLike<unknown>).length;
          // The target as `this`: a typed array's own methods and length refuse a proxy.
          const value = Reflect.get(target, prop, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
        set(target, prop, value) {
          return Reflect.set(target, prop, value, target);
        },
      });
    const saved = new Map<Chunk, unknown[]>();
    for (const chunk of store.chunks as unknown as Chunk[]) {
      saved.set(chunk, columns.map((c) => chunk[c]));
      for (const c of columns) (chunk as Record<string, unknown>)[c] = counting(chunk[c] as object);
    }
    try {
      fn();
    } finally {
      for (const [chunk, was] of saved) columns.forEach((c, i) => ((chunk as Record<string, unknown>)[c] = was[i]));
    }
    return reads;
  }

  test('a batch reads none of the failed keys already held, and key-store growth stays amortised', () => {
    let runs = applyLines(empty, [{ kind: 'start', at: T0, title: 'Backfill' }]);
    const measure = (held: number) => {
      while (runs.current!.keys!.ledger.size < held) runs = applyLines(runs, outcomes(runs.current!.keys!.ledger.size, 10_000, 7));
      const ledger = runs.current!.keys!.ledger;
      const movedBefore = ledger.moved;
      let maxReads = 0;
      const batches = 40;
      for (let b = 0; b < batches; b++) {
        const next = outcomes(ledger.size, 500, 7);
        maxReads = Math.max(maxReads, entryReads(runs, () => (runs = applyLines(runs, next))));
        expect(runs.current!.completions.length).toBeLessThanOrEqual(400);
      }
      return { maxReads, movedPerKey: (ledger.moved - movedBefore) / (batches * 500) };
    };
    const small = measure(2_000);
    expect(small.maxReads).toBe(0);
    const large = measure(150_000);
    expect(large.maxReads).toBe(0);
    // Rehashing moves each key a bounded number of times (1.5× growth: under 3 on average), at any size.
    expect(small.movedPerKey).toBeLessThan(3);
    expect(large.movedPerKey).toBeLessThan(3);
  }, 120_000);

  test('the same holds for outcome lines read as keyed columns (status and the dashboard read so)', () => {
    const text = (from: number, n: number) =>
      logOf(
        T0,
        Array.from({ length: n }, (_, i) => {
          const id = String(22100000 + from + i).padStart(10, '0');
          return (from + i) % 7 === 0 ? ['WARNING', `  ❌ Failed ${id}: HTTP 500`] : ['INFO', `  ✅ Scraped ${id} (2021-10-19)`];
        }),
      );
    const foldKeyed = (runs: LogRuns, t: string) => {
      const batch = parseChunk(Buffer.from(t), grammar, 0, undefined, true);
      return applyLines(runs, batch.lines, batch.keyed);
    };
    let runs = applyLines(empty, [{ kind: 'start', at: T0, title: 'Backfill' }]);
    const measure = (held: number) => {
      while (runs.current!.keys!.ledger.size < held) runs = foldKeyed(runs, text(runs.current!.keys!.ledger.size, 10_000));
      let maxReads = 0;
      for (let b = 0; b < 40; b++) {
        const next = text(runs.current!.keys!.ledger.size, 500);
        const batch = parseChunk(Buffer.from(next), grammar, 0, undefined, true);
        // The batch really is keyed columns (no LogLine per outcome).
        expect(batch.keyed!.count).toBe(500);
        maxReads = Math.max(maxReads, entryReads(runs, () => (runs = applyLines(runs, batch.lines, batch.keyed))));
        expect(runs.current!.completions.length).toBeLessThanOrEqual(400);
      }
      return maxReads;
    };
    expect(measure(2_000)).toBe(0);
    expect(measure(150_000)).toBe(0);
    expect(runs.current!.failed).toBe(Math.ceil(runs.current!.keys!.ledger.size / 7));
  }, 120_000);

  test("a run's own total (Loaded N) reaches its key store: growth moves each key about once", () => {
    const n = 200_000;
    let runs = applyLines(empty, [
      { kind: 'start', at: T0, title: 'Backfill' },
      { kind: 'loaded', at: T0, total: n },
    ]);
    for (let from = 0; from < n; from += 10_000) runs = applyLines(runs, outcomes(from, 10_000, 7));
    const ledger = runs.current!.keys!.ledger;
    expect(ledger.size).toBe(n);
    expect(ledger.moved / n).toBeLessThan(1.5);
  }, 60_000);

  test('folding into an older state of the same run is refused, not silently wrong', () => {
    const before = applyLines(empty, outcomes(0, 10, 3));
    applyLines(before, outcomes(10, 10, 3));
    expect(() => applyLines(before, outcomes(20, 10, 3))).toThrow(/newest state/);
  });

  test('an older snapshot keeps its own failed keys while newer batches change them', () => {
    const a = applyLines(empty, outcomes(0, 9, 3));
    const b = applyLines(a, [{ kind: 'succeeded', at: T0, key: `00${22100000} 2021-10-19` }, ...outcomes(9, 3, 3)]);
    expect([...a.current!.failedKeys.keys()]).toEqual([0, 3, 6].map((i) => `00${22100000 + i} 2021-10-19`));
    expect(a.current!.failedKeys.has(`00${22100000} 2021-10-19`)).toBe(true);
    expect(a.current!.failedKeys.get(`00${22100009} 2021-10-19`)).toBeUndefined();
    expect([...b.current!.failedKeys.keys()]).toEqual([3, 6, 9].map((i) => `00${22100000 + i} 2021-10-19`));
    expect(FailedKeys.empty.size).toBe(0);
  });
});

describe('key ledger', () => {
  /**
   * Two keys whose hashes agree on 40 of their 64 bits: one whole 32-bit lane plus the top byte of the
   * other (a birthday search over about a million keys), so only the remaining 24 bits tell them apart.
   */
  function sameLane(lane: 0 | 1): [string, string] {
    const key = (i: number) => `00${22100000 + i} 2021-10-19`;
    const shared = (i: number) => {
      const h = hash64(key(i));
      return (h[lane] >>> 0) * 256 + (h[1 - lane] >>> 24);
    };
    // Sorted values find a repeat without a Map of millions of entries; then find which two keys.
    const n = 4_000_000;
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = shared(i);
    const sorted = values.slice().sort();
    let repeat = -1;
    for (let i = 1; i < n && repeat < 0; i++) if (sorted[i] === sorted[i - 1]) repeat = sorted[i];
    if (repeat < 0) throw new Error('no pair among the first 4 million keys');
    const both = [];
    for (let i = 0; i < n && both.length < 2; i++) if (values[i] === repeat) both.push(key(i));
    return [both[0], both[1]];
  }

  test('keys that share 40 bits of their hash (a lane and a byte) are still told apart', () => {
    for (const lane of [0, 1] as const) {
      const [a, b] = sameLane(lane);
      expect(hash64(a)[lane]).toBe(hash64(b)[lane]);
      expect(hash64(a)[1 - lane] >>> 24).toBe(hash64(b)[1 - lane] >>> 24);
      const ledger = new KeyLedger();
      ledger.find(a);
      ledger.set(2);
      expect(ledger.find(b), `lane ${lane}: ${a} / ${b}`).toBe(0);
      ledger.set(1);
      expect(ledger.find(a)).toBe(2);
      expect(ledger.find(b)).toBe(1);
    }
  }, 180_000);

  test("told the run's total, it moves each key about once while growing (three times without), and still finds each", () => {
    const n = 300_000;
    const fill = (expected: number | null) => {
      const ledger = new KeyLedger();
      if (expected !== null) ledger.expect(expected);
      for (let i = 0; i < n; i++) {
        ledger.find(`00${22100000 + i} 2021-10-19`);
        ledger.set(1 + (i % 3));
      }
      let wrong = 0;
      for (let i = 0; i < n; i++) if (ledger.find(`00${22100000 + i} 2021-10-19`) !== 1 + (i % 3)) wrong++;
      return { wrong, movedPerKey: ledger.moved / n, bytesPerKey: ledger.bytes() / n, size: ledger.size };
    };
    const blind = fill(null);
    const told = fill(n);
    expect(blind.movedPerKey).toBeGreaterThan(2);
    expect(told.movedPerKey).toBeLessThan(1.5);
    expect(told.bytesPerKey).toBeLessThan(12);
    // A total far above the keys seen so far (a run just started) grows no segment past 4× its need.
    const early = fill(n * 40);
    expect(early.bytesPerKey).toBeLessThan(4 * 8 / 0.8);
    for (const r of [blind, told, early]) expect(r).toMatchObject({ wrong: 0, size: n });
  }, 120_000);

  test('warming a batch of keys changes no answer, whatever order the lookups come in and whichever ledger warmed last', () => {
    const key = (i: number) => `00${22100000 + i} 2021-10-19`;
    const fill = (from: number) => {
      const ledger = new KeyLedger();
      for (let i = from; i < from + 20_000; i++) {
        ledger.find(key(i));
        ledger.set(1 + (i % 3));
      }
      return ledger;
    };
    const a = fill(0);
    const b = fill(100_000);
    const answer = (i: number) => (i < 20_000 ? 1 + (i % 3) : 0);
    // More keys than one warm-up holds, some unknown; looked up in order, then backwards.
    const batch = Array.from({ length: 10_000 }, (_, n) => key(n * 3));
    for (const k of batch) a.warmKey(k);
    a.warmUp();
    // The first slots of 10,000 keys held: their words are not all empty.
    expect(a.warmth).not.toBe(0);
    let wrong = 0;
    for (let n = 0; n < batch.length; n++) if (a.find(batch[n]) !== answer(n * 3)) wrong++;
    for (const k of batch) a.warmKey(k);
    a.warmUp();
    for (let n = batch.length - 1; n >= 0; n--) if (a.find(batch[n]) !== answer(n * 3)) wrong++;
    // Another ledger warms its own keys in between.
    for (const k of batch) a.warmKey(k);
    a.warmUp();
    for (let i = 100_000; i < 105_000; i++) b.warmKey(key(i));
    b.warmUp();
    for (let n = 0; n < batch.length; n++) if (a.find(batch[n]) !== answer(n * 3)) wrong++;
    for (let i = 100_000; i < 105_000; i++) if (b.find(key(i)) !== 1 + (i % 3)) wrong++;
    expect(wrong).toBe(0);
    expect(a.size).toBe(20_000);
  });

  test('tells 300,000 distinct keys apart and finds each again, in about 10–16 bytes a key', () => {
    const ledger = new KeyLedger();
    const n = 300_000;
    let seen = 0;
    for (let i = 0; i < n; i++) {
      if (ledger.find(`00${22100000 + i} 2021-10-19`) !== 0) seen++;
      ledger.set(1 + (i % 3));
    }
    expect(seen).toBe(0);
    expect(ledger.size).toBe(n);
    let wrong = 0;
    for (let i = 0; i < n; i++) if (ledger.find(`00${22100000 + i} 2021-10-19`) !== 1 + (i % 3)) wrong++;
    expect(wrong).toBe(0);
    expect(ledger.find('0022100000 2021-10-20')).toBe(0);
    expect(ledger.bytes() / n).toBeGreaterThan(9);
    expect(ledger.bytes() / n).toBeLessThan(16);
  }, 120_000);
});

describe('one shape of run', () => {
  /**
   * A run snapshot is made by emptyRun (a literal) and copied per batch (cloneRun): when the copy's fields came in
   * another order than a fresh run's, V8 gave the two a hidden class each and the fold's optimised code was thrown
   * away and made again on every cold read. Same keys in the same order is what gives one hidden class.
   */
  test('a copy per batch has the hidden class of a fresh run, and keeps the optional ones it has', () => {
    const fresh = emptyRun();
    // V8's own answer (natives syntax, allowed for the code compiled after the flag is set).
    setFlagsFromString('--allow-natives-syntax');
    const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
    expect(sameMap(cloneRun(fresh), fresh)).toBe(true);
    expect(sameMap(cloneRun(cloneRun(fresh)), fresh)).toBe(true);
    expect(Object.keys(cloneRun(fresh))).toEqual(Object.keys(fresh));
    let runs = applyLines(empty, [{ kind: 'start', at: T0, title: 'Backfill' }]);
    runs = applyLines(runs, outcomes(0, 10, 3));
    expect(Object.keys(runs.current!)).toEqual(Object.keys(fresh));
    expect(sameMap(runs.current!, fresh)).toBe(true);
    expect(sameMap(seededRun({ startedAt: T0, total: 3, workers: 2, timeoutSec: 60 }), fresh)).toBe(true);
    const full: RunState = { ...fresh, dryRun: true, beganMidway: true, deadStart: true, foreignStart: true, endRatePerMin: 4.5, tasks: [] };
    const copy = cloneRun(full);
    expect(copy).toEqual(full);
    expect(Object.keys(copy)).toEqual(Object.keys(full));
    // A field the copy does not name is still copied (as a spread would).
    const odd = { ...fresh, later: 1 } as RunState;
    expect((cloneRun(odd) as RunState & { later?: number }).later).toBe(1);
    expect(Object.keys(archiveRun(runs.current!, 2))).toEqual([...Object.keys(fresh), 'endRatePerMin']);
  });
});
