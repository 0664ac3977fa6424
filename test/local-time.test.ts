import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compileGrammar, LogClock, parseText } from '../src/parser/index.js';
import { applyLines } from '../src/state/apply-lines.js';
import { emptyRun } from '../src/state/run.js';
import { runFigures, runStatus } from '../src/state/run-view.js';
import { runCli } from './support/cli.js';
import { simulate } from './support/simulate.js';

// vitest pins TZ=UTC; every zone here is injected, never taken from the machine.
const dir = mkdtempSync(join(tmpdir(), 'local-time-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MIN = 60_000;

/** Epoch ms of each wall-clock time, read in order by one clock in `zone`. */
function readInOrder(zone: string, times: string[]): number[] {
  const text = times.map((t) => `${t},000 - INFO - [1/1] Queued 2021-10-31`).join('\n');
  return parseText(text, compileGrammar(undefined, zone)).lines.map((l) => l.at);
}

describe('the repeated hour is resolved by the order of the log', () => {
  test('America/New_York, fall back (2025-11-02): 01:59:59 EDT, then 01:00:00 EST one second later', () => {
    const at = readInOrder('America/New_York', ['2025-11-02 00:59:00', '2025-11-02 01:30:00', '2025-11-02 01:59:59', '2025-11-02 01:00:00', '2025-11-02 01:00:30', '2025-11-02 01:30:00', '2025-11-02 01:59:00', '2025-11-02 02:00:00']);
    expect(at.map((t) => new Date(t).toISOString())).toEqual([
      '2025-11-02T04:59:00.000Z',
      '2025-11-02T05:30:00.000Z',
      '2025-11-02T05:59:59.000Z',
      '2025-11-02T06:00:00.000Z',
      '2025-11-02T06:00:30.000Z',
      '2025-11-02T06:30:00.000Z',
      '2025-11-02T06:59:00.000Z',
      '2025-11-02T07:00:00.000Z',
    ]);
  });

  test('Europe/Berlin, fall back (2025-10-26): 02:59:59 CEST, then 02:00:00 CET', () => {
    const at = readInOrder('Europe/Berlin', ['2025-10-26 02:10:00', '2025-10-26 02:59:59', '2025-10-26 02:00:00', '2025-10-26 03:00:00']);
    expect(at.map((t) => new Date(t).toISOString())).toEqual(['2025-10-26T00:10:00.000Z', '2025-10-26T00:59:59.000Z', '2025-10-26T01:00:00.000Z', '2025-10-26T02:00:00.000Z']);
  });

  test('Europe/Berlin and New York, spring forward: the missing hour is one second', () => {
    const [b1, b2] = readInOrder('Europe/Berlin', ['2025-03-30 01:59:59', '2025-03-30 03:00:00']);
    expect(new Date(b1).toISOString()).toBe('2025-03-30T00:59:59.000Z');
    expect(b2 - b1).toBe(1000);
    const [n1, n2] = readInOrder('America/New_York', ['2025-03-09 01:59:59', '2025-03-09 03:00:00']);
    expect(new Date(n1).toISOString()).toBe('2025-03-09T06:59:59.000Z');
    expect(n2 - n1).toBe(1000);
  });

  test('lines a few seconds out of order (worker threads) stay in their hour; the order carries over chunks', () => {
    const clock = new LogClock('America/New_York');
    const first = clock.minute(2025, 11, 2, 1, 59);
    expect(clock.minute(2025, 11, 2, 1, 58)).toBe(first - MIN); // a thread one minute behind: still EDT
    expect(clock.minute(2025, 11, 2, 1, 0)).toBe(Date.UTC(2025, 10, 2, 6, 0)); // steps back: the second 01:00
    const grammar = compileGrammar(undefined, 'America/New_York');
    const c = new LogClock('America/New_York');
    const a = parseText('2025-11-02 01:59:59,000 - INFO - [1/1] Queued k1', grammar, 0, c).lines[0].at;
    const b = parseText('2025-11-02 01:00:01,000 - INFO - [1/1] Queued k1', grammar, 0, c).lines[0].at;
    expect(b - a).toBe(2000);
  });
});

describe('a run across the change, as the simulator writes it', () => {
  /** A sim run on an instant clock from `start`, its times written in `zone`. */
  async function simLog(zone: string, start: number, extra: string[] = []): Promise<{ log: string; end: number }> {
    const { log, code, end } = await simulate(['--limit=60', '--workers=1', '--mean-seconds=90', '--fail-rate=0', '--playoff-fail-rate=0', '--timeout-rate=0', '--exception-rate=0', `--timezone=${zone}`, `--storage=${join(dir, `s-${zone.replace('/', '-')}-${start}`)}`, `--failed-dir=${dir}`, ...extra], { start, cwd: dir });
    expect(code).toBe(0);
    return { log, end };
  }

  test.each([
    ['America/New_York', Date.UTC(2025, 10, 2, 5, 15)],
    ['Europe/Berlin', Date.UTC(2025, 9, 26, 0, 15)],
    ['America/New_York', Date.UTC(2025, 2, 9, 6, 15)],
    ['Europe/Berlin', Date.UTC(2025, 2, 30, 0, 15)],
  ])('%s from %d: times as true as the clock, never stalled, elapsed and rate right', async (zone, start) => {
    const { log, end } = await simLog(zone, start);
    // The wall clock in the log steps back an hour, or jumps one forward, during the run.
    const walls = log.split('\n').filter(Boolean).map((l) => Date.parse(`${l.slice(0, 10)}T${l.slice(11, 19)}Z`));
    expect(walls.some((w, i) => i > 0 && (w < walls[i - 1] || w - walls[i - 1] > 30 * MIN))).toBe(true);
    const lines = parseText(log, compileGrammar(undefined, zone)).lines;
    for (let i = 1; i < lines.length; i++) expect(lines[i].at).toBeGreaterThanOrEqual(lines[i - 1].at);
    const run = applyLines({ current: null, history: [] }, lines).current!;
    expect(run.startedAt).toBe(start);
    expect(run.lastActivityAt).toBeLessThanOrEqual(end);
    expect(end - run.lastActivityAt!).toBeLessThan(MIN);
    const now = run.lastActivityAt! + 30_000;
    const f = runFigures(run, now, { alive: null });
    expect(f.status).toBe('complete');
    const live = runFigures({ ...run, complete: false, finishedAt: null }, now, { alive: null });
    expect(live.status).toBe('running');
    expect(live.elapsedMs).toBe(now - start);
    expect(live.ratePerMin).not.toBeNull();
    expect(live.ratePerMin!).toBeGreaterThan(0.3);
    expect(live.ratePerMin!).toBeLessThan(1.5);
  });

  test('--clock-start puts the run where asked, in the zone asked', async () => {
    const { log } = await simLog('Europe/Berlin', Date.UTC(2025, 0, 1), ['--clock-start=2025-10-26T00:30:00Z']);
    expect(log.slice(0, 19)).toBe('2025-10-26 02:30:00');
  });
});

describe('liveness of a followed log also uses when lines arrived', () => {
  const run = { ...emptyRun(), startedAt: 0, lastActivityAt: 0, hasActivity: true, timeoutSec: 60 };
  test('lines that arrived a moment ago keep a run running whatever their timestamps say', () => {
    const now = 3 * 3_600_000;
    expect(runStatus(run, now, { alive: null })).toBe('stalled');
    expect(runStatus(run, now, { alive: null, arrivedAt: now - 1000 })).toBe('running');
    expect(runStatus(run, now, { alive: null, arrivedAt: now - 6 * MIN })).toBe('stalled');
  });
});

describe('the timezone setting', () => {
  test('an unknown zone is a config error naming the field, exit 2', () => {
    const d = mkdtempSync(join(dir, 'cfg-'));
    writeFileSync(join(d, 'backfill-tui.config.json'), JSON.stringify({ log: 'x.log', timezone: 'Mars/Olympus_Mons' }));
    const bad = runCli(['status'], { cwd: d });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/timezone/);
    writeFileSync(join(d, 'backfill-tui.config.json'), JSON.stringify({ log: 'x.log', timezone: 'Europe/Berlin' }));
    expect(runCli(['status'], { cwd: d }).code).toBe(0);
  });
});
