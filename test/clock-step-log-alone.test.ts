import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { logHandlers } from '../src/app/log-events.js';
import { compileGrammar, LogClock } from '../src/parser/index.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { currentFigures } from '../src/state/current-figures.js';
import { reduce } from '../src/state/reducer.js';
import { runNotes } from '../src/state/run-notes.js';
import { runCli, unwrapped } from './support/cli.js';
import { removeDir } from './support/remove-dir.js';

// Tester AE2/AE3's one-shot residue: a finished log whose writer's clock moved an hour on a night no zone of the tz
// database changes (a VM's clock set by hand, a writer's own tz rule), read by `status` with only the log to go by:
// `1:02:12` for a 2:12 run after a step forward; `0:00`, a finish before its start and no rate after a step back.
// vitest pins TZ=UTC; every file's modification time is set a day later, so no zone is guessed from it.
const dir = mkdtempSync(join(tmpdir(), 'clock-alone-'));
afterAll(() => removeDir(dir));
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const START = Date.UTC(2026, 11, 1, 12, 56, 6, 826); // 12:56:06,826 on the writer's clock
const key = (i: number) => new Date(Date.UTC(2021, 9, 19) + i * 86_400_000).toISOString().slice(0, 10);

/**
 * A run of 200 keys in the reference script's format, one outcome every 660 ms, whose writer's clock moves `shiftMs`
 * after the 130th outcome (a minute and a half in) (its lines keep coming `every` ms apart); `quietMs`: a quiet spell there of
 * that long. Its summary's `Time:` is its own timer's, which a clock moved under it does not see (`timerSawShift`: it
 * does, as Python's time.time() sees a clock set by hand). The lines' times as written, and the run's true length.
 */
function run(shiftMs: number, opts: { quietMs?: number; every?: number; timerSawShift?: boolean } = {}): { text: string; trueMs: number } {
  const every = opts.every ?? 660;
  const lines: string[] = [];
  let t = START;
  let shift = 0;
  const at = () => new Date(t + shift).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
  const log = (level: string, msg: string) => lines.push(`${at()} - ${level} - ${msg}`);
  log('INFO', 'NBA.com Player Boxscore Scraper Backfill (v2) initialized');
  log('INFO', '  Workers: 6');
  log('INFO', '  Timeout: 180s');
  log('INFO', 'Loaded 200 dates from dates.csv');
  for (let i = 1; i <= 200; i++) log('INFO', `[${i}/200] Queued ${key(i)}`);
  let ok = 0;
  let failed = 0;
  for (let i = 1; i <= 200; i++) {
    t += every;
    if (i === 131) {
      shift = shiftMs;
      t += opts.quietMs ?? 0;
    }
    if (i % 9 === 0) {
      failed++;
      log('WARNING', `  ❌ Failed ${key(i)}: HTTP 500`);
    } else {
      ok++;
      log('INFO', `  ✅ Scraped ${key(i)}`);
    }
    if (i % 50 === 0) log('INFO', `📊 Progress: ${i}/200 (${(i / 2).toFixed(1)}%) | ✅ ${ok} | ⏭️ 0 | ❌ ${failed} | ETA: 1min`);
  }
  log('INFO', '='.repeat(70));
  log('INFO', 'BACKFILL COMPLETE');
  log('INFO', 'Total dates: 200');
  log('INFO', `✅ Processed: ${ok}`);
  log('INFO', '⏭️  Skipped: 0');
  log('INFO', `❌ Failed: ${failed}`);
  log('INFO', `Time: ${((t - START + (opts.timerSawShift ? shift : 0)) / 60_000).toFixed(1)} minutes`);
  return { text: `${lines.join('\n')}\n`, trueMs: t - START };
}

/** `status --json` and `status` of the finished log `text` (the built CLI; the file last written a day later). */
function status(name: string, text: string) {
  const file = join(dir, `${name}.log`);
  writeFileSync(file, text);
  const day = (START + 24 * HOUR) / 1000;
  utimesSync(file, day, day);
  const json = runCli(['status', '--log', file, '--json'], { cwd: dir, env: { TZ: 'UTC' } });
  const plain = runCli(['status', '--log', file], { cwd: dir, env: { TZ: 'UTC' } });
  expect(json.code, json.stderr).toBe(0);
  return { json: JSON.parse(json.stdout), text: unwrapped(plain.stdout) };
}

/** `m:ss` (or `h:mm:ss`) of whole seconds, as elapsed is written. */
const clock = (ms: number) => {
  const s = Math.floor(ms / SEC);
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  return `${h ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(s % 60).padStart(2, '0')}`;
};

describe('a finished log whose clock moved an hour on a night no zone changes, its lines a minute apart or less', () => {
  test('forward, its summary\'s own time an hour less than its lines\' span: status reads the 2:12 it ran and says why', () => {
    const { text, trueMs } = run(HOUR);
    const { json, text: plain } = status('forward', text);
    expect(json.run.state).toBe('complete');
    expect(json.logZoneGuess).toBeNull();
    // No clock change is read from the lines (an hour's quiet looks the same): the summary's word is the evidence.
    expect(json.logClockStep).toBeNull();
    expect(Date.parse(json.run.finishedAt) - Date.parse(json.run.startedAt)).toBe(trueMs);
    expect(json.run.lastActivityAt).toBe(json.run.finishedAt);
    // 200 outcomes 660 ms apart: 90.9/min.
    expect(json.run.ratePerMin).toBe(90.9);
    expect(plain).toContain(`elapsed ${clock(trueMs)}`);
    expect(plain).toContain("an hour of its lines' times did not pass: its summary says 2:12 (the log's clock set on an hour?)");
  });

  test('forward, the script\'s own timer saw the hour too (a clock set on by hand, a machine asleep): the hour is its time', () => {
    const { text, trueMs } = run(HOUR, { timerSawShift: true });
    const { json, text: plain } = status('forward-timer', text);
    expect(Date.parse(json.run.finishedAt) - Date.parse(json.run.startedAt)).toBe(trueMs + HOUR);
    expect(plain).toContain(`elapsed ${clock(trueMs + HOUR)}`);
    expect(plain).not.toContain('did not pass');
  });

  test('back (set back by hand): never a finish before its start, elapsed and rate as it ran', () => {
    const { text, trueMs } = run(-HOUR);
    const { json, text: plain } = status('back', text);
    expect(json.run.state).toBe('complete');
    expect(json.logClockStep).toMatchObject({ change: 'set-back', date: '2026-12-01', from: '12:57', to: '11:57', zone: null, seen: 'log' });
    expect(Date.parse(json.run.finishedAt) - Date.parse(json.run.startedAt)).toBe(trueMs);
    expect(json.run.ratePerMin).toBe(90.9);
    expect(plain).toContain(`elapsed ${clock(trueMs)}`);
    expect(plain).toContain('log clock went back from 12:57 to 11:57 on 2026-12-01 (no zone changed then, its lines a minute apart: set by hand?): read as time going on');
  });

  test('the dashboard opened on the finished log reads its history the same way: elapsed, rate and the notice', () => {
    const { text, trueMs } = run(-HOUR);
    let state: AppState = initialState({ job: 'done', log: 'back.log', now: START + 24 * HOUR, targets: [] });
    const dispatch = (e: Parameters<typeof reduce>[1]) => (state = reduce(state, e));
    const h = logHandlers(compileGrammar(), dispatch);
    h.onChunk(Buffer.from(text));
    h.onProgress({ bytesRead: text.length, size: text.length, historyDone: true });
    const f = currentFigures(state);
    expect(f.status).toBe('complete');
    expect(Math.abs(f.elapsedMs! - trueMs)).toBeLessThan(SEC);
    expect(f.ratePerMin).toBeCloseTo(90.9, 1);
    expect(state.ui.notices.map((n) => n.text)).toContain('log clock went back from 12:57 to 11:57 on 2026-12-01 (no zone changed then, its lines a minute apart: set by hand?): read as time going on');
  });

  test('an hour that passed stays an hour: a quiet hour between lines, or lines that came minutes apart', () => {
    // The writer quiet 65 min, its clock left alone: 65 min passed. (Quiet 60 to 62 min, between lines that came so
    // close, is read as a clock moved an hour: the limit README states.)
    const quiet = run(0, { quietMs: 65 * MIN });
    const a = status('quiet', quiet.text);
    expect(a.json.logClockStep).toBeNull();
    expect(Date.parse(a.json.run.finishedAt) - Date.parse(a.json.run.startedAt)).toBe(quiet.trueMs);
    // Lines 3 min apart, then an hour and 3 min: nothing says that hour did not pass.
    const sparse = run(0, { every: 3 * MIN, quietMs: HOUR });
    const b = status('sparse', sparse.text);
    expect(b.json.logClockStep).toBeNull();
    expect(Date.parse(b.json.run.finishedAt) - Date.parse(b.json.run.startedAt)).toBe(sparse.trueMs);
  });
});

// Tester AE3's first-minute residue (h72 /tmp/h72/sbl, /tmp/h72/sb2 a, c, d, g): set back an hour 39.3 s into a run whose
// lines come 300 ms apart, every line before the step in the run's first minute (12:56): no gap between minutes to go
// by, so it read `elapsed and rate not known`, where the dashboard that watched it live said the truth.
describe('set back in the run\'s first minute, its lines a fraction of a second apart', () => {
  /** `status --json` and `status` of `text`, through each of the prefix reader's paths (the run reader on and off, the parse worker on). */
  const everyPath = (name: string, text: string) => {
    const file = join(dir, `${name}.log`);
    writeFileSync(file, text);
    const day = (START + 24 * HOUR) / 1000;
    utimesSync(file, day, day);
    return (['default', 'hot-run-off', 'worker'] as const).map((path) => {
      const env = { TZ: 'UTC', ...(path === 'hot-run-off' ? { BACKFILL_TUI_HOT_RUN: 'off' } : path === 'worker' ? { BACKFILL_TUI_PARSE_WORKER: 'on' } : {}) };
      const json = runCli(['status', '--log', file, '--json'], { cwd: dir, env });
      const plain = runCli(['status', '--log', file], { cwd: dir, env });
      expect(json.code, `${path}: ${json.stderr}`).toBe(0);
      return { path, json: JSON.parse(json.stdout), text: unwrapped(plain.stdout) };
    });
  };

  test('status reads the set back: 1:00 as it ran, 200/min, and says it', () => {
    const { text, trueMs } = run(-HOUR, { every: 300 });
    // The step: 12:56:45,826, then 11:56:46,126 (the writer's clock an hour back, 300 ms later).
    expect(text).toContain('2026-12-01 12:56:45,826 - INFO -   ✅ Scraped 2022-02-26\n2026-12-01 11:56:46,126 - INFO -   ✅ Scraped 2022-02-27\n');
    expect(trueMs).toBe(60 * SEC);
    for (const { path, json, text: plain } of everyPath('first-minute', text)) {
      expect(json.logClockStep, path).toMatchObject({ change: 'set-back', date: '2026-12-01', from: '12:56', to: '11:56', zone: null, seen: 'log' });
      expect(json.run.startedAt, path).toBe('2026-12-01T12:56:06.826Z');
      expect(json.run.finishedAt, path).toBe('2026-12-01T12:57:06.826Z');
      expect(json.run.endBeforeStartSeconds, path).toBeNull();
      expect(json.run.ratePerMin, path).toBe(200);
      expect(plain, path).toContain('elapsed 1:00');
      expect(plain, path).toContain('log clock went back from 12:56 to 11:56 on 2026-12-01 (no zone changed then, its lines a minute apart: set by hand?): read as time going on');
    }
  });

  test('the dashboard opened on the finished log reads it the same way', () => {
    const { text } = run(-HOUR, { every: 300 });
    let state: AppState = initialState({ job: 'done', log: 'first.log', now: START + 24 * HOUR, targets: [] });
    const dispatch = (e: Parameters<typeof reduce>[1]) => (state = reduce(state, e));
    const h = logHandlers(compileGrammar(), dispatch);
    h.onChunk(Buffer.from(text));
    h.onProgress({ bytesRead: text.length, size: text.length, historyDone: true });
    const f = currentFigures(state);
    expect(f).toMatchObject({ status: 'complete', elapsedMs: 60 * SEC });
    expect(f.ratePerMin).toBeCloseTo(200, 1);
    expect(state.ui.notices.map((n) => n.text)).toContain('log clock went back from 12:56 to 11:56 on 2026-12-01 (no zone changed then, its lines a minute apart: set by hand?): read as time going on');
  });

  test('a log that begins mid-run, ten outcomes before the step: read through the run reader too', () => {
    // Outcome lines from the file's first byte on are read by the run reader (hot-run.ts) in one loop: the line before
    // the step must reach the clock as read there too.
    const lines: string[] = [];
    const at = (t: number) => new Date(t).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
    for (let i = 0; i < 300; i++) lines.push(`${at(START + i * 300 - (i >= 10 ? HOUR : 0))} - INFO -   ✅ Scraped ${key(i + 1)}`);
    expect(lines[9].slice(0, 23)).toBe('2026-12-01 12:56:09,526');
    expect(lines[10].slice(0, 23)).toBe('2026-12-01 11:56:09,826');
    for (const { path, json, text: plain } of everyPath('mid-run', `${lines.join('\n')}\n`)) {
      expect(json.logClockStep, path).toMatchObject({ change: 'set-back', from: '12:56', to: '11:56', seen: 'log' });
      // 300 outcomes 300 ms apart, from the first to the last: 89.7 s (12:56:06 to 12:57:36 in whole seconds: 1:30).
      expect(Date.parse(json.run.lastActivityAt) - Date.parse(json.run.startedAt), path).toBe(89_700);
      expect(plain, path).toContain('elapsed 1:30');
    }
  });

  test('one line alone before the step says nothing of how the lines came: not read as a set back', () => {
    // A log that begins mid-run (its start rotated away): one outcome at 12:56:06, then the rest an hour earlier.
    const lines = ['2026-12-01 12:56:06,826 - INFO -   ✅ Scraped 2021-10-20'];
    for (let i = 1; i <= 30; i++) lines.push(`2026-12-01 11:56:${String(6 + i).padStart(2, '0')},826 - INFO -   ✅ Scraped ${key(i + 1)}`);
    for (const { path, json } of everyPath('one-before', `${lines.join('\n')}\n`)) {
      expect(json.logClockStep, path).toBeNull();
      expect(json.run.finishedAt, path).toBeNull();
      expect(json.run.endBeforeStartSeconds, path).toBe(3570);
    }
  });
});

describe('runs appended an hour apart (an hourly cron whose runs are quick) are no clock change', () => {
  test('each run starts when its lines say: the second an hour after the first, nothing said of a clock', () => {
    const one = (start: number, n: number) => {
      const at = (t: number) => new Date(t).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
      const out = [`${at(start)} - INFO - NBA.com Player Boxscore Scraper Backfill (v2) initialized`, `${at(start)} - INFO - Loaded ${n} dates from dates.csv`];
      for (let i = 1; i <= n; i++) out.push(`${at(start)} - INFO - [${i}/${n}] Queued ${key(i)}`);
      for (let i = 1; i <= n; i++) out.push(`${at(start + i * 500)} - INFO -   ✅ Scraped ${key(i)}`);
      for (const l of ['='.repeat(70), 'BACKFILL COMPLETE', `Total dates: ${n}`, `✅ Processed: ${n}`, '⏭️  Skipped: 0', '❌ Failed: 0']) out.push(`${at(start + n * 500)} - INFO - ${l}`);
      return out.join('\n');
    };
    // 12:59:40 to 13:00:10, then the next at 14:00:20: a step of an hour at the minute, lines a minute apart before it.
    const first = Date.UTC(2026, 11, 1, 12, 59, 40);
    const second = Date.UTC(2026, 11, 1, 14, 0, 20);
    const { json } = status('cron', `${one(first, 60)}\n${one(second, 60)}\n`);
    expect(json.logClockStep).toBeNull();
    expect(json.run.startedAt).toBe(new Date(second).toISOString());
    expect(json.runs.map((r: { startedAt: string }) => r.startedAt)).toEqual([new Date(first).toISOString()]);
    // Another writer, its clock an hour behind, appends its run right after: a step back an hour at its banner, between
    // runs, not a clock set back in one (its lines are its own clock's).
    const behind = Date.UTC(2026, 11, 1, 12, 0, 20);
    const other = status('behind', `${one(first, 60)}\n${one(behind, 60)}\n`).json;
    expect(other.logClockStep).toBeNull();
    expect(other.run.startedAt).toBe(new Date(behind).toISOString());
  });
});

describe('a finished log whose clock went back by what no rule reads: elapsed and rate said not known, never a finish before its start', () => {
  // Set back 10 min a minute and a half into a 2:12 run: its end reads 7:48 before its start. How long passed across
  // the step the log cannot say.
  test('status and status --json', () => {
    const { text } = run(-10 * MIN);
    const { json, text: plain } = status('ten', text);
    expect(json.run.state).toBe('complete');
    expect(json.logClockStep).toBeNull();
    expect(json.run.startedAt).toBe(new Date(START).toISOString());
    expect(json.run).toMatchObject({ finishedAt: null, endBeforeStartSeconds: 468, ratePerMin: null, etaSeconds: null });
    expect(plain).toContain('run       200/200  100.0 %  elapsed not known');
    expect(plain).toContain('elapsed and rate not known: its end reads 7:48 before its start (the log\'s clock set back?)');
    expect(plain).not.toMatch(/elapsed 0:00/);
  });

  test('the dashboard opened on it: no elapsed, no rate, the same note', async () => {
    const { text } = run(-10 * MIN);
    let state: AppState = initialState({ job: 'done', log: 'ten.log', now: START + 24 * HOUR, targets: [] });
    const dispatch = (e: Parameters<typeof reduce>[1]) => (state = reduce(state, e));
    const h = logHandlers(compileGrammar(), dispatch);
    h.onChunk(Buffer.from(text));
    h.onProgress({ bytesRead: text.length, size: text.length, historyDone: true });
    const f = currentFigures(state);
    expect(f).toMatchObject({ status: 'complete', elapsedMs: null, ratePerMin: null, endBeforeStartMs: 468_000 });
    expect(runNotes(state.log.current)).toContain('elapsed and rate not known: its end reads 7:48 before its start (the log\'s clock set back?)');
    // The header says it in status's words, never `complete · –` (an absent value as a dash beside the state).
    const [React, { renderToString }, { App }, { createStore }, { stripVTControlCharacters }] = await Promise.all([import('react'), import('ink'), import('../components/App.js'), import('../src/store.js'), import('node:util')]);
    const header = stripVTControlCharacters(renderToString(React.createElement(App, { store: createStore(state, { frameMs: 0 }), onIntent: () => undefined, color: false }), { columns: 80 })).split('\n')[0];
    expect(header).toMatch(/^done complete · elapsed not known/);
  });
});

describe('LogClock from the log alone', () => {
  /** A line that goes on with a run (an outcome), or one that begins one (a banner). */
  const outcome = { continuesRun: () => true };
  const banner = { continuesRun: () => false };
  /** The minutes read in order by one clock (UTC, no zone), each from a line like `line`: what each is as read. */
  const read = (walls: string[], followed?: number, line: { continuesRun(): boolean } = outcome) => {
    const c = new LogClock();
    if (followed !== undefined) c.followed(followed);
    const out = walls.map((w) => c.minute(2026, 12, 1, Number(w.slice(0, 2)), Number(w.slice(3, 5)), line));
    return { at: out, step: c.lastStep() };
  };

  test('back an hour, give or take the minute the lines came apart, after lines a minute apart: the clock was set back', () => {
    expect(read(['12:55', '12:56', '11:57']).step).toMatchObject({ kind: 'set-back', zone: null, alone: true });
    expect(read(['12:55', '12:56', '11:55']).step).toMatchObject({ kind: 'set-back', alone: true });
    const back = read(['12:55', '12:56', '11:57']);
    expect(back.at[2] - back.at[1]).toBe(MIN);
  });

  test('not otherwise: forward (an hour\'s quiet looks the same), a first step, lines minutes apart, 50 min back, another run, followed', () => {
    expect(read(['12:55', '12:56', '13:57']).step).toBeNull();
    expect(read(['12:56', '11:57']).step).toBeNull();
    expect(read(['12:50', '12:56', '11:57']).step).toBeNull();
    expect(read(['12:55', '12:56', '12:06']).step).toBeNull();
    // The line after the step begins a run (another writer's, an hour behind, appended): between runs, not in one.
    expect(read(['12:55', '12:56', '11:57'], undefined, banner).step).toBeNull();
    // Followed, lines that came a minute apart: the arrivals decide (seenChange), not this rule.
    expect(read(['12:55', '12:56', '11:57'], 61 * MIN).step).toBeNull();
  });

  test('the clock goes on from its state in another thread (the parse worker) with what it knows of the lines', () => {
    const one = new LogClock();
    one.minute(2026, 12, 1, 12, 55, outcome);
    one.minute(2026, 12, 1, 12, 56, outcome);
    const moved = LogClock.from(structuredClone(one.state()));
    expect(moved.minute(2026, 12, 1, 11, 57, outcome)).toBe(one.minute(2026, 12, 1, 11, 57, outcome));
    expect(moved.lastStep()).toEqual(one.lastStep());
    expect(moved.lastStep()?.alone).toBe(true);
  });
});
