import { afterEach, describe, expect, test } from 'vitest';
import type { ParsedBatch } from '../src/log-line.js';
import { compileGrammar, LogClock, parseChunk } from '../src/parser/index.js';
import { hotRunLinesRead, setHotRun } from '../src/parser/hot-run.js';
// The simulator's seeded generator: the same seed gives the same log.
import { mulberry32 } from '../src/sim/random.js';

// The run reader (src/parser/hot-run.ts) reads the usual outcome lines in one loop and leaves every other line to
// hotLine and the general path. Whatever the log holds, every batch must be the same byte for byte with it as
// without it: the same records in the same order, the same key hashes, key bytes and times, the same lines counted
// and the same newest time. The logs here are generated from a seed, mixing the usual lines with every damage we
// know: other spacings and emoji forms, keys of every length, kind and ending, error texts that are not `HTTP nnn`
// alone, CRLF and \r progress text, NULs, bytes that are not UTF-8, doubled and cut lines, minutes that change,
// the night clocks fall back, and chunk ends anywhere; and Progress lines (read in the run too: hot-progress.ts) of the
// usual shape among the usual lines, and of every other shape and with every count damaged among the odd ones.

afterEach(() => setHotRun(true));

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** A generated log: mostly the usual lines, one in `damage` some other shape. */
function generatedLog(seed: number, lines: number, damage: number, zone: 'UTC' | 'America/New_York'): Buffer {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  // Wall-clock times: one a second or so; in New York the night of 2025-11-02, whose 01:xx hour comes twice.
  let t = zone === 'UTC' ? Date.UTC(2025, 10, 26, 8, 0, 0) : Date.UTC(2025, 10, 2, 4, 40, 0);
  const wall = (ms: number): string => {
    const d = new Date(zone === 'UTC' ? ms : ms - (ms < Date.UTC(2025, 10, 2, 6) ? 4 : 5) * 3600_000);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)},${pad(d.getUTCMilliseconds(), 3)}`;
  };
  let id = 22100000;
  const keys = [
    () => `00${id++}`,
    () => `2021-${pad(1 + (id++ % 12), 2)}-${pad(1 + (id % 28), 2)}`,
    () => String(id++),
    () => `${id++}${id}`.slice(0, 16),
    () => `k${id++}`,
    () => `after${id++}`,
    () => `s${id++}`,
    () => 'x'.repeat(pick([199, 200, 201])),
    () => `player_${id++}:`,
    () => `00${id++}:`,
    () => `00${id++}::`,
    () => `00${id++}0`,
    () => `a${id++}::`,
    () => `key\t${id++}`,
    () => `clé${id++}`,
    () => `:`,
  ];
  const usual = (at: string) => {
    const key = `00${id++}`;
    return pick([
      () => `${at} - INFO -   ✅ Scraped ${key} (2021-10-${pad(10 + (id % 20), 2)})\n`,
      () => `${at} - INFO -   ✅ Scraped ${key} (2021-10-${pad(10 + (id % 20), 2)})\n`,
      () => `${at} - INFO -   ✅ Scraped ${key} (2021-10-${pad(10 + (id % 20), 2)})\n`,
      () => `${at} - WARNING -   ❌ Failed ${key}: HTTP ${pick(['500', '502', '404', '000', '999'])}\n`,
      () => `${at} - WARNING -   ❌ Timeout scraping ${key}\n`,
      () => `${at} - INFO - 📊 Progress: ${id % 5000}/5000 (${(id % 1000) / 10}%) | ✅ ${id % 4000} | ⏭️ ${id % 3} | ❌ ${id % 600} | ETA: ${id % 90}min\n`,
    ])();
  };
  /** A Progress line of another shape than the usual, or with its counts damaged. */
  const progress = (at: string): string | Buffer => {
    const n = () => pick(['0', '7', '42', '123456789012345', '1234567890123456', '', ' 5', '\t5', '5a', '05']);
    const counts = pick([
      () => ` (5.0%) | ✅ ${n()} | ⏭️ ${n()} | ❌ ${n()} | ETA: 3min`,
      () => ` (5.0%) | ❌ ${n()} | ✅ ${n()} | ⏭ ${n()}`,
      () => ` | ✅️ ${n()} | ✅ ${n()} | ⏭️  ${n()} | ❌️${n()} | ❌ ${n()}`,
      () => ` ✅`,
      () => ` (✅ 5%) | ETA ❌`,
      () => '',
      () => ` | ✅ 3 | ⏭️ 0 | ❌ 1 | ETA: 3min ${pick(['  ', '\t', ' \t '])}`,
      () => ` | ✅ 3${pick(['\r', '\0', ' \u00e9', ' \u2705 9'])} | ❌ 4`,
    ])();
    const head = pick(['📊 Progress: ', '📊 Progress: ', '📊 Progress:  ', '📊 Progress:', '📊  Progress: ', '📊️ Progress: ', 'Progress: ', '📊 Progress: 5.0% (']);
    const ratio = pick(['3/4', '3/4', '50/1081081', '0/0', '1234567890123456/2', '3/', '/4', '3 /4', '3/4)', 'x/4']);
    const text = `${at} - ${pick(['INFO', 'INFO', 'INFO', 'WARNING', 'DEBUG'])} - ${head}${ratio}${counts}${pick(['\n', '\n', '\r\n', ' \n', '\t\n', '\r', ''])}`;
    return rnd() < 0.1 ? Buffer.concat([Buffer.from(text.slice(0, -1)), Buffer.from([0xff, 0x0a])]) : text;
  };
  const odd = (at: string): string | Buffer => {
    const key = pick(keys)();
    const level = pick(['INFO', 'WARNING', 'ERROR', 'DEBUG', 'WARN', 'CRITICAL']);
    const end = pick(['\n', '\n', '\r\n', ' \n', '\t\n', '\r', '']);
    return pick<() => string | Buffer>([
      () => `${at} - ${level} -   ✅ Scraped ${key}${pick(['', ' (2021-10-19)', ' (2021-10-19', ' done', '  ', ' (2021-10-1\n9)', ' (2021-10-1\n)', ' (2021-10-\n9)', ' (2021-1\n-19)', ' (\n021-10-19)'])}${end}`,
      () => `${at} - ${level} -   ❌ Failed ${key}${pick([': HTTP 500', ':  HTTP 500', ': HTTP 5000', ': HTTP 50', ': HTTP 500 Internal Server Error', ': http 500', ': HTTP 5a0', ': Read timed out.', ':', ' HTTP 500', ''])}${end}`,
      () => `${at} - ${level} -   ❌ Timeout scraping ${key}${pick(['', ' after 180s', ':', '  '])}${end}`,
      () => `${at} - ${level} -   ❌ Timeout ${key}${end}`,
      () => `${at} - ${level} - ${pick(['', ' ', '   ', '    '])}${pick(['✅', '✅️', '❌', '❌️', '⏭️', '⏱️'])}${pick(['', ' ', '  '])}${pick(['Scraped', 'Failed', 'Timeout scraping', 'Skipped', 'Error', 'Scraped  ', 'Failed after 3 attempts:'])} ${key}${pick([': HTTP 500', ' (2021-10-19)', ''])}${end}`,
      () => `${at} - INFO -   ✅ Scraped successfully (attempt 2)${end}`,
      () => `${at} - WARNING -   ❌ Failed after 5 attempts: HTTP 503${end}`,
      () => `${at} - INFO - 📊 Progress: ${id % 1000}/1000 (5.0%) | ✅ ${id % 50} | ⏭️ 0 | ❌ ${id % 7} | ETA: 3min${end}`,
      () => `${at.slice(0, 19)} - INFO -   ✅ Scraped ${key}${end}`,
      () => `${at.replace(',', '.')} - INFO -   ✅ Scraped ${key}${end}`,
      () => `\0\0\0${at} - INFO -   ✅ Scraped ${key}\n`,
      () => Buffer.concat([Buffer.from(`${at} - INFO -   ✅ Scraped 00${id++}`), Buffer.from([0xff, 0xfe, 0x0a])]),
      () => Buffer.concat([Buffer.from(`${at} - WARNING -   ❌ Failed 00${id++}: HTTP 500`), Buffer.from([0xc3, 0x0a])]),
      () => Buffer.concat([Buffer.from(`${at} - INFO -   `), Buffer.from([0xe2, 0x9c]), Buffer.from(` Scraped 00${id++}\n`)]),
      () => `Progress text\r${at} - INFO -   ✅ Scraped ${key}\n`,
      () => `${at} - INFO -   ✅ Scraped 00${id++}${pick(['\r', '\r\n', ' (2021-10-19)\r\n', '\rProgress 3/4\n', '\t(2021-10-19)\n', '\0\n'])}`,
      () => `${at} - WARNING -   ❌ ${pick(['Failed', 'Timeout scraping'])} 00${id++}${pick([': HTTP 500\r\n', '\r\n', '\r', ':\r\n', ': HTTP 500\r', '\0\n'])}`,
      () => `${at} - INFO -   ✅ Scraped 00${id++} (2021-10-19)\n${at} - INFO -   ✅ Scraped 00${id - 1} (2021-10-19)\n`,
      () => `${at} - INFO -   ✅ Scra`,
      () => `Traceback (most recent call last):\n  File "x.py", line 3\nKeyError: 'boxscore'\n`,
      () => `${at} - INFO - ======================================================================\n`,
      () => `${at} - INFO -   ✅ Scraped 00${id++} (2021-10-19)`,
    ])();
  };
  const parts: (string | Buffer)[] = [];
  for (let i = 0; i < lines; i++) {
    t += Math.floor(rnd() * (zone === 'UTC' ? 2500 : 9000));
    const at = wall(t);
    parts.push(rnd() * damage < 1 ? (rnd() < 0.3 ? progress(at) : odd(at)) : usual(at));
  }
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

/** Everything a batch says, its keyed columns cut to what they hold (the rest of their arrays is room). */
function facts(batch: ParsedBatch) {
  const k = batch.keyed;
  const columns = k && {
    order: Array.from(k.order.subarray(0, k.size)),
    at: Array.from(k.at.subarray(0, k.count)),
    h1: Array.from(k.h1.subarray(0, k.count)),
    h2: Array.from(k.h2.subarray(0, k.count)),
    keyEnd: Array.from(k.keyEnd.subarray(0, k.count)),
    keyBytes: k.keyBytes.subarray(0, k.count === 0 ? 0 : k.keyEnd[k.count - 1]).toString('latin1'),
    failures: k.failures,
    errors: k.errors,
  };
  return { lines: batch.lines, lineCount: batch.lineCount, lastAt: batch.lastAt, tail: batch.tail, suspiciousKeys: batch.suspiciousKeys, columns };
}

/** The log read in chunks cut at line ends after `sizes` bytes (the worker's reads), with the run reader on or off. */
function readAll(log: Buffer, zone: string, sizes: () => number, on: boolean, tailLimit: number) {
  setHotRun(on);
  const grammar = compileGrammar(undefined, zone);
  const clock = new LogClock(zone);
  const out: ReturnType<typeof facts>[] = [];
  for (let p = 0; p < log.length; ) {
    const cut = log.lastIndexOf(10, Math.min(log.length, p + sizes()) - 1);
    const end = cut < p ? log.length : cut + 1;
    out.push(facts(parseChunk(log.subarray(p, end), grammar, tailLimit, clock, true)));
    p = end;
  }
  return out;
}

describe('the run reader against hotLine and the general path', () => {
  test.each([
    [1, 20_000, 3, 'UTC'],
    [2, 20_000, 12, 'UTC'],
    [3, 20_000, 60, 'UTC'],
    [4, 8_000, 2, 'America/New_York'],
    [5, 8_000, 25, 'America/New_York'],
    [6, 30_000, 400, 'UTC'],
  ] as const)('seed %i: %i lines, one in %i damaged, %s: every batch the same', (seed, lines, damage, zone) => {
    const log = generatedLog(seed, lines, damage, zone);
    // Read sizes, each a fresh sequence per read (both reads cut the log at the same places).
    const ways: [string, () => () => number][] = [
      ['1 MiB', () => () => 1 << 20],
      ['4,099 B', () => () => 4099],
      [
        'random',
        () => {
          const r = mulberry32(seed * 7);
          return () => 1 + Math.floor(r() * 30_000);
        },
      ],
    ];
    for (const [name, sizes] of ways) {
      for (const tailLimit of [0, 50]) {
        const on = readAll(log, zone, sizes(), true, tailLimit);
        const off = readAll(log, zone, sizes(), false, tailLimit);
        expect(on.length, `${name} ${tailLimit}`).toBe(off.length);
        for (let i = 0; i < on.length; i++) expect(on[i], `${name} tail ${tailLimit} batch ${i}`).toEqual(off[i]);
      }
    }
  });

  test('the usual lines are read by it (the comparison above is not of two equal paths that never ran)', () => {
    const log = generatedLog(9, 5_000, 1e9, 'UTC');
    const grammar = compileGrammar(undefined, 'UTC');
    setHotRun(true);
    const before = hotRunLinesRead();
    const batch = parseChunk(log, grammar, 0, new LogClock('UTC'), true);
    // Outcome lines and the Progress lines among them.
    const progress = batch.lines.filter((l) => l.kind === 'progress').length;
    expect(progress).toBeGreaterThan(500);
    expect(batch.keyed!.count + progress).toBe(5_000);
    // All but the chunk's last line or two (within HOT_ROOM of its end: hotLine's), new minutes too.
    expect(hotRunLinesRead() - before).toBeGreaterThan(4_990);
    setHotRun(false);
    const off = hotRunLinesRead();
    parseChunk(log, grammar, 0, new LogClock('UTC'), true);
    expect(hotRunLinesRead()).toBe(off);
  });
});
