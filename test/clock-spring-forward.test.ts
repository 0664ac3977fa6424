import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { collectSnapshot } from '../src/app/snapshot.js';
import { logHandlers } from '../src/app/log-events.js';
import { statusJson } from '../src/app/status-json.js';
import { statusText } from '../src/app/status-text.js';
import { loadConfig } from '../src/config.js';
import { compileGrammar, LogClock, parseText } from '../src/parser/index.js';
import type { WritersScan } from '../src/runner/log-writers.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { fitNotices } from '../src/state/body-height.js';
import { currentFigures } from '../src/state/current-figures.js';
import { reduce } from '../src/state/reducer.js';
import { runCli } from './support/cli.js';
import { removeDir } from './support/remove-dir.js';
import { simulate } from './support/simulate.js';

// vitest pins TZ=UTC: this machine's zone has no summer time. Every log here is written in another zone (the
// simulator's --timezone) and read with no `timezone`, as the tester's was; the clock is injected (simulate's
// instant clock, collectSnapshot's `now`), and the file's modification time is set to when its newest line was written.
const dir = mkdtempSync(join(tmpdir(), 'spring-forward-'));
afterAll(() => removeDir(dir));
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const iso = (ms: number) => new Date(ms).toISOString();

/** Epoch ms of each `YYYY-MM-DD HH:MM:SS` read in order by one clock in `zone` (undefined: this machine's, UTC). */
function readInOrder(times: string[], zone?: string): number[] {
  return parseText(times.map((t) => `${t},000 - INFO - [1/1] Queued 2021-10-31`).join('\n'), compileGrammar(undefined, zone)).lines.map((l) => l.at);
}

/** The newest clock change a clock reading `times` in order took (UTC machine, no zone). */
function stepOf(times: string[], zone?: string) {
  const clock = new LogClock(zone);
  for (const t of times) clock.minute(Number(t.slice(0, 4)), Number(t.slice(5, 7)), Number(t.slice(8, 10)), Number(t.slice(11, 13)), Number(t.slice(14, 16)));
  return clock.lastStep();
}

describe('LogClock with no zone that skips: a log whose clock sprang forward reads as no hour passing', () => {
  test('America/New_York, 2026-03-08: 01:59:54 EST then 03:00:02 EDT is 8 s, and the run goes on an hour back', () => {
    const times = ['2026-03-08 01:30:00', '2026-03-08 01:59:54', '2026-03-08 03:00:02', '2026-03-08 03:30:00'];
    const at = readInOrder(times);
    expect(at[2] - at[1]).toBe(8 * SEC);
    expect(at[3] - at[0]).toBe(HOUR); // 01:30 EST to 03:30 EDT: one hour ran
    expect(stepOf(times)).toEqual({ kind: 'skip', at: Date.UTC(2026, 2, 8, 2, 0), wall: Date.UTC(2026, 2, 8, 2, 0), zone: 'America/New_York' });
  });

  test('Europe/Berlin, 2026-03-29 (01:00 UTC): 01:59:59 CET then 03:00:00 CEST is 1 s', () => {
    const times = ['2026-03-29 01:59:59', '2026-03-29 03:00:00'];
    const [a, b] = readInOrder(times);
    expect(b - a).toBe(SEC);
    expect(stepOf(times)?.zone).toBe('Europe/Berlin');
  });

  test('Europe/London, 2026-03-29 (01:00 local): 00:59:50 GMT then 02:00:05 BST is 15 s', () => {
    const times = ['2026-03-29 00:59:50', '2026-03-29 02:00:05'];
    const [a, b] = readInOrder(times);
    expect(b - a).toBe(15 * SEC);
    expect(stepOf(times)).toMatchObject({ kind: 'skip', wall: Date.UTC(2026, 2, 29, 1, 0), zone: 'Europe/London' });
  });

  test('Australia/Sydney, 2026-10-04 (southern spring): 01:59:30 AEST then 03:00:10 AEDT is 40 s', () => {
    const times = ['2026-10-04 01:59:30', '2026-10-04 03:00:10'];
    const [a, b] = readInOrder(times);
    expect(b - a).toBe(40 * SEC);
    expect(stepOf(times)).toMatchObject({ kind: 'skip', zone: 'Australia/Sydney' });
  });

  test('a zone that has the skip reads it itself: nothing is taken twice, nothing said', () => {
    const times = ['2026-03-08 01:59:54', '2026-03-08 03:00:02'];
    const [a, b] = readInOrder(times, 'America/New_York');
    expect(b - a).toBe(8 * SEC);
    expect(stepOf(times, 'America/New_York')).toBeNull();
  });

  test('a real pause of an hour is not a skip: another night, another hour, or longer than the skip can explain', () => {
    // The same wall times two nights later: no zone skipped an hour then.
    const [a, b] = readInOrder(['2026-03-10 01:59:54', '2026-03-10 03:00:02']);
    expect(b - a).toBe(HOUR + 8 * SEC);
    // The night New York sprang forward, but an hour's pause in the afternoon.
    const [c, d] = readInOrder(['2026-03-08 14:10:00', '2026-03-08 15:20:00']);
    expect(d - c).toBe(70 * MIN);
    // Across the skipped hour, but 01:10 to 03:00: 50 min would have passed in New York, more than a skip leaves.
    const [e, f] = readInOrder(['2026-03-08 01:10:00', '2026-03-08 03:00:00']);
    expect(f - e).toBe(110 * MIN);
    // Landing inside the skipped hour's end, not past it (01:59 to 02:59): no zone's skipped hour lies between.
    const [g, h] = readInOrder(['2026-03-08 00:58:00', '2026-03-08 02:59:00']);
    expect(h - g).toBe(121 * MIN);
    expect(stepOf(['2026-03-10 01:59:54', '2026-03-10 03:00:02'])).toBeNull();
  });

  test('once a night, in order only: a second hour jump that night is a pause; a reader going backwards takes none', () => {
    // Havana skipped 00:00–01:00 that night, New York 02:00–03:00: a log cannot have done both.
    const times = ['2026-03-07 23:59:00', '2026-03-08 01:00:00', '2026-03-08 01:59:00', '2026-03-08 03:00:00'];
    const at = readInOrder(times);
    expect(at[1] - at[0]).toBe(MIN);
    expect(at[3] - at[2]).toBe(61 * MIN);
    expect(stepOf(times)?.zone).toBe('America/Havana');
    // The next night's jump over the same hour is a pause too (no zone skipped then); a year later, a skip again.
    const later = readInOrder(['2026-03-08 01:59:00', '2026-03-08 03:00:00', '2027-03-14 01:59:00', '2027-03-14 03:00:00']);
    expect(later[1] - later[0]).toBe(MIN);
    expect(later[3] - later[2]).toBe(MIN);
    const back = new LogClock(undefined, false);
    const t1 = back.minute(2026, 3, 8, 1, 59);
    expect(back.minute(2026, 3, 8, 3, 0) - t1).toBe(61 * MIN);
    expect(back.lastStep()).toBeNull();
  });

  test('the clock goes on in another thread from its state (the parse worker) exactly as it would have', () => {
    const one = new LogClock();
    const a = one.minute(2026, 3, 8, 1, 59);
    const moved = LogClock.from(structuredClone(one.state()));
    expect(moved.minute(2026, 3, 8, 3, 0) - a).toBe(MIN);
    expect(one.minute(2026, 3, 8, 3, 0) - a).toBe(MIN);
    expect(moved.state()).toEqual(one.state());
    expect(moved.lastStep()).toEqual(one.lastStep());
  });

  test('a set back (fall back) is said too: which hour, and which zone did it', () => {
    expect(stepOf(['2026-11-01 01:59:00', '2026-11-01 01:00:00'])).toEqual({ kind: 'set-back', at: Date.UTC(2026, 10, 1, 2, 0), wall: Date.UTC(2026, 10, 1, 2, 0), zone: 'America/New_York' });
  });
});

/** A writer scan that finds one process writing the log, not ours (as /proc would for a script started by hand). */
const oneWriter: WritersScan = { external: async () => [424242], asks: 0, walks: 0, waiting: false };
const noWriter: WritersScan = { external: async () => [], asks: 0, walks: 0, waiting: false };

/** `simulated`, once a name (the simulator skips keys its storage already holds). */
const nights = new Map<string, ReturnType<typeof simulated>>();
function night(name: string, zone: string, start: number, keys: number, meanSeconds: number): ReturnType<typeof simulated> {
  if (!nights.has(name)) nights.set(name, simulated(name, zone, start, keys, meanSeconds));
  return nights.get(name)!;
}

/** A simulated run from `start` with its times in `zone`: the log whole, the log cut before its summary (still running), and its newest line's instant. */
async function simulated(name: string, zone: string, start: number, keys: number, meanSeconds: number) {
  const { log, code } = await simulate([`--limit=${keys}`, '--workers=1', `--mean-seconds=${meanSeconds}`, '--fail-rate=0', '--playoff-fail-rate=0', '--timeout-rate=0', '--exception-rate=0', `--timezone=${zone}`, `--storage=${join(dir, `st-${name}`)}`, `--failed-dir=${dir}`], { start, cwd: dir });
  expect(code).toBe(0);
  const lines = log.split('\n');
  const live = `${lines.slice(0, lines.findIndex((l) => l.endsWith('BACKFILL COMPLETE')) - 1).join('\n')}\n`;
  // The instant of the newest line, read in the zone it was written in (local-time.test.ts holds that reading).
  const newestAt = parseText(live, compileGrammar(undefined, zone)).lastAt!;
  const done = join(dir, `${name}-done.log`);
  const running = join(dir, `${name}-live.log`);
  writeFileSync(done, log);
  writeFileSync(running, live);
  // The finished log was copied long after: nothing is guessed from its modification time.
  utimesSync(done, (newestAt + 30 * 24 * HOUR) / 1000, (newestAt + 30 * 24 * HOUR) / 1000);
  // The running one was written when its newest line says, half a second late.
  utimesSync(running, (newestAt + 500) / 1000, (newestAt + 500) / 1000);
  const config = (file: string) => {
    const p = join(dir, `${name}-${file === done ? 'done' : 'live'}.json`);
    writeFileSync(p, JSON.stringify({ job: name, log: file, timeout: 60 }));
    return loadConfig({ file: p, cwd: dir });
  };
  return { log, live, done, running, newestAt, config };
}

type StepJson = { change: string; date: string; from: string; to: string; zone: string; at: string; timezone: string | null } | null;

// Each night a real zone sprang forward, the run started before it: status --json with no `timezone`, finished (the
// built CLI) and live (its newest line written 5 s ago, by the file's modification time). Elapsed is what ran.
describe.each([
  // name, zone, run start (UTC), keys, mean seconds, finished elapsed, live elapsed, the skipped hour, the zone guessed
  ['new-york', 'America/New_York', Date.UTC(2026, 2, 8, 5, 30), 300, 30, '2:22:25', 8_550_192, '2026-03-08', '02:00', '03:00', 'UTC-05:00'],
  ['berlin', 'Europe/Berlin', Date.UTC(2026, 2, 29, 0, 10), 200, 30, '1:37:02', 5_827_901, '2026-03-29', '02:00', '03:00', 'UTC+01:00'],
  ['london', 'Europe/London', Date.UTC(2026, 2, 29, 0, 20), 200, 30, '1:37:02', 5_827_901, '2026-03-29', '01:00', '02:00', 'UTC+00:00'],
  ['sydney', 'Australia/Sydney', Date.UTC(2026, 9, 3, 15, 30), 200, 30, '1:37:02', 5_827_901, '2026-10-04', '02:00', '03:00', 'UTC+10:00'],
] as const)('%s: a run across the night its clock sprang forward, no "timezone"', (name, zone, start, keys, mean, doneElapsed, liveElapsed, date, from, to, guessed) => {
  test('finished: status --json of the built CLI says the elapsed time it ran and the skipped hour', async () => {
    const n = await night(name, zone, start, keys, mean);
    const out = runCli(['status', '--log', n.done, '--json'], { cwd: dir, env: { TZ: 'UTC' } });
    expect(out.code).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(json.run.state).toBe('complete');
    expect(json.logZoneGuess).toBeNull();
    const step: StepJson = json.logClockStep;
    expect(step).toMatchObject({ change: 'skip', date, from, to, zone, timezone: null });
    const text = runCli(['status', '--log', n.done], { cwd: dir, env: { TZ: 'UTC' } }).stdout;
    expect(text).toContain(`elapsed ${doneElapsed}`);
  });

  // The zone is guessed from the newest line (after the skip), and the skip lies before the tail the guess reads (zone
  // UTC London has no guess: the log's clock then agrees with this machine's; the skip still reads as none passing).
  test('live: the run is running, its elapsed time true, its start as written, its newest line on time', async () => {
    const n = await night(name, zone, start, keys, mean);
    const now = n.newestAt + 5 * SEC;
    const state = await collectSnapshot(n.config(n.running), { now: () => now, writers: oneWriter, sources: false });
    const f = currentFigures(state);
    expect(f.status).toBe('running');
    expect(f.elapsedMs).toBe(liveElapsed);
    expect(f.idleMs).toBe(5 * SEC);
    const json = statusJson(state);
    expect(json.run.startedAt).toBe(iso(start));
    expect(json.run.lastActivityAt).toBe(iso(n.newestAt));
    expect(json.logZoneGuess?.zone ?? 'UTC+00:00').toBe(guessed);
    expect(json.logClockStep).toMatchObject({ change: 'skip', date, from, to, zone, timezone: null });
  });
});

describe('the live anchor on a long log: the skip (or set back) far before the tail the guess reads', () => {
  // All the simulator's 840 keys from 01:45 EST: the skip 15 min in, 85 KB of lines after it (the guess reads 64 KB).
  test('spring forward, New York: the guess is the zone the run began in (UTC-05:00); newest line on time, start as written', async () => {
    const start = Date.UTC(2026, 2, 8, 6, 45);
    const n = await night('long-spring', 'America/New_York', start, 2000, 6);
    expect(n.live.length - n.live.lastIndexOf('2026-03-08 01:5')).toBeGreaterThan(80 << 10);
    expect(n.live.length - n.live.lastIndexOf('2026-03-08 01:5')).toBeLessThan(n.live.length - 2048);
    const now = n.newestAt + 5 * SEC;
    const state = await collectSnapshot(n.config(n.running), { now: () => now, writers: oneWriter, sources: false });
    const f = currentFigures(state);
    expect(f.status).toBe('running');
    expect(f.idleMs).toBe(5 * SEC);
    expect(f.elapsedMs).toBe(5_167_228);
    const json = statusJson(state);
    expect(json.logZoneGuess).toEqual({ zone: 'UTC-05:00', behindMinutes: 300, from: 'file', readAhead: null });
    expect(json.run.startedAt).toBe(iso(start));
    expect(json.run.lastActivityAt).toBe(iso(n.newestAt));
    const text = statusText(state);
    expect(text).toContain('log clock skipped 02:00–03:00 on 2026-03-08 (spring forward, as America/New_York did): read as no time passing; set "timezone" to be sure');
    expect(text).toContain('elapsed 1:26:07');
  });

  // The set back's mirror: read as UTC-05:00 (its newest line's zone), the set back would put the newest line an hour
  // in the future and the start an hour late (elapsed 1 h short); anchored, the guess is UTC-04:00.
  test('fall back, New York: the guess is the zone the run began in (UTC-04:00); newest line on time, start as written', async () => {
    const start = Date.UTC(2026, 10, 1, 5, 45);
    const n = await night('long-fall', 'America/New_York', start, 2000, 6);
    const now = n.newestAt + 5 * SEC;
    const state = await collectSnapshot(n.config(n.running), { now: () => now, writers: oneWriter, sources: false });
    const f = currentFigures(state);
    expect(f.status).toBe('running');
    expect(f.idleMs).toBe(5 * SEC);
    expect(f.elapsedMs).toBe(5_167_228);
    const json = statusJson(state);
    expect(json.logZoneGuess).toEqual({ zone: 'UTC-04:00', behindMinutes: 240, from: 'file', readAhead: null });
    expect(json.run.startedAt).toBe(iso(start));
    expect(json.run.lastActivityAt).toBe(iso(n.newestAt));
    expect(json.logClockStep).toMatchObject({ change: 'set-back', date: '2026-11-01', from: '02:00', to: '01:00', zone: 'America/New_York', timezone: null });
    expect(statusText(state)).toContain('log clock went back from 02:00 to 01:00 on 2026-11-01 (fall back, as America/New_York did): read as time going on; set "timezone" to be sure');
  });

  test('the job screen says it as a notice that fits 80 columns', async () => {
    const start = Date.UTC(2026, 2, 8, 6, 30);
    const n = await night('screen', 'America/New_York', start, 300, 6);
    let state: AppState = initialState({ job: 'screen', log: n.done, now: n.newestAt, targets: [] });
    const dispatch = (e: Parameters<typeof reduce>[1]) => (state = reduce(state, e));
    const h = logHandlers(compileGrammar(), dispatch);
    // The history read as the follower reads it: its lines, then its end (where a history's change is said).
    h.onChunk(Buffer.from(n.log));
    h.onProgress({ bytesRead: n.log.length, size: n.log.length, historyDone: true });
    const said = state.ui.notices.find((x) => x.text.startsWith('log clock skipped'));
    expect(said?.text).toBe('log clock skipped 02:00–03:00 on 2026-03-08 (spring forward, as America/New_York did): read as no time passing');
    // Wrapped whole within the screen's width, in at most the three rows a notice may take.
    const rows = fitNotices(state.ui.notices, 80, 24).flatMap((x) => x.lines);
    expect(rows.join(' ').replace(/ +/g, ' ')).toContain('as America/New_York did): read as no time passing');
    expect(rows.length).toBeLessThanOrEqual(3);
    for (const r of rows) expect(r.length).toBeLessThanOrEqual(80);
    // A status of the same file with no writer: the run complete, the same words.
    const done = await collectSnapshot(n.config(n.done), { now: () => n.newestAt + HOUR, writers: noWriter, sources: false });
    expect(currentFigures(done).status).toBe('complete');
    expect(statusText(done)).toContain('log clock skipped 02:00–03:00 on 2026-03-08');
  });
});

// Tester AE2/AE3: a writer whose zone changes at a time no zone of this machine's tz database changes (its own TZ
// rule; a country whose rules changed; other tz data in a container), followed live with no `timezone`. The lines
// keep coming seconds apart while its clock jumps an hour: that hour did not pass, whatever the night.
describe('a clock change seen as the lines come (no zone changed then): followed live, no "timezone"', () => {
  const start = Date.UTC(2026, 11, 1, 15, 48, 0); // 10:48:00 in the writer's UTC-05:00
  const change = Date.UTC(2026, 11, 1, 15, 50, 0); // its clock goes to UTC-04:00 (spring) or UTC-06:00 (fall) then
  /** The writer's line at instant `t`: UTC-05:00 before the change, `after` minutes east after it. */
  const line = (t: number, after: number, text: string) => {
    const wall = new Date(t + (t < change ? -300 : after) * MIN).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
    return `${wall} - INFO - ${text}\n`;
  };
  const key = (i: number) => new Date(Date.UTC(2021, 9, 19) + i * 86_400_000).toISOString().slice(0, 10);

  /** The dashboard, opened before the run began, following it: one chunk a line, each arriving 100 ms after it was written. */
  function follow(after: number, gapAt = -1, gapMs = 0) {
    let state: AppState = initialState({ job: 'live', log: 'x.log', now: start, targets: [] });
    let t = start;
    const dispatch = (e: Parameters<typeof reduce>[1]) => (state = reduce(state, e));
    const h = logHandlers(compileGrammar(), dispatch, () => t + 100);
    h.onProgress({ bytesRead: 0, size: 0, historyDone: true });
    h.onChunk(Buffer.from(line(t, after, 'NBA.com Player Boxscore Scraper Backfill (v2) initialized') + line(t, after, 'Loaded 240 dates from k.csv')));
    for (let i = 1; i <= 120; i++) {
      t += i === gapAt ? gapMs : 2 * SEC;
      h.onChunk(Buffer.from(line(t, after, `[${i}/240] Processing ${key(i)}`) + line(t, after, `  ✅ Scraped ${key(i)}`)));
    }
    state = reduce(state, { type: 'clock/tick', now: t + 1000 });
    state = reduce(state, { type: 'process/update', patch: { external: true, externalPids: [424242] } });
    return { state, end: t };
  }

  test('spring (10:49:58 then 11:50:00, 2 s apart): elapsed and idle true, the change said', () => {
    const { state, end } = follow(-240);
    const f = currentFigures(state);
    expect(state.log.zoneGuess?.zone).toBe('UTC-05:00');
    expect(f.status).toBe('running');
    expect(f.elapsedMs).toBe(end + 1000 - start);
    expect(f.idleMs).toBe(1000);
    expect(statusJson(state).logClockStep).toMatchObject({ change: 'skip', date: '2026-12-01', from: '10:50', to: '11:50', zone: null });
    expect(state.ui.notices.map((n) => n.text)).toContain('log clock skipped 10:50–11:50 on 2026-12-01 (as its lines came on): read as no time passing');
  });

  test('fall (10:49:58 then 09:50:00, 2 s apart): elapsed and idle true, never a finish before its start', () => {
    const { state, end } = follow(-360);
    const f = currentFigures(state);
    expect(f.status).toBe('running');
    expect(f.elapsedMs).toBe(end + 1000 - start);
    expect(f.idleMs).toBe(1000);
    expect(statusJson(state).logClockStep).toMatchObject({ change: 'set-back', date: '2026-12-01', from: '10:50', to: '09:50', zone: null });
  });

  test('a change within a minute (10:50:30 then 11:50:32), a worker\'s line timed before it written after it: one change', () => {
    let state: AppState = initialState({ job: 'live', log: 'x.log', now: start, targets: [] });
    let t = start;
    const dispatch = (e: Parameters<typeof reduce>[1]) => (state = reduce(state, e));
    const h = logHandlers(compileGrammar(), dispatch, () => t + 100);
    const at = (ms: number, text: string) => `${new Date(ms + (ms < change + 31 * SEC ? -300 : -240) * MIN).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',')} - INFO - ${text}\n`;
    h.onProgress({ bytesRead: 0, size: 0, historyDone: true });
    h.onChunk(Buffer.from(at(t, 'NBA.com Player Boxscore Scraper Backfill (v2) initialized') + at(t, 'Loaded 240 dates from k.csv')));
    for (let i = 1; i <= 120; i++) {
      t += 2 * SEC;
      // Two workers: the line of the one timed 2 s earlier (before the change) comes after the other's.
      const late = t > change + 31 * SEC && t - 2 * SEC < change + 31 * SEC ? at(t - 1500, `  ✅ Scraped ${key(500 + i)}`) : '';
      h.onChunk(Buffer.from(at(t, `[${i}/240] Processing ${key(i)}`) + at(t, `  ✅ Scraped ${key(i)}`) + late));
    }
    state = reduce(state, { type: 'clock/tick', now: t + 1000 });
    state = reduce(state, { type: 'process/update', patch: { external: true, externalPids: [424242] } });
    const f = currentFigures(state);
    expect(f.elapsedMs).toBe(t + 1000 - start);
    expect(f.idleMs).toBe(1000);
    expect(statusJson(state).logClockStep).toMatchObject({ change: 'skip', from: '10:50', to: '11:50' });
  });

  test('an hour that truly passed while followed is an hour: a writer quiet 61 min (no change of clock)', () => {
    const { state, end } = follow(-300, 60, 61 * MIN);
    const f = currentFigures(state);
    expect(f.elapsedMs).toBe(end + 1000 - start);
    expect(state.log.clockStep ?? null).toBeNull();
  });
});
