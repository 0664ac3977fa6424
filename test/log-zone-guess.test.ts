import { appendFileSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { collectSnapshot } from '../src/app/snapshot.js';
import { logHandlers } from '../src/app/log-events.js';
import { guessAndTail, guessFromFile, guessZone, newestRecordWrittenAt } from '../src/app/log-zone-guess.js';
import { statusText } from '../src/app/status-text.js';
import { statusJson } from '../src/app/status-json.js';
import { loadConfig } from '../src/config.js';
import { compileGrammar } from '../src/parser/index.js';
import type { WritersScan } from '../src/runner/log-writers.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { currentFigures } from '../src/state/current-figures.js';
import { reduce } from '../src/state/reducer.js';

// vitest pins TZ=UTC: this machine's zone is UTC; the log's clock is injected through its wall times.
const dir = mkdtempSync(join(tmpdir(), 'zone-guess-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MIN = 60_000;
const HOUR = 60 * MIN;

/** A run's lines written by a clock `offsetMin` east of UTC from the instant `start`, one line per 2 s. */
function runLog(start: number, offsetMin: number, seconds: number): string {
  const wall = (t: number) => new Date(t + offsetMin * MIN).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
  const out = [`${wall(start)} - INFO - Starting backfill`, `${wall(start)} - INFO - Loaded 60 dates from k.csv`, `${wall(start)} - INFO - Workers: 2`, `${wall(start)} - INFO - Timeout: 60s`];
  const key = (i: number) => new Date(Date.UTC(2021, 9, 19) + i * 86_400_000).toISOString().slice(0, 10);
  for (let i = 1; i <= 60; i++) out.push(`${wall(start)} - INFO - [${i}/60] Queued ${key(i)}`);
  for (let s = 2, k = 1; s <= seconds; s += 2, k++) out.push(`${wall(start + s * 1000)} - INFO -   ✅ Scraped ${key(k)}`);
  return `${out.join('\n')}\n`;
}

/** A writer scan that finds one process writing the log, not ours (as /proc would for a script started by hand). */
const oneWriter: WritersScan = { external: async () => [424242], asks: 0, walks: 0, waiting: false };

describe('guessZone: the log clock from its newest line and when that line was written', () => {
  const t = Date.UTC(2026, 10, 30, 13, 0);
  test.each([
    ['New York in winter, 5 h behind', t - 5 * HOUR, t + 3000, 'UTC-05:00', 5 * HOUR],
    ['India, 5:30 h ahead', t + 5.5 * HOUR, t + 1000, 'UTC+05:30', -5.5 * HOUR],
    ['Kathmandu, 5:45 h ahead, written 90 s late', t + 5.75 * HOUR - 90_000, t, 'UTC+05:45', -5.75 * HOUR],
  ])('%s', (_, newest, written, zone, behind) => {
    expect(guessZone(newest, written, 'file')).toEqual({ zone, behindMs: behind, from: 'file' });
  });
  test.each([
    ['the same zone, a line 40 s late', t - 40_000, t],
    ['the same zone, a run stalled 20 min', t - 20 * MIN, t],
    ['a file touched 5 h 6 min after its last line (no zone is 6 minutes off a quarter hour)', t - 5 * HOUR - 6 * MIN, t],
    ['two days apart (a file copied later)', t - 48 * HOUR, t],
    ['half an hour apart: no zone is UTC-00:30 (tester Y5)', t - 30 * MIN, t],
    ['1:15 h apart: no zone is UTC-01:15', t - 75 * MIN, t],
    ['15:00 h ahead: past UTC+14', t + 15 * HOUR, t],
  ])('no guess: %s', (_, newest, written) => {
    expect(guessZone(newest, written, 'file')).toBeNull();
  });
});

describe('tester U17: a log written in New York, read on a UTC machine with no "timezone"', () => {
  // The run began at 13:00:00 UTC (08:00:00 in New York); it is 13:00:25 now, its newest line is 13:00:20,
  // written at 13:00:21 (the file's modification time).
  const start = Date.UTC(2026, 10, 30, 13, 0, 0);
  const now = start + 25_000;
  const file = join(dir, 'ny.log');
  writeFileSync(file, runLog(start, -5 * 60, 20));
  utimesSync(file, (start + 21_000) / 1000, (start + 21_000) / 1000);
  const config = () => loadConfig({ file: write('ny.json', { job: 'tz', log: 'ny.log', timeout: 60 }), cwd: dir });

  test('one-shot status: running (external), elapsed 0:25, and it says the zone is guessed', async () => {
    const state = await collectSnapshot(config(), { now: () => now, writers: oneWriter, sources: false });
    const f = currentFigures(state);
    expect(f.status).toBe('running');
    expect(f.elapsedMs).toBe(25_000);
    expect(f.idleMs).toBe(5_000);
    const text = statusText(state);
    expect(text).toContain('tz: running (external)');
    expect(text).toContain('elapsed 0:25');
    expect(text).toContain(`log times read as UTC-05:00, 5 h 00 min behind this machine (guessed from the file's modification time; set "timezone" to be sure)`);
    const json = statusJson(state);
    expect(json.logZoneGuess).toEqual({ zone: 'UTC-05:00', behindMinutes: 300, from: 'file', readAhead: null });
    expect(json.run.startedAt).toBe('2026-11-30T13:00:00.000Z');
    expect(json.run.lastActivityAt).toBe('2026-11-30T13:00:20.000Z');
  });

  test('a run in the other zone that really stopped writing is still stalled (the guess rests on when it last wrote)', async () => {
    const late = start + 21_000 + 6 * MIN;
    const state = await collectSnapshot(config(), { now: () => late, writers: oneWriter, sources: false });
    expect(currentFigures(state).status).toBe('stalled');
  });

  // Tester V19: a log copied 2 h after its last line (cat, rsync, a download) was read as UTC-02:00: a file's
  // modification time says when it was last written only while it is being written.
  test('a file not written for more than 10 minutes is read in this machine\'s zone: nothing guessed', async () => {
    const later = start + 21_000 + 2 * HOUR;
    const state = await collectSnapshot(config(), { now: () => later, writers: oneWriter, sources: false });
    expect(state.log.zoneGuess ?? null).toBeNull();
    expect(statusJson(state).logZoneGuess).toBeNull();
    expect(statusText(state)).not.toContain('guessed');
  });

  test('the dashboard, opened before the run began, guesses the same from when the lines arrived', () => {
    let state: AppState = initialState({ job: 'tz', log: file, now, targets: [] });
    const dispatch = (e: Parameters<typeof reduce>[1]) => (state = reduce(state, e));
    // The history read found no file; the lines then arrive as they are written, the last at 13:00:21.
    const h = logHandlers(compileGrammar(), dispatch, () => start + 21_000);
    h.onProgress({ bytesRead: 0, size: 0, historyDone: true });
    h.onChunk(Buffer.from(runLog(start, -5 * 60, 20)));
    state = reduce(state, { type: 'clock/tick', now });
    state = reduce(state, { type: 'process/update', patch: { external: true, externalPids: [424242] } });
    const f = currentFigures(state);
    expect(f.status).toBe('running');
    expect(f.elapsedMs).toBe(25_000);
    expect(state.log.zoneGuess).toEqual({ zone: 'UTC-05:00', behindMs: 5 * HOUR, from: 'arrival' });
    expect(state.ui.notices.map((n) => n.text)).toContain('log times read as UTC-05:00, 5 h 00 min behind this machine (guessed; set "timezone")');
  });

  test('a log in this machine\'s zone is read as it always was, with nothing said', async () => {
    const same = join(dir, 'utc.log');
    writeFileSync(same, runLog(start, 0, 20));
    utimesSync(same, (start + 21_000) / 1000, (start + 21_000) / 1000);
    expect(await guessFromFile(same, compileGrammar())).toBeNull();
    const state = await collectSnapshot(loadConfig({ file: write('utc.json', { job: 'tz', log: 'utc.log', timeout: 60 }), cwd: dir }), { now: () => now, writers: oneWriter, sources: false });
    expect(currentFigures(state).elapsedMs).toBe(25_000);
    expect(statusText(state)).not.toContain('log times read as');
    expect(statusJson(state).logZoneGuess).toBeNull();
  });

  test('with "timezone" set nothing is guessed: the zone is the one configured', async () => {
    expect(await guessFromFile(file, compileGrammar(undefined, 'America/New_York'))).toBeNull();
    const state = await collectSnapshot(loadConfig({ file: write('tzset.json', { job: 'tz', log: 'ny.log', timeout: 60, timezone: 'America/New_York' }), cwd: dir }), { now: () => now, writers: oneWriter, sources: false });
    expect(currentFigures(state).elapsedMs).toBe(25_000);
    expect(state.log.zoneGuess ?? null).toBeNull();
  });
});

// Tester Y5: a finished run, then an hour later a re-run appended with `>>` that died on its arguments. The file's
// modification time is the dead re-run's, an hour after the newest record: it says nothing of the log's clock.
describe('tester Y5: undated lines after the newest record: the modification time is theirs, no zone is guessed', () => {
  const start = Date.UTC(2026, 10, 30, 13, 0, 0);
  const usage = 'usage: backfill.py [-h] --service-url SERVICE_URL\nbackfill.py: error: the following arguments are required: --service-url\n';
  const cases: [string, string][] = [
    ['a dead re-run\'s usage lines', usage],
    ['a traceback', 'Traceback (most recent call last):\n  File "bf.py", line 3, in <module>\nModuleNotFoundError: No module named \'requests\'\n'],
    ['a shell\'s Terminated and blank lines', 'Terminated\n\n  \n'],
  ];
  test.each(cases)('%s, written an hour after the run\'s last line', async (_, tail) => {
    const file = join(dir, `y5-${tail.length}.log`);
    writeFileSync(file, runLog(start, 0, 20) + tail);
    const written = start + 20_000 + HOUR;
    utimesSync(file, written / 1000, written / 1000);
    expect(await guessFromFile(file, compileGrammar(), () => written + 5000)).toBeNull();
    const state = await collectSnapshot(loadConfig({ file: write(`y5-${tail.length}.json`, { job: 'tz', log: file, timeout: 60 }), cwd: dir }), { now: () => written + 5000, writers: oneWriter, sources: false });
    expect(statusJson(state).logZoneGuess).toBeNull();
    expect(statusText(state)).not.toContain('log times read as');
    // The run's times as written, in this machine's zone (UTC here).
    const json = statusJson(state);
    const starts = [json.run, ...(json.runs as { startedAt: string | null }[])].map((r) => r?.startedAt);
    expect(starts).toContain('2026-11-30T13:00:00.000Z');
  });

  test('blank lines and a copytruncate\'s NULs after the newest record hide nothing: still guessed', async () => {
    const file = join(dir, 'y5-nul.log');
    writeFileSync(file, Buffer.concat([Buffer.from(runLog(start, -5 * 60, 20) + '\n\n'), Buffer.alloc(64)]));
    const written = start + 21_000;
    utimesSync(file, written / 1000, written / 1000);
    expect(await guessFromFile(file, compileGrammar(), () => written + 4000)).toEqual({ zone: 'UTC-05:00', behindMs: 5 * HOUR, from: 'file' });
  });
});

function write(name: string, config: object): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(config));
  return p;
}

describe('U17, second shape: a writer whose clock is far off (9,439 h behind), its zone right', () => {
  // The run began 5 min ago by our clock; its lines say 2025-11-02 (a clock set wrong), one every 2 s.
  const now = Date.UTC(2026, 10, 30, 14, 0, 0);
  const behind = now - 300_000 - Date.UTC(2025, 10, 2, 5, 58, 0);
  const start = now - 300_000 - behind;
  const file = join(dir, 'far.log');
  writeFileSync(file, runLog(start, 0, 294));
  utimesSync(file, (now - 5_000) / 1000, (now - 5_000) / 1000);

  test('status: running (external), elapsed 5:00 and a rate, on the log\'s own clock', async () => {
    const state = await collectSnapshot(loadConfig({ file: write('far.json', { job: 'far', log: 'far.log', timeout: 60 }), cwd: dir }), { now: () => now, writers: oneWriter, sources: false });
    const f = currentFigures(state);
    expect(f.status).toBe('running');
    expect(f.elapsedMs).toBe(300_000 - 1_000); // the newest line was written 5 s ago, 1 s after its own time
    expect(f.ratePerMin).not.toBeNull();
    expect(f.ratePerMin!).toBeGreaterThan(25);
    expect(f.ratePerMin!).toBeLessThan(35);
    expect(state.log.zoneGuess ?? null).toBeNull();
  });

  test('the dashboard: the same from when the lines arrived', () => {
    let state: AppState = initialState({ job: 'far', log: file, now, targets: [] });
    const dispatch = (e: Parameters<typeof reduce>[1]) => (state = reduce(state, e));
    const h = logHandlers(compileGrammar(undefined, 'UTC'), dispatch, () => now - 4_000);
    h.onProgress({ bytesRead: 0, size: 0, historyDone: true });
    h.onChunk(Buffer.from(runLog(start, 0, 294)));
    state = reduce(state, { type: 'process/update', patch: { external: true, externalPids: [424242] } });
    const f = currentFigures(state);
    expect(f.status).toBe('running');
    expect(f.elapsedMs).toBe(300_000 - 2_000);
    expect(f.ratePerMin).not.toBeNull();
  });
});

describe('tester X12: a writer whose clock is a few minutes off (no zone fits): never stalled for it, elapsed on its clock', () => {
  // A run began 20 s ago by our clock and writes a line a second; its clock reads 7 min behind ours, or ahead.
  const now = Date.UTC(2026, 10, 30, 14, 0, 0);
  for (const [shape, skew] of [['behind', 7 * MIN], ['ahead', -7 * MIN]] as const) {
    test(`7 min ${shape}: status running (external), elapsed 0:20 from the file's modification time`, async () => {
      const start = now - 20_000 - skew;
      const file = join(dir, `skew-${shape}.log`);
      writeFileSync(file, runLog(start, 0, 20));
      // The newest line (its own time start + 20 s) was written a second ago by our clock.
      utimesSync(file, (now - 1_000) / 1000, (now - 1_000) / 1000);
      const state = await collectSnapshot(loadConfig({ file: write(`skew-${shape}.json`, { job: 'skew', log: `skew-${shape}.log`, timeout: 60 }), cwd: dir }), { now: () => now, writers: oneWriter, sources: false });
      const f = currentFigures(state);
      expect(f.status).toBe('running');
      expect(f.elapsedMs).toBe(21_000);
      expect(state.log.zoneGuess ?? null).toBeNull();
    });
  }

  test('7 min behind and quiet for 6 min by the file: stalled all the same', async () => {
    const start = now - 20_000 - 6 * MIN - 7 * MIN;
    const file = join(dir, 'skew-quiet.log');
    writeFileSync(file, runLog(start, 0, 20));
    utimesSync(file, (now - 6 * MIN) / 1000, (now - 6 * MIN) / 1000);
    const state = await collectSnapshot(loadConfig({ file: write('skew-quiet.json', { job: 'skew', log: 'skew-quiet.log', timeout: 60 }), cwd: dir }), { now: () => now, writers: oneWriter, sources: false });
    expect(currentFigures(state).status).toBe('stalled');
  });
});

describe('tester Y5, the same class for a clock off by minutes: the modification time of undated lines times no record', () => {
  // A run on this machine's clock, its last record 7 min ago; a minute ago its writer printed a warning without a
  // record prefix (a library's stderr). The writer is alive and quiet: stalled, not `running` on a made-up clock.
  const now = Date.UTC(2026, 10, 30, 14, 0, 0);
  test('status: stalled, idle 7 min, no clock offset taken from the undated line\'s time', async () => {
    const start = now - 7 * MIN - 20_000;
    const file = join(dir, 'skew-undated.log');
    writeFileSync(file, `${runLog(start, 0, 20)}/usr/lib/python3/urllib3/connectionpool.py:1099: InsecureRequestWarning: Unverified HTTPS request\n`);
    utimesSync(file, (now - MIN) / 1000, (now - MIN) / 1000);
    const state = await collectSnapshot(loadConfig({ file: write('skew-undated.json', { job: 'skew', log: 'skew-undated.log', timeout: 60 }), cwd: dir }), { now: () => now, writers: oneWriter, sources: false });
    const f = currentFigures(state);
    expect(f.status).toBe('stalled');
    expect(f.idleMs).toBe(7 * MIN);
    expect(state.log.clockBehindMs ?? null).toBeNull();
  });
});

// A one-shot read asks for the log's tail before the read (the zone guess) and after it (when its newest record was
// written): the second answer comes from the first read when the file is as it was then (read-log-once.ts).
describe('one read of the tail serves the zone guess and, while the file is unchanged, when its newest record was written', () => {
  const start = Date.UTC(2026, 10, 30, 13, 0, 0);
  const written = start + 21_000;
  const fresh = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    utimesSync(file, written / 1000, written / 1000);
    return file;
  };

  test('the same guess as guessFromFile, and what it saw: size, modification time, last line a record', async () => {
    const file = fresh('tail-once.log', runLog(start, -5 * 60, 20));
    const now = () => written + 4000;
    const { guess, seen } = await guessAndTail(file, compileGrammar(), now);
    expect(guess).toEqual(await guessFromFile(file, compileGrammar(), now));
    expect(guess).toEqual({ zone: 'UTC-05:00', behindMs: 5 * HOUR, from: 'file' });
    expect(seen).toEqual({ size: statSync(file).size, mtimeMs: written, endsWithRecord: true });
    // A zone configured: no guess, but the tail is read all the same (for the after-read question).
    expect(await guessAndTail(file, compileGrammar(undefined, 'America/New_York'), now)).toEqual({ guess: null, seen });
    expect(await newestRecordWrittenAt(file, seen)).toBe(written);
    expect(await newestRecordWrittenAt(file)).toBe(written);
  });

  test('no file, or an empty one: nothing seen, and the after-read question reads the file as it is then', async () => {
    const missing = join(dir, 'tail-missing.log');
    expect(await guessAndTail(missing, compileGrammar())).toEqual({ guess: undefined, seen: null });
    const empty = fresh('tail-empty.log', '');
    expect(await guessAndTail(empty, compileGrammar())).toEqual({ guess: undefined, seen: null });
    writeFileSync(empty, runLog(start, 0, 20));
    utimesSync(empty, written / 1000, written / 1000);
    expect(await newestRecordWrittenAt(empty, null)).toBe(written);
  });

  test('grown since (a traceback appended after the read began): read again, its last line is no record', async () => {
    const file = fresh('tail-grown.log', runLog(start, 0, 20));
    const { seen } = await guessAndTail(file, compileGrammar(), () => written + 4000);
    expect(seen?.endsWithRecord).toBe(true);
    appendFileSync(file, 'Traceback (most recent call last):\n  File "bf.py", line 3, in <module>\n');
    utimesSync(file, (written + HOUR) / 1000, (written + HOUR) / 1000);
    expect(await newestRecordWrittenAt(file, seen)).toBeNull();
  });

  test('touched since (same size, new modification time): read again, the new time is the record\'s', async () => {
    const file = fresh('tail-touched.log', runLog(start, 0, 20));
    const { seen } = await guessAndTail(file, compileGrammar(), () => written + 4000);
    utimesSync(file, (written + 7000) / 1000, (written + 7000) / 1000);
    expect(await newestRecordWrittenAt(file, seen)).toBe(written + 7000);
  });

  test('as it was (same size and modification time): answered from what was seen, the tail not read again', async () => {
    const file = fresh('tail-same.log', runLog(start, 0, 20));
    const { seen } = await guessAndTail(file, compileGrammar(), () => written + 4000);
    // Its last line made undated in place, same length, the modification time put back: only a second read of the
    // tail would see it.
    const bytes = Buffer.from(runLog(start, 0, 20));
    const last = bytes.lastIndexOf(10, bytes.length - 2) + 1;
    writeFileSync(file, Buffer.concat([bytes.subarray(0, last), Buffer.from('x'.repeat(bytes.length - 1 - last)), Buffer.from('\n')]));
    utimesSync(file, written / 1000, written / 1000);
    expect(statSync(file).size).toBe(seen?.size);
    expect(await newestRecordWrittenAt(file, seen)).toBe(written);
    expect(await newestRecordWrittenAt(file)).toBeNull();
  });
});

// h66's leftover: an I/O error while the history is read ahead for the guess (anchored) failed `status` whole. The
// guess now rests on what was read, and says where the read-ahead stopped and why; the command goes on.
describe('the read-ahead for the guess meets an I/O error part of the way', () => {
  test('the log is still read, the zone guessed from what was read, and status says the read-ahead was cut short', async () => {
    const { readLogOnce } = await import('../src/app/read-log-once.js');
    const { open } = await import('node:fs/promises');
    // 2 MB of a run written in UTC-05:00 until a second ago: the read-ahead takes it in reads of 1 MiB.
    const newest = Date.UTC(2026, 10, 30, 20, 0);
    const text = runLog(newest - 80_000 * 1000, -300, 80_000);
    expect(Buffer.byteLength(text)).toBeGreaterThan(2 << 20);
    const file = join(dir, 'eio.log');
    writeFileSync(file, text);
    utimesSync(file, (newest + 1000) / 1000, (newest + 1000) / 1000);
    // The file as the read-ahead sees it: its first MiB answers, a read past it fails as a failing disk's does.
    const failing = async (path: string) => {
      const h = await open(path, 'r');
      const read = (buffer: Buffer, offset: number, length: number, position: number) =>
        position >= 1 << 20 ? Promise.reject(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })) : h.read(buffer, offset, length, position);
      return { stat: () => h.stat(), close: () => h.close(), read: read as unknown as typeof h.read };
    };
    let state: AppState = initialState({ job: 'eio', log: file, now: newest + 5000, targets: [] });
    await readLogOnce(file, compileGrammar(), (e) => (state = reduce(state, e)), undefined, { now: () => newest + 5000, worker: null, openForGuess: failing });
    expect(state.log.zoneGuess).toEqual({ zone: 'UTC-05:00', behindMs: 5 * HOUR, from: 'file', readAhead: { bytesRead: 1 << 20, size: Buffer.byteLength(text), error: 'EIO' } });
    expect(currentFigures(state).done).toBe(40_000);
    const words = statusText(state).replace(/\s+/g, ' ');
    expect(words).toContain('log times read as UTC-05:00, 5 h 00 min behind this machine (guessed from the file\'s modification time; set "timezone" to be sure); its history read ahead for it stopped at 1.0 MB of 2.');
    expect(words).toContain('(EIO): a clock change after that is not in it');
    expect(statusJson(state).logZoneGuess).toMatchObject({ zone: 'UTC-05:00', readAhead: { bytesRead: 1 << 20, error: 'EIO' } });
  });
});

// Tester AG9: a finished run written in Asia/Kolkata (UTC+05:30), read on a UTC machine with no `timezone` once its file
// had not been written for 10 minutes: nothing was guessed any more, so its lines read 5:30 h in the future (`startedAt`
// 03:58Z the next day at 23:05Z). A newest line later than the file's last write cannot be this machine's clock.
describe('a finished log written in a zone ahead of this machine, read long after', () => {
  const start = Date.UTC(2026, 11, 1, 22, 28, 34);
  const file = join(dir, 'kolkata.log');
  writeFileSync(file, runLog(start, 5.5 * 60, 24));
  const written = start + 24_500;
  utimesSync(file, written / 1000, written / 1000);
  const config = () => loadConfig({ file: write('kolkata.json', { job: 'kol', log: 'kolkata.log', timeout: 60 }), cwd: dir });

  test.each([
    ['11 minutes after its last write', 11 * MIN],
    ['a day after', 24 * HOUR],
  ])('%s: read in UTC+05:30, never after the file was written', async (_, after) => {
    const state = await collectSnapshot(config(), { now: () => written + after, writers: { ...oneWriter, external: async () => [] }, sources: false });
    const json = statusJson(state);
    expect(json.logZoneGuess).toEqual({ zone: 'UTC+05:30', behindMinutes: -330, from: 'file', readAhead: null });
    expect(json.run.startedAt).toBe('2026-12-01T22:28:34.000Z');
    expect(json.run.lastActivityAt).toBe('2026-12-01T22:28:58.000Z');
  });

  test('a zone behind, read long after, is still not guessed (a copy\'s later time says nothing: tester V19)', async () => {
    const behind = join(dir, 'behind-old.log');
    writeFileSync(behind, runLog(start, -5 * 60, 24));
    utimesSync(behind, written / 1000, written / 1000);
    expect(await guessFromFile(behind, compileGrammar(), () => written + 11 * MIN)).toBeNull();
  });
});
