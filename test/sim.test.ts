import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { generateGameDates, simMain, writeSyntheticLog } from '../src/sim/index.js';
import { parseKeyList } from '../src/sim/keys.js';
import { asctime, isoformat, pyFixed } from '../src/sim/python-format.js';

const START = new Date(2025, 10, 26, 23, 17, 10, 0).getTime(); // TZ is pinned to UTC by vitest.config.ts
const RECORD = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) - (INFO|WARNING|ERROR) - (.*)$/;
const OUTCOME = /^ {2}(✅ Scraped|❌ Failed|❌ Timeout|❌ Error) (\d{4}-\d\d-\d\d)|^Exception processing (\d{4}-\d\d-\d\d)/;

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'sim-test-'));

/** Runs the sim in-process on an instant fake clock: sleeping only moves now() forward. */
async function runSim(args: string[], opts: { cwd?: string; signal?: AbortSignal; onLine?: (line: string) => void } = {}) {
  const cwd = opts.cwd ?? tempDir();
  let t = START;
  let slept = 0;
  let log = '';
  const code = await simMain(args, {
    now: () => t,
    sleep: async (ms) => {
      t += ms;
      slept += ms;
    },
    write: (text) => {
      log += text;
      opts.onLine?.(text);
    },
    cwd,
    signal: opts.signal,
  });
  const lines = log.split('\n').slice(0, -1);
  const messages = lines.map((l) => RECORD.exec(l)?.[3] ?? l);
  return { code, log, lines, messages, cwd, slept };
}

/** A CSV of the first `n` generated dates, written into `dir`. */
function csvOf(dir: string, keys: string[], header = false): string {
  const file = join(dir, 'dates.csv');
  writeFileSync(file, (header ? 'game_date,season\n' : '') + keys.map((k) => (header ? `${k},x` : k)).join('\n') + '\n');
  return file;
}

const dates = generateGameDates({ seasons: [2021, 2022, 2023, 2024], seed: 1 });
const noFailures = ['--fail-rate=0', '--playoff-fail-rate=0', '--timeout-rate=0', '--exception-rate=0'];
const outcomes = (messages: string[]) => messages.filter((m) => OUTCOME.test(m));
const keyOf = (m: string) => OUTCOME.exec(m)!.slice(2).find(Boolean)!;
const summary = (messages: string[], name: string) => Number(messages.find((m) => m.startsWith(name))!.split(': ')[1].split(' ')[0]);

describe('simMain log shape', () => {
  test('workers=1: init, banner, Loaded, then Processing before each key, then the summary', async () => {
    const dir = tempDir();
    const { code, lines, messages } = await runSim(['--csv', csvOf(dir, dates.slice(0, 3)), ...noFailures], { cwd: dir });
    expect(code).toBe(0);
    for (const line of lines) expect(line).toMatch(RECORD);
    expect(lines[0]).toBe('2025-11-26 23:17:10,000 - INFO - NBA.com Player Boxscore Scraper Backfill (v2) initialized');
    expect(messages).toEqual([
      'NBA.com Player Boxscore Scraper Backfill (v2) initialized',
      '  Scraper service: https://scrapers.sim.invalid',
      '  GCS bucket: nba-scraped-data',
      '  Workers: 1',
      '  Timeout: 60s',
      '='.repeat(70),
      'NBA.com Player Boxscore Scraper Backfill (v2)',
      'Workers: 1 | Timeout: 60s',
      '='.repeat(70),
      `Loaded 3 dates from ${join(dir, 'dates.csv')}`,
      '[1/3] Processing 2021-10-19',
      '  ✅ Scraped 2021-10-19',
      '[2/3] Processing 2021-10-20',
      '  ✅ Scraped 2021-10-20',
      '[3/3] Processing 2021-10-21',
      '  ✅ Scraped 2021-10-21',
      '='.repeat(70),
      'BACKFILL COMPLETE',
      'Total dates: 3',
      '✅ Processed: 3',
      '⏭️  Skipped: 0',
      '❌ Failed: 0',
      expect.stringMatching(/^Time: \d+\.\d minutes$/),
      expect.stringMatching(/^Rate: \d+\.\d dates\/min$/),
      '='.repeat(70),
    ]);
  });

  test('workers=6: every key Queued first, then one outcome per key, timestamps never go back', async () => {
    const { lines, messages } = await runSim(['--workers=6', '--timeout=180', '--limit=300']);
    const queued = messages.filter((m) => m.includes('] Queued '));
    expect(queued).toHaveLength(300);
    const first = messages.indexOf(queued[0]);
    expect(messages[first - 1]).toBe('Loaded 300 dates from generated game dates (seasons 2021-2024, seed 1)');
    expect(messages.slice(first, first + 300)).toEqual(queued);
    expect(queued[0]).toBe('[1/300] Queued 2021-10-19');
    expect(messages.some((m) => m.includes('Processing'))).toBe(false);
    expect(outcomes(messages).map(keyOf).sort()).toEqual(dates.slice(0, 300));
    const stamps = lines.map((l) => RECORD.exec(l)![1]);
    expect([...stamps].sort()).toEqual(stamps);
    // Workers overlap: completions do not come back in queue order.
    expect(outcomes(messages).map(keyOf)).not.toEqual(dates.slice(0, 300));
  });

  test('Progress exactly when a scraped/failed key makes done a multiple of 50, counts consistent', async () => {
    const { messages } = await runSim(['--workers=4', '--timeout=120']);
    let scraped = 0;
    let failed = 0;
    let progressLines = 0;
    messages.forEach((m, i) => {
      if (!OUTCOME.test(m)) return;
      if (m.startsWith('  ✅')) scraped++;
      else failed++;
      const progress = /^📊 Progress: (\d+)\/(\d+) \((\d+\.\d)%\) \| ✅ (\d+) \| ⏭️ (\d+) \| ❌ (\d+) \| ETA: (\d+)min$/.exec(messages[i + 1]);
      const crash = m.startsWith('Exception');
      expect(progress !== null).toBe(!crash && (scraped + failed) % 50 === 0);
      if (!progress) return;
      progressLines++;
      const [done, total, pct, s, k, f] = progress.slice(1).map(Number);
      expect([done, s, k, f]).toEqual([scraped + failed, scraped, 0, failed]);
      expect(total).toBe(dates.length);
      expect(pct).toBeCloseTo((done / total) * 100, 1);
    });
    expect(messages.filter((m) => m.startsWith('📊'))).toHaveLength(progressLines);
    expect(progressLines).toBeGreaterThanOrEqual(Math.floor(dates.length / 50) - 1);
    expect(summary(messages, '✅ Processed') + summary(messages, '❌ Failed')).toBe(dates.length);
    expect(summary(messages, '✅ Processed')).toBe(scraped);
  });
});

describe('simMain resume, failures and files', () => {
  test('keys already in storage are skipped silently but counted in Progress and the summary', async () => {
    const dir = tempDir();
    const keys = dates.slice(0, 120);
    const present = keys.filter((_, i) => i % 3 === 0);
    for (const key of present) {
      mkdirSync(join(dir, 'sim-storage', key), { recursive: true });
      writeFileSync(join(dir, 'sim-storage', key, 'old.json'), '{}');
    }
    mkdirSync(join(dir, 'sim-storage', keys[1])); // an empty folder holds no object: not a skip
    const { messages } = await runSim(['--csv', csvOf(dir, keys), '--workers=3'], { cwd: dir });
    const seen = outcomes(messages).map(keyOf);
    expect(seen.filter((k) => present.includes(k))).toEqual([]);
    expect(seen.sort()).toEqual(keys.filter((k) => !present.includes(k)));
    expect(summary(messages, '⏭️  Skipped')).toBe(40);
    expect(summary(messages, '✅ Processed') + summary(messages, '❌ Failed')).toBe(80);
    const progress = messages.filter((m) => m.startsWith('📊'));
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress) {
      const [done, s, k, f] = /(\d+)\/120.*✅ (\d+) \| ⏭️ (\d+) \| ❌ (\d+)/.exec(p)!.slice(1).map(Number);
      expect(done % 50).toBe(0);
      expect(s + k + f).toBe(done);
      expect(k).toBeGreaterThan(0);
    }
    for (const key of present) expect(readdirSync(join(dir, 'sim-storage', key))).toEqual(['old.json']);
  });

  test('failures concentrate in April-June', async () => {
    const { messages } = await runSim(['--workers=6', '--timeout=180']);
    const failedKeys = outcomes(messages).filter((m) => !m.startsWith('  ✅')).map(keyOf);
    const inFailMonths = (k: string) => ['04', '05', '06'].includes(k.slice(5, 7));
    const rate = (pick: (k: string) => boolean) => failedKeys.filter(pick).length / dates.filter(pick).length;
    expect(rate(inFailMonths)).toBeGreaterThan(0.6);
    expect(rate((k) => !inFailMonths(k))).toBeLessThan(0.15);
    expect(failedKeys.filter(inFailMonths).length / failedKeys.length).toBeGreaterThan(0.6);
  });

  test('failed_dates file: named after the run start, reference shape, path logged', async () => {
    const dir = tempDir();
    const { messages, log } = await runSim(['--workers=6', '--timeout=180', '--failed-dir', 'out'], { cwd: dir });
    const file = join(dir, 'out', 'failed_dates_20251126_231710.json');
    expect(messages.at(-1)).toBe(`💾 Failed dates saved to: ${file}`);
    expect(isAbsolute(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    const body = JSON.parse(text);
    expect(Object.keys(body)).toEqual(['timestamp', 'total_failed', 'failed_dates']);
    const lastStamp = RECORD.exec(log.trimEnd().split('\n').at(-1)!)![1];
    expect(body.timestamp).toBe(lastStamp.replace(' ', 'T').replace(',', '.') + '000');
    expect(body.total_failed).toBe(summary(messages, '❌ Failed'));
    expect(text).toContain('\n  "failed_dates": [\n    {\n      "game_date": ');
    const failedLines = outcomes(messages).filter((m) => !m.startsWith('  ✅'));
    expect(body.failed_dates.map((e: { game_date: string }) => e.game_date)).toEqual(failedLines.map(keyOf));
    for (const [i, e] of body.failed_dates.entries()) {
      expect(Object.keys(e)).toEqual(['game_date', 'status', 'error']);
      const line = failedLines[i];
      if (line.startsWith('  ❌ Failed')) expect([e.status, e.error]).toEqual(['failed', 'HTTP 500']);
      else if (line.startsWith('  ❌ Timeout')) expect([e.status, e.error]).toEqual(['timeout', 'Timeout after 180s']);
      else if (line.startsWith('  ❌ Error')) expect(line).toBe(`  ❌ Error ${e.game_date}: ${e.error}`);
      else expect([line, e.status]).toEqual([`Exception processing ${e.game_date}: ${e.error}`, 'exception']);
    }
  });

  test('a run without failures writes no failed file', async () => {
    const dir = tempDir();
    const { messages } = await runSim(['--limit=20', ...noFailures], { cwd: dir });
    expect(messages.some((m) => m.includes('💾'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['sim-storage']);
  });

  test('storage gets one <timestamp>.json per scraped key and nothing else', async () => {
    const dir = tempDir();
    const { messages } = await runSim(['--workers=6', '--limit=200', '--storage=store'], { cwd: dir });
    const scraped = outcomes(messages).filter((m) => m.startsWith('  ✅')).map(keyOf);
    expect(readdirSync(join(dir, 'store')).sort()).toEqual([...scraped].sort());
    for (const key of scraped) {
      const files = readdirSync(join(dir, 'store', key));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^\d{8}_\d{6}\.json$/);
      expect(JSON.parse(readFileSync(join(dir, 'store', key, files[0]), 'utf8')).gamedate).toBe(key.replace(/-/g, ''));
    }
  });

  test('--dry-run lists sample keys and touches nothing', async () => {
    const dir = tempDir();
    const { code, messages } = await runSim(['--dry-run', '--season', '2023'], { cwd: dir });
    expect(code).toBe(0);
    expect(messages).toContain('DRY RUN MODE - no scraping will be performed');
    expect(messages.filter((m) => /^ {2}\d+\. 2023-1\d-\d\d$/.test(m))).toHaveLength(10);
    expect(messages.at(-1)).toBe('DRY RUN complete. Use without --dry-run to execute.');
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('simMain inputs and control', () => {
  test('same seed and clock give a byte-identical log; another seed does not', async () => {
    const failedDir = tempDir();
    const args = ['--workers=6', '--timeout=180', '--seed=7', `--failed-dir=${failedDir}`];
    const a = await runSim(args);
    const b = await runSim(args);
    const c = await runSim([...args, '--seed=8']);
    expect(a.log).toBe(b.log);
    expect(c.log).not.toBe(a.log);
  });

  test('CSV header, --start-date, --season, --limit filter like the script; both flag spellings work', async () => {
    expect(parseKeyList('game_id,game_date\n0022100001,2021-10-19\n\n0022100002,2021-10-19\n')).toEqual(['0022100001', '0022100002']);
    expect(parseKeyList('2021-10-19\r\n2021-10-20\r\n')).toEqual(['2021-10-19', '2021-10-20']);
    const dir = tempDir();
    const csv = csvOf(dir, dates, true);
    const args = ['--csv', csv, '--start-date', '2022-01-01', '--season', '2022', '--limit', '5', '--dry-run'];
    const spaced = await runSim(args, { cwd: dir });
    const joined = await runSim(['--csv=' + csv, '--start-date=2022-01-01', '--season=2022', '--limit=5', '--dry-run'], { cwd: dir });
    expect(spaced.log).toBe(joined.log);
    expect(spaced.messages).toContain('  Limit: 5 dates');
    expect(spaced.messages).toContain('  Season filter: 2022');
    expect(spaced.messages).toContain(`Loaded 5 dates from ${csv}`);
    expect(spaced.messages).toContain('  1. 2022-10-18');
  });

  test('bad flags exit 2, a missing --csv exits 1 like the Python traceback', async () => {
    for (const bad of [['--workers=0'], ['--nope'], ['--timeout'], ['--fail-rate=2'], ['--fail-months=13']]) {
      const { code, log } = await runSim(bad);
      expect(code).toBe(2);
      expect(log).toContain('backfill-tui sim: error: ');
    }
    const missing = await runSim(['--csv=none.csv']);
    expect(missing.code).toBe(1);
    expect(missing.lines.at(-1)).toBe("FileNotFoundError: [Errno 2] No such file or directory: 'none.csv'");
  });

  test('an abort stops taking keys: no summary, no failed file, exit 130 (SIGINT) or 143 (SIGTERM)', async () => {
    for (const [reason, exit] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const stop = new AbortController();
      let seen = 0;
      const dir = tempDir();
      const run = await runSim(['--workers=6'], {
        cwd: dir,
        signal: stop.signal,
        onLine: (line) => {
          if (OUTCOME.test(RECORD.exec(line.trimEnd())![3]) && ++seen === 20) stop.abort(reason);
        },
      });
      expect(run.code).toBe(exit);
      expect(run.messages.at(-1)).toBe(`Interrupted by signal ${reason}`);
      expect(outcomes(run.messages)).toHaveLength(20);
      expect(run.messages.some((m) => m === 'BACKFILL COMPLETE' || m.startsWith('💾'))).toBe(false);
      expect(readdirSync(dir)).toEqual(['sim-storage']);
    }
  });

  test('--speed divides the waiting: 60 simulated seconds per real second', async () => {
    const slow = await runSim(['--limit=40', '--workers=2']);
    const fast = await runSim(['--limit=40', '--workers=2', '--speed=60']);
    expect(fast.slept).toBeCloseTo(slow.slept / 60, 0);
    expect(outcomes(fast.messages)).toEqual(outcomes(slow.messages));
  });
});

describe('simMain as a real process', () => {
  test('with default deps it owns SIGTERM until it ends, then removes its listeners', async () => {
    const dir = tempDir();
    let sawOutcome!: () => void;
    const outcome = new Promise<void>((resolve) => (sawOutcome = resolve));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      if (String(chunk).includes('✅ Scraped')) sawOutcome();
      return true;
    });
    try {
      const before = process.listenerCount('SIGTERM');
      const running = simMain(['--speed=5000', '--limit=400', `--storage=${join(dir, 's')}`, `--failed-dir=${dir}`]);
      expect(process.listenerCount('SIGTERM')).toBe(before + 1);
      await outcome;
      process.emit('SIGTERM', 'SIGTERM');
      expect(await running).toBe(143);
      expect(process.listenerCount('SIGTERM')).toBe(before);
      expect(process.listenerCount('SIGINT')).toBe(0);
      const written = stderr.mock.calls.map((c) => String(c[0]));
      expect(written.every((w) => w.endsWith('\n') && w.indexOf('\n') === w.length - 1)).toBe(true);
      expect(written.at(-1)).toMatch(/ - WARNING - Interrupted by signal SIGTERM\n$/);
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('generateGameDates', () => {
  test('~210 real calendar dates a season, Oct..Jun, sorted, unique, stable per seed', () => {
    for (const seed of [1, 2, 3, 42]) {
      const all = generateGameDates({ seasons: [2021, 2022, 2023, 2024], seed });
      expect(all.length).toBeGreaterThan(820);
      expect(all.length).toBeLessThan(880);
      expect([...new Set(all)].sort()).toEqual(all);
      for (const d of all) {
        expect(new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10)).toBe(d);
        expect([10, 11, 12, 1, 2, 3, 4, 5, 6]).toContain(Number(d.slice(5, 7)));
      }
      for (const year of [2021, 2022, 2023, 2024]) {
        const season = all.filter((d) => d >= `${year}-08-01` && d < `${year + 1}-08-01`);
        expect(season.length).toBeGreaterThanOrEqual(195);
        expect(season.length).toBeLessThanOrEqual(225);
        expect(season).not.toContain(`${year}-12-24`);
        const playoffs = season.filter((d) => d >= `${year + 1}-04-20`);
        expect(playoffs.length).toBeLessThan(50); // fewer dates than the ~70 days they span
      }
      expect(generateGameDates({ seasons: [2021, 2022, 2023, 2024], seed })).toEqual(all);
    }
    expect(generateGameDates({ seasons: [2021], seed: 1 })).not.toEqual(generateGameDates({ seasons: [2021], seed: 2 }));
  });
});

describe('writeSyntheticLog', () => {
  test('writes the requested size in reference format, and its counts match the file', async () => {
    const dir = tempDir();
    const file = join(dir, 'big.log');
    const bytes = 3_000_000;
    const counts = await writeSyntheticLog(file, { bytes, seed: 3, keysPerRun: 500, workers: 6 });
    const size = statSync(file).size;
    expect(size).toBeGreaterThanOrEqual(bytes);
    expect(size).toBeLessThan(bytes + 500);
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n').slice(0, -1);
    expect(text.endsWith('\n')).toBe(true);
    expect(counts.lines).toBe(lines.length);
    expect(counts.scraped).toBe(lines.filter((l) => l.includes(' - INFO -   ✅ Scraped ')).length);
    expect(counts.failed).toBe(lines.filter((l) => /  ❌ (Failed|Timeout|Error) | - ERROR - Exception processing /.test(l)).length);
    expect(counts.runs).toBe(lines.filter((l) => l.endsWith('Backfill (v2) initialized')).length);
    expect(counts.runs).toBeGreaterThan(3);
    expect(counts.scraped).toBeGreaterThan(counts.failed);
    for (const line of lines) expect(line).toMatch(RECORD);
    expect(lines.filter((l) => l.includes('BACKFILL COMPLETE')).length).toBeGreaterThanOrEqual(counts.runs - 1);
    expect(lines.some((l) => /⏭️ [1-9]/.test(l))).toBe(true); // resume runs skip what the run before scraped
    const again = join(dir, 'again.log');
    expect(await writeSyntheticLog(again, { bytes, seed: 3, keysPerRun: 500, workers: 6 })).toEqual(counts);
    expect(readFileSync(again, 'utf8')).toBe(text);
  });
});

describe('Python formats', () => {
  test.each([
    [2.5, 0, '2'],
    [3.5, 0, '4'],
    [0.125, 2, '0.12'],
    [0.375, 2, '0.38'],
    [0.25, 1, '0.2'],
    [0.15, 1, '0.1'],
    [12.345, 1, '12.3'],
    [99.95, 1, '100.0'],
    [7.46, 1, '7.5'],
    [0, 0, '0'],
  ])('pyFixed(%d, %d) = %s', (x, digits, want) => {
    expect(pyFixed(x, digits)).toBe(want);
  });

  test('asctime and isoformat in local time, isoformat drops a zero fraction', () => {
    expect(asctime(START + 345)).toBe('2025-11-26 23:17:10,345');
    expect(isoformat(START + 94)).toBe('2025-11-26T23:17:10.094000');
    expect(isoformat(START)).toBe('2025-11-26T23:17:10');
  });
});
