import { expect, test } from 'vitest';
import type { LogLine } from '../src/log-line.js';
import { applyLines, type LogRuns } from '../src/state/apply-lines.js';
import { KeyLedger, hash64, numberOfBytes, numberOfKey } from '../src/state/key-ledger.js';
import { compileGrammar, LogClock, parseChunk } from '../src/parser/index.js';
import { runFacts } from '../src/state/run.js';
import { logLine, T0 } from './support/log-text.js';

/** Looks `key` up as the fold does for a keyed record: its ASCII bytes and their hash, no string. */
function findBytes(ledger: KeyLedger, key: string): number {
  const [h1, h2] = hash64(key);
  const b = Buffer.from(`x${key}y`, 'latin1');
  return ledger.findBytes(b, 1, 1 + key.length, h1, h2, new DataView(b.buffer, b.byteOffset, b.length));
}

/** `findBytes` of a keyed record whose numbered key the parser left unhashed (lanes 0:0: parser/keyed-lines.ts). */
function findUnhashed(ledger: KeyLedger, key: string): number {
  const b = Buffer.from(`x${key}y`, 'latin1');
  return ledger.findBytes(b, 1, 1 + key.length, 0, 0, new DataView(b.buffer, b.byteOffset, b.length));
}

test('numbered keys of different widths are different keys, whichever way they are looked up', () => {
  const ledger = new KeyLedger();
  const keys = ['0022100001', '22100001', '022100001', '1', '01', '001', '0', '999999999999999', '0022100002', '4096', '4097', '8191', '8192'];
  keys.forEach((k, i) => {
    expect(ledger.find(k), k).toBe(0);
    ledger.set(1 + (i % 3) + 16 * (i % 7));
  });
  expect(ledger.size).toBe(keys.length);
  expect(ledger.denseKeys).toBe(keys.length);
  keys.forEach((k, i) => {
    const want = 1 + (i % 3) + 16 * (i % 7);
    expect([ledger.find(k), findBytes(ledger, k), ledger.peek(k)], k).toEqual([want, want, want]);
  });
  // Set through the bytes, read through the text.
  findBytes(ledger, '22100001');
  ledger.set(0x2b);
  expect(ledger.peek('22100001')).toBe(0x2b);
  expect(ledger.peek('0022100001')).toBe(1);
  expect(ledger.size).toBe(keys.length);
  expect([ledger.peek('22100003'), ledger.peek('0022100003')]).toEqual([0, 0]);
});

test('a key read from bytes is the number its text is, ten-byte keys (read without a loop) as every other length', () => {
  // Every byte next to the digits and far from them, at every place of a ten-byte key, and keys of every length.
  const near = [0x2f, 0x30, 0x35, 0x39, 0x3a, 0x00, 0x20, 0x80, 0xb0, 0xff];
  const keys: Buffer[] = [];
  for (let place = 0; place < 10; place++) for (const x of near) keys.push(Buffer.from(`0022100${place}${place}9`.slice(0, 10), 'latin1').fill(x, place, place + 1));
  for (const text of ['9999999999', '0000000000', '1234567890', '0022100001', '00221000011', '002210000', '1', '999999999999999', '2021-10-19']) keys.push(Buffer.from(text, 'latin1'));
  for (const key of keys) {
    const bytes = Buffer.concat([Buffer.from('x7'), key, Buffer.from('5')]);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    expect(numberOfBytes(bytes, 2, 2 + key.length, view), key.toString('latin1')).toBe(numberOfKey(key.toString('latin1')));
  }
  const nines = Buffer.from('9999999999');
  expect(numberOfBytes(nines, 0, 10, new DataView(nines.buffer, nines.byteOffset, 10))).toBe(9999999999);
});

test('keys that are not numbers of at most 15 digits live in the hash table, and all are found', () => {
  expect(['1000000000000000', '-1', '1.5', '１２', '', ' 12', '12 ', '2021-10-19', '0x10'].map(numberOfKey)).toEqual([-1, -1, -1, -1, -1, -1, -1, -1, -1]);
  expect(['0', '007', '999999999999999'].map(numberOfKey)).toEqual([0, 7, 999999999999999]);
  const ledger = new KeyLedger();
  const keys = ['1000000000000000', '2021-10-19', '0022100001 2021-10-19', '12 ', '0022100001'];
  keys.forEach((k, i) => {
    ledger.find(k);
    ledger.set(1 + i);
  });
  expect(ledger.denseKeys).toBe(1);
  expect(ledger.size).toBe(5);
  keys.forEach((k, i) => expect([ledger.find(k), findBytes(ledger, k), ledger.peek(k)], k).toEqual([1 + i, 1 + i, 1 + i]));
});

test('numbers spread thinly go to the hash table past the pages’ first MiB, a range once there stays there, and memory stays bounded', () => {
  const ledger = new KeyLedger();
  // One key per page of numbers: 256 pages fill the free MiB, the rest cannot pay for a page.
  const thin = Array.from({ length: 2_000 }, (_, i) => String(1_000_000_000 + i * 1_000_000));
  thin.forEach((k) => {
    ledger.find(k);
    ledger.set(1);
  });
  expect(ledger.denseKeys).toBeGreaterThanOrEqual(256);
  expect(ledger.denseKeys).toBeLessThan(300);
  expect([ledger.size, ledger.numbered]).toEqual([2_000, 2_000]);
  // Now many keys come in order in the range of a thin key that went to the hash table: they follow it there.
  const spilledBase = 1_000_000_000 + 1_500 * 1_000_000;
  const dense = Array.from({ length: 3_000 }, (_, i) => String(spilledBase + i));
  dense.forEach((k, i) => {
    const was = ledger.find(k);
    expect(was, k).toBe(i === 0 ? 1 : 0);
    ledger.set(i === 0 ? 1 : 2);
  });
  // And in a range never seen: pages again, once the keys held pay for them.
  const fresh = Array.from({ length: 20_000 }, (_, i) => String(5_000_000_000 + i));
  fresh.forEach((k) => {
    ledger.find(k);
    ledger.set(3);
  });
  expect(ledger.size).toBe(2_000 + 2_999 + 20_000);
  expect(thin.every((k) => ledger.peek(k) === 1)).toBe(true);
  expect(dense.every((k, i) => ledger.peek(k) === (i === 0 ? 1 : 2) && findBytes(ledger, k) === (i === 0 ? 1 : 2))).toBe(true);
  // Unhashed, as the parser sends numbered keys: the ones in the hash table are hashed from their bytes and found.
  expect(thin.every((k) => findUnhashed(ledger, k) === 1)).toBe(true);
  expect(dense.every((k, i) => findUnhashed(ledger, k) === (i === 0 ? 1 : 2))).toBe(true);
  // And set so: a key new to a range in the hash table goes in under its real hash (its text finds it).
  expect(findUnhashed(ledger, String(spilledBase + 3_000))).toBe(0);
  ledger.set(2);
  expect([ledger.peek(String(spilledBase + 3_000)), ledger.find(String(spilledBase + 3_000))]).toEqual([2, 2]);
  expect(fresh.every((k) => ledger.peek(k) === 3)).toBe(true);
  // The fresh range's first page may have gone to the hash table; the keys after it pay for their pages.
  expect(ledger.denseKeys).toBeGreaterThan(256 + 20_000 - 2 * 4096);
  // Pages never take more than their first MiB plus 16 bytes a numbered key held.
  expect(ledger.bytes() - hashBytes(ledger)).toBeLessThanOrEqual((1 << 20) + 16 * ledger.numbered);
});

test('a million keys numbered in order take about a byte each', () => {
  const ledger = new KeyLedger();
  for (let i = 0; i < 1_000_000; i++) {
    ledger.find(String(22100000 + i).padStart(10, '0'));
    ledger.set(1 + (i % 3));
  }
  expect(ledger.size).toBe(1_000_000);
  expect(ledger.bytes()).toBeLessThan(1.1 * 1_000_000);
  let wrong = 0;
  for (let i = 0; i < 1_000_000; i += 7) if (ledger.peek(String(22100000 + i).padStart(10, '0')) !== 1 + (i % 3)) wrong++;
  expect(wrong).toBe(0);
}, 30_000);

/** Bytes of the ledger's hash table (its slot arrays), from outside: what `bytes` adds beyond the pages. */
function hashBytes(ledger: KeyLedger): number {
  const slots = (ledger as unknown as { slots: (Int32Array | undefined)[] }).slots;
  return slots.reduce((n, a) => n + (a?.byteLength ?? 0), 0);
}

test('a run folded with numbered keys (in order, thin, several widths, repeated) counts as a map of keys would', () => {
  // The reference: the latest outcome of each key wins; a repeat of the same outcome is a duplicate line.
  let s = 11;
  const rnd = (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % n;
  };
  const keyOf = (i: number) => {
    const pick = i % 10;
    // In order (game ids), the same numbers one digit narrower, and thin numbers that go to the hash table.
    if (pick < 6) return String(22100000 + i).padStart(10, '0');
    if (pick < 8) return String(22100000 + i).padStart(9, '0');
    return String(1_000_000_000 + i * 7_919_000);
  };
  const lines: LogLine[] = [];
  const latest = new Map<string, 'succeeded' | 'failed' | 'skipped'>();
  let duplicates = 0;
  for (let n = 0; n < 60_000; n++) {
    const i = rnd(3) === 0 && n > 10 ? rnd(n) : n;
    const key = keyOf(i);
    const kind = (['succeeded', 'failed', 'skipped'] as const)[rnd(3)];
    if (latest.get(key) === kind) duplicates++;
    latest.set(key, kind);
    lines.push(kind === 'failed' ? { kind, at: T0 + n, key, failure: 'HTTP 500', error: `e${n}` } : { kind, at: T0 + n, key });
  }
  let runs: LogRuns = applyLines({ current: null, history: [] }, [{ kind: 'start', at: T0, title: 'Backfill' }]);
  for (let from = 0; from < lines.length; from += 5_000) runs = applyLines(runs, lines.slice(from, from + 5_000));
  const run = runs.current!;
  const count = (k: string) => [...latest.values()].filter((v) => v === k).length;
  expect({ succeeded: run.succeeded, failed: run.failed, skipped: run.skipped, duplicateLines: run.duplicateLines }).toEqual({
    succeeded: count('succeeded'),
    failed: count('failed'),
    skipped: count('skipped'),
    duplicateLines: duplicates,
  });
  expect(run.keys!.ledger.size).toBe(latest.size);
  // Both places were used: pages for the keys in order, the hash table for the thin ones.
  expect(run.keys!.ledger.denseKeys).toBeGreaterThan(0);
  expect(run.keys!.ledger.denseKeys).toBeLessThan(latest.size);
  const failedNow = new Set([...latest].filter(([, v]) => v === 'failed').map(([k]) => k));
  expect(new Set(run.failedKeys.keys())).toEqual(failedNow);
});

test('a run read from log text as keyed columns (numbered keys unhashed) folds as its LogLines do', () => {
  // Numbered keys in order, one digit narrower, thin (their ranges go to the hash table, where their hashes are
  // made from their bytes), and other keys; outcomes repeat and change, so failures are listed and unlisted.
  let s = 5;
  const rnd = (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % n;
  };
  const keyOf = (i: number) => {
    const pick = i % 10;
    if (pick < 5) return String(22100000 + i).padStart(10, '0');
    if (pick < 7) return String(22100000 + i).padStart(9, '0');
    if (pick < 9) return String(1_000_000_000 + i * 7_919_000);
    return `2021-10-${String(1 + (i % 28)).padStart(2, '0')}-${i}`;
  };
  const text: string[] = [logLine(T0, 'INFO', 'NBA.com Team Boxscore Scraper Backfill (v2) initialized')];
  for (let n = 0; n < 40_000; n++) {
    const key = keyOf(rnd(3) === 0 && n > 10 ? rnd(n) : n);
    const pick = rnd(4);
    const message = pick === 0 ? `❌ Failed ${key}: HTTP 500` : pick === 1 ? `❌ Timeout scraping ${key}` : pick === 2 ? `⏭️  Skipped ${key} (exists)` : `✅ Scraped ${key} (2021-10-19)`;
    text.push(logLine(T0 + 1000 + n, pick < 2 ? 'WARNING' : 'INFO', message));
  }
  const bytes = Buffer.from(`${text.join('\n')}\n`);
  const fold = (keyed: boolean) => {
    const grammar = compileGrammar(undefined, 'UTC');
    const clock = new LogClock('UTC');
    let runs: LogRuns = { current: null, history: [] };
    for (let p = 0; p < bytes.length; ) {
      const end = Math.min(bytes.length, bytes.lastIndexOf(10, Math.min(bytes.length, p + 65_536) - 1) + 1);
      const batch = parseChunk(bytes.subarray(p, end), grammar, 0, clock, keyed);
      runs = applyLines(runs, batch.lines, batch.keyed);
      p = end;
    }
    return runs.current!;
  };
  const [a, b] = [fold(false), fold(true)];
  expect(runFacts(b)).toEqual(runFacts(a));
  expect([...b.failedKeys]).toEqual([...a.failedKeys]);
  expect(b.keys!.ledger.denseKeys).toBeGreaterThan(0);
  expect(b.keys!.ledger.denseKeys).toBeLessThan(b.keys!.ledger.numbered);
  expect(b.failedKeys.size).toBeGreaterThan(1000);
}, 60_000);
