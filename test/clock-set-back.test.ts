import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compileGrammar, LogClock, parseText } from '../src/parser/index.js';
import { applyLines } from '../src/state/apply-lines.js';
import { runFigures } from '../src/state/run-view.js';
import { runCli } from './support/cli.js';
import { historyStartFor } from '../src/app/history-start.js';
import { readLogOnce } from '../src/app/read-log-once.js';
import { HISTORY_LIMIT } from '../src/state/apply-lines.js';
import { initialState, TAIL_LIMIT, type AppState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { runFacts } from '../src/state/run.js';
import { logLine, T0 } from './support/log-text.js';
import { parseChunk } from '../src/parser/index.js';
import { simulate } from './support/simulate.js';

// vitest pins TZ=UTC: this machine's zone has no repeated hour. The log's clock is New York's, whose clocks
// fell back at 02:00 EDT on 2025-11-02 (01:59:59 EDT is followed by 01:00:00 EST).
const dir = mkdtempSync(join(tmpdir(), 'set-back-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MIN = 60_000;

const iso = (ms: number) => new Date(ms).toISOString();
function readInOrder(times: string[], zone?: string): number[] {
  return parseText(times.map((t) => `${t},000 - INFO - [1/1] Queued 2021-10-31`).join('\n'), compileGrammar(undefined, zone)).lines.map((l) => l.at);
}

describe('a log whose clock fell back, read with no "timezone" (or a wrong one): it never goes back', () => {
  test('New York\'s fall-back read as UTC: the second 01:00 is read an hour on, and so is what follows', () => {
    const at = readInOrder(['2025-11-02 01:50:00', '2025-11-02 01:59:59', '2025-11-02 01:00:05', '2025-11-02 01:30:00', '2025-11-02 02:10:00']);
    expect(at.map(iso)).toEqual(['2025-11-02T01:50:00.000Z', '2025-11-02T01:59:59.000Z', '2025-11-02T02:00:05.000Z', '2025-11-02T02:30:00.000Z', '2025-11-02T03:10:00.000Z']);
  });

  test('read as Europe/Berlin (a wrong "timezone", whose change was a week before): the same', () => {
    const at = readInOrder(['2025-11-02 01:59:00', '2025-11-02 01:01:00'], 'Europe/Berlin');
    expect(at[1] - at[0]).toBe(2 * MIN);
  });

  test('sparse lines: 01:40 EDT, then 01:10 EST (30 min later) reads 30 min later', () => {
    const [a, b] = readInOrder(['2025-11-02 01:40:00', '2025-11-02 01:10:00']);
    expect(b - a).toBe(30 * MIN);
  });

  test('a step back that is no clock change is left alone: a few minutes (clock corrected), hours (another writer)', () => {
    const few = readInOrder(['2025-11-02 10:00:00', '2025-11-02 09:55:00']);
    expect(few[1] - few[0]).toBe(-5 * MIN);
    const hours = readInOrder(['2025-11-02 15:00:00', '2025-11-02 10:00:00']);
    expect(hours[1] - hours[0]).toBe(-5 * 60 * MIN);
  });

  // Tester V19: 60 copies of a 15-min run appended by `cat` (each copy steps back 15 min at 11:16) read as 59
  // hours set back: the run 57 h in the future. A set back is taken only where a zone can fall back, once a night.
  test('appended runs that step back are read as written: no set back outside the early hours of a fall-back month', () => {
    const copy = ['2025-11-30 11:16:07', '2025-11-30 11:24:00', '2025-11-30 11:31:26'];
    const at = readInOrder([...copy, ...copy, ...copy]);
    expect(at.map(iso)).toEqual([0, 1, 2].flatMap(() => ['2025-11-30T11:16:07.000Z', '2025-11-30T11:24:00.000Z', '2025-11-30T11:31:26.000Z']));
    // The same hour-long step back in June's early hours (no zone falls back then): left alone.
    const june = readInOrder(['2025-06-01 01:59:00', '2025-06-01 01:01:00']);
    expect(june[1] - june[0]).toBe(-58 * MIN);
    // Another machine's lines appended 20 min behind at 10:30: left alone.
    const other = readInOrder(['2025-11-02 10:30:00', '2025-11-02 10:10:00']);
    expect(other[1] - other[0]).toBe(-20 * MIN);
  });

  test('once a night: a second hour-long step back in the same night is not a second set back', () => {
    const at = readInOrder(['2025-11-02 01:59:00', '2025-11-02 01:01:00', '2025-11-02 01:59:30', '2025-11-02 01:02:00']);
    // The first step back is the fall-back (read 2 min later); the second is left as written.
    expect(at[1] - at[0]).toBe(2 * MIN);
    expect(at[3] - at[2]).toBe(-(57 * MIN + 30_000));
  });

  test('a reader going backwards (history start) is no clock change', async () => {
    const back = new LogClock(undefined, false);
    const later = back.minute(2025, 11, 2, 10, 0);
    expect(back.minute(2025, 11, 2, 9, 30)).toBe(later - 30 * MIN);
    // Runs whose banners come 20 minutes apart: read backwards, each 20-minute step is the gap that makes a
    // banner start a run of its own, never a clock set back.
    const out: string[] = [];
    let at = T0;
    for (let r = 0; r < HISTORY_LIMIT + 3; r++) {
      out.push(logLine(at, 'INFO', 'Team Boxscore Backfill'));
      at += 20 * MIN;
      out.push(logLine(at, 'INFO', 'Team Boxscore Backfill'), logLine(at + 1000, 'INFO', `[1/1] Queued k${r}`), logLine(at + 2000, 'INFO', `  ✅ Scraped k${r}`));
      at += 20 * MIN;
    }
    const text = `${out.join('\n')}\n`;
    const file = join(dir, 'gaps.log');
    writeFileSync(file, text);
    const shown = (st: AppState) => ({ current: runFacts(st.log.current), history: st.log.history.map(runFacts) });
    const whole = reduce(initialState({ job: 'j', log: 'x', now: 0, targets: [] }), { type: 'log/batch', batch: parseChunk(Buffer.from(text), compileGrammar(), TAIL_LIMIT) });
    let read = initialState({ job: 'j', log: file, now: 0, targets: [] });
    await readLogOnce(file, compileGrammar(), (e) => (read = reduce(read, e)), historyStartFor(compileGrammar()));
    // Each pair of banners is two runs, so the read starts about half-way (a scan that took the steps for
    // clock changes would see no gaps, count one run a pair and read nearly all of it).
    expect(read.log.lines).toBeLessThanOrEqual(4 * (Math.ceil((HISTORY_LIMIT + 2) / 2) + 1));
    expect(shown(read)).toEqual(shown(whole));
  });

  test('a simulated run across the night, read on a UTC machine: finish after start, elapsed and rate true', async () => {
    const start = Date.UTC(2025, 10, 2, 5, 40); // 01:40 EDT
    const { log, code, end: t } = await simulate(['--limit=40', '--workers=1', '--mean-seconds=90', '--fail-rate=0', '--playoff-fail-rate=0', '--timeout-rate=0', '--exception-rate=0', '--timezone=America/New_York', `--storage=${join(dir, 'st')}`, `--failed-dir=${dir}`], { start, cwd: dir });
    expect(code).toBe(0);
    // The wall clock in the log does step back during the run.
    expect(log).toMatch(/2025-11-02 01:5\d:\d\d[\s\S]*2025-11-02 01:0\d:\d\d/);
    const lines = parseText(log, compileGrammar()).lines;
    for (let i = 1; i < lines.length; i++) expect(lines[i].at).toBeGreaterThanOrEqual(lines[i - 1].at);
    const run = applyLines({ current: null, history: [] }, lines).current!;
    expect(run.finishedAt! - run.startedAt!).toBeGreaterThanOrEqual(t - start - MIN);
    expect(run.finishedAt! - run.startedAt!).toBeLessThanOrEqual(t - start);
    const f = runFigures(run, run.finishedAt! + 1000, { alive: false });
    expect(f.status).toBe('complete');
    expect(f.ratePerMin).toBeGreaterThan(0.3);
    // The same through `status --json` of the built tool, on a UTC machine, no config.
    const file = join(dir, 'night.log');
    writeFileSync(file, log);
    const out = runCli(['status', '--log', file, '--json'], { cwd: dir, env: { TZ: 'UTC' } });
    expect(out.code).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(Date.parse(json.run.finishedAt)).toBeGreaterThan(Date.parse(json.run.startedAt));
    expect(Date.parse(json.run.finishedAt) - Date.parse(json.run.startedAt)).toBe(run.finishedAt! - run.startedAt!);
    expect(json.run.ratePerMin).not.toBeNull();
  });
});
