import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { collectSnapshot } from '../src/app/snapshot.js';
import { statusJson } from '../src/app/status-json.js';
import { loadConfig } from '../src/config.js';
import { inZone, parseFailedFile, runStartFromName } from '../src/failures/failed-file.js';
import type { WritersScan } from '../src/runner/log-writers.js';
import { removeDir } from './support/remove-dir.js';
import { simulate } from './support/simulate.js';

// vitest pins TZ=UTC: this machine's zone is UTC. The simulated script writes in New York's (EST, UTC-05:00, in
// December), its log lines and its failed-keys file's name and `timestamp` alike, as Python's datetime.now() does.
const dir = mkdtempSync(join(tmpdir(), 'failed-zone-'));
afterAll(() => removeDir(dir));
const START = Date.UTC(2026, 11, 1, 15, 51, 30);
/** A writer scan that finds one process writing the log (a script started by hand). */
const oneWriter: WritersScan = { external: async () => [424242], asks: 0, walks: 0, waiting: false };
let end = 0;
let failedKeys: string[] = [];

beforeAll(async () => {
  // Twenty April dates (the sim's HTTP 500 months), half of them failing: one run, so no key is persistent yet.
  const keys = Array.from({ length: 20 }, (_, i) => `2022-04-${String(i + 1).padStart(2, '0')}`);
  writeFileSync(join(dir, 'keys.csv'), `${keys.join('\n')}\n`);
  const r = await simulate(['--csv', 'keys.csv', '--storage', 'storage', '--failed-dir', '.', '--fail-rate=0.5', '--exception-rate=0', '--timeout-rate=0', '--seed=4', '--timezone', 'America/New_York'], { start: START, cwd: dir });
  expect(r.code).toBe(0);
  writeFileSync(join(dir, 'bf.log'), r.log);
  end = r.end;
  const names = readdirSync(dir).filter((n) => n.startsWith('failed_dates_'));
  expect(names).toHaveLength(1);
  failedKeys = (JSON.parse(readFileSync(join(dir, names[0]), 'utf8')).failed_dates as { game_date: string }[]).map((e) => e.game_date);
  expect(failedKeys.length).toBeGreaterThan(1);
});

const config = (name: string, extra: object) =>
  loadConfig({
    file: (writeFileSync(join(dir, name), JSON.stringify({ job: 'nyc', log: 'bf.log', failed: 'failed_dates_*.json', expected: 'keys.csv', storage: { url: 'storage' }, timeout: 60, ...extra })), join(dir, name)),
    cwd: dir,
  });

test('tester AE4: the simulator names and stamps its failed-keys file on the log\'s clock, in --timezone', () => {
  // The run began at 10:51:30 in New York (15:51:30 UTC); Python names the file from datetime.now() there.
  const names = readdirSync(dir).filter((n) => n.startsWith('failed_dates_'));
  expect(names).toEqual(['failed_dates_20261201_105130.json']);
  const stamp = JSON.parse(readFileSync(join(dir, names[0]), 'utf8')).timestamp as string;
  // Written at the run's end on the simulated clock, within the run's few simulated minutes.
  expect(stamp.slice(0, 14)).toBe('2026-12-01T10:');
  expect(readFileSync(join(dir, 'bf.log'), 'utf8').slice(0, 19)).toBe('2026-12-01 10:51:30');
});

test('a name\'s YYYYMMDD_HHMMSS is read in the zone given, this machine\'s without one', () => {
  expect(new Date(runStartFromName('failed_dates_20261201_105130.json', 'America/New_York')!).toISOString()).toBe('2026-12-01T15:51:30.000Z');
  expect(new Date(runStartFromName('failed_dates_20261201_105130.json', 'UTC-05:00')!).toISOString()).toBe('2026-12-01T15:51:30.000Z');
  expect(new Date(runStartFromName('failed_dates_20261201_105130.json')!).toISOString()).toBe('2026-12-01T10:51:30.000Z');
  // Summer time: 10:51:30 EDT is 14:51:30 UTC.
  expect(new Date(runStartFromName('failed_dates_20260701_105130.json', 'America/New_York')!).toISOString()).toBe('2026-07-01T14:51:30.000Z');
  expect(runStartFromName('failed_dates_20261301_105130.json', 'America/New_York')).toBeNull();
});

// Tester AE1: the file's name read in UTC put it 5 h before its run: a run of its own that failed every key, so
// after ONE run every failed key was `2 of 2 persistent` and `r` refused them all.
describe('tester AE1: a failed-keys file is its run\'s when the log is in another zone', () => {
  test('"timezone" configured: one run, its failures, none persistent', async () => {
    utimesSync(join(dir, 'bf.log'), (end - 3_600_000) / 1000, (end - 3_600_000) / 1000);
    const state = await collectSnapshot(config('tz.json', { timezone: 'America/New_York' }), { now: () => end + 2 * 3_600_000, writers: oneWriter });
    const f = statusJson(state).failures;
    expect(f.failing).toBe(failedKeys.length);
    expect(f.persistent).toBe(0);
  });

  test('no "timezone", the zone guessed from a log still being written: the same', async () => {
    utimesSync(join(dir, 'bf.log'), end / 1000, end / 1000);
    const state = await collectSnapshot(config('guess.json', {}), { now: () => end + 5_000, writers: oneWriter });
    const json = statusJson(state);
    expect(json.logZoneGuess).toEqual({ zone: 'UTC-05:00', behindMinutes: 300, from: 'file', readAhead: null });
    expect(json.failures.failing).toBe(failedKeys.length);
    expect(json.failures.persistent).toBe(0);
  });
});

// Tester AE9: on the fall-back night a run began at 01:58:52 EDT and wrote its file after the clocks went back, its
// `timestamp` 01:00:26 (EST). Read as the first 01:00:26 (EDT) the file was written before its run began: not its
// run's, and that one run's 31 failures were `2 of 2 persistent`.
test('on the fall-back night the timestamp is the occurrence its write made, and the name the start before it', () => {
  const body = JSON.stringify({ timestamp: '2026-11-01T01:00:26.783226', total_failed: 1, failed_dates: [{ game_date: '2022-04-17', status: 'failed', error: 'HTTP 500' }] });
  const parsed = parseFailedFile('/x/failed_dates_20261101_015852.json', body);
  if (!parsed.ok) throw new Error(parsed.reason);
  const file = inZone({ ...parsed.file, mtimeMs: Date.UTC(2026, 10, 1, 6, 0, 27) }, 'America/New_York');
  expect(new Date(file.writtenAtMs!).toISOString()).toBe('2026-11-01T06:00:26.783Z');
  expect(new Date(file.runStartedAt!).toISOString()).toBe('2026-11-01T05:58:52.000Z');
  // A run begun and ended in the first 01:00 hour (EDT): the first occurrence, both.
  const first = parseFailedFile('/x/failed_dates_20261101_011000.json', body.replace('01:00:26', '01:30:26'));
  if (!first.ok) throw new Error(first.reason);
  const early = inZone({ ...first.file, mtimeMs: Date.UTC(2026, 10, 1, 5, 30, 27) }, 'America/New_York');
  expect(new Date(early.writtenAtMs!).toISOString()).toBe('2026-11-01T05:30:26.783Z');
  expect(new Date(early.runStartedAt!).toISOString()).toBe('2026-11-01T05:10:00.000Z');
});

// AE9's residue: the same file read with no zone on a UTC machine (the log's clock takes the step back as a set back):
// its timestamp, 01:00:26, came before its name's 01:58:52, so the file was before its own run.
test('read in a zone without that change, a timestamp up to an hour before its name is after the clock went back', () => {
  const body = JSON.stringify({ timestamp: '2026-11-01T01:00:26.783226', total_failed: 0, failed_dates: [] });
  const parsed = parseFailedFile('/x/failed_dates_20261101_015852.json', body);
  if (!parsed.ok) throw new Error(parsed.reason);
  const file = inZone({ ...parsed.file, mtimeMs: Date.UTC(2026, 10, 1, 6, 0, 27) }, 'UTC');
  expect(new Date(file.runStartedAt!).toISOString()).toBe('2026-11-01T01:58:52.000Z');
  expect(new Date(file.writtenAtMs!).toISOString()).toBe('2026-11-01T02:00:26.783Z');
  // Two hours before: no set back explains it, the time stays as written.
  const odd = parseFailedFile('/x/failed_dates_20261101_035852.json', body);
  if (!odd.ok) throw new Error(odd.reason);
  expect(new Date(inZone({ ...odd.file, mtimeMs: 0 }, 'UTC').writtenAtMs!).toISOString()).toBe('2026-11-01T01:00:26.783Z');
});
