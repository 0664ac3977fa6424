import { describe, expect, test } from 'vitest';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { reduce } from '../src/state/reducer.js';
import { deadLaunchSeed } from '../src/state/attached-seed.js';
import { banner, logOf } from './support/log-text.js';
import { unwatchedEnd } from '../src/app/unwatched-end.js';
import { initialState, type AppState, type RecordedRun } from '../src/state/app-state.js';
import { currentFigures } from '../src/state/current-figures.js';
import { launchOfCurrentRun, launchOfRun, runNotes } from '../src/state/run-notes.js';
import { statusJson } from '../src/app/status-json.js';
import { historyLines } from '../src/state/history-lines.js';
import { emptyRun, type RunState } from '../src/state/run.js';
import { stoppedByRecord, writerOf } from '../src/state/writer.js';

// Tester AJ3's leftovers: a run launched here whose writer's clock is behind ours by less than the 2 min from which the
// log's clock is read as off (no clockBehindMs) writes its first line "before" its launch. The places fixed in round 18
// (the attached seed, status) took it for the launch's; the keys-read note, the end and `stopped` still missed it.
// The launch is on our (injected) clock; the log's times on the writer's, `behindMs` slow.
const MIN = 60_000;
const launchedAt = Date.UTC(2026, 11, 2, 9, 0, 0);

function skewed(behindMs: number, over: Partial<RunState> = {}) {
  // Its banner half a second after the launch by the writer's clock, its newest line 3 min later; 120 keys read.
  const t = launchedAt + 500 - behindMs;
  const run: RunState = { ...emptyRun(), startedAt: t, lastActivityAt: t + 3 * MIN, hasActivity: true, total: 120, succeeded: 7, failed: 1, ...over };
  return run;
}

function stateOf(run: RunState, rec: RecordedRun, over: { modifiedAt?: number | null; now?: number; process?: Partial<AppState['process']> } = {}): AppState {
  const now = over.now ?? launchedAt + 4 * MIN;
  const s0 = initialState({ job: 'j', log: '/x/bf.log', now, targets: [] });
  // The file written with the run's newest line (our clock); the writers looked at after it, none not ours.
  const modifiedAt = over.modifiedAt === undefined ? launchedAt + 3 * MIN : over.modifiedAt;
  return {
    ...s0,
    log: { ...s0.log, exists: true, historyDone: true, current: run, modifiedAt, clockBehindMs: null },
    process: { ...s0.process, writersChecked: true, writersCheckedAt: now, history: [rec], ...over.process },
  };
}

const launch = (over: Partial<RecordedRun> = {}): RecordedRun => ({ id: 'resume-1', label: 'resume', keyCount: 130, keysFile: '/k.txt', keysGiven: true, pid: 9, startedAt: launchedAt, endedAt: null, exitCode: null, reason: null, counts: null, ...over });

describe.each([5_000, 119_000])('a writer %i ms behind ours', (behindMs) => {
  test('the keys-read note finds its launch', () => {
    const rec = launch();
    const s = stateOf(skewed(behindMs), rec, { process: { runId: rec.id, pid: 9, attached: true, alive: true } });
    expect(launchOfCurrentRun(s)).toBe(rec);
    expect(runNotes(s.log.current, launchOfCurrentRun(s))).toContain('the script read 120 of the 130 keys launched');
  });

  test('a stop record of its launch makes it `stopped`, ended where its record says', () => {
    const rec = launch({ endedAt: launchedAt + 3 * MIN + 4_000, reason: 'stopped' });
    const s = stateOf(skewed(behindMs), rec);
    expect(stoppedByRecord(s)).toBe(true);
    expect(currentFigures(s).status).toBe('stopped');
    // From its launch to its recorded end, our clock: 3:04, not from its first line's time on the writer's (5:02 at 119 s).
    expect(currentFigures(s).elapsedMs).toBe(3 * MIN + 4_000);
  });

  test('running: elapsed from its launch to now', () => {
    const rec = launch();
    const s = stateOf(skewed(behindMs), rec, { process: { runId: rec.id, pid: 9, attached: true, alive: true } });
    const f = currentFigures(s);
    expect(f.status).toBe('running');
    expect(f.elapsedMs).toBe(4 * MIN);
  });

  test('its launch\'s recorded end is its end, and its start its launch', () => {
    const rec = launch({ endedAt: launchedAt + 3 * MIN + 2_000, reason: 'exited', exitCode: 1 });
    const w = writerOf(stateOf(skewed(behindMs), rec));
    expect(w).toMatchObject({ alive: false, endedAt: launchedAt + 3 * MIN + 2_000, launchedAt });
  });

  test('a complete run is its launch\'s when that launch\'s end says complete', () => {
    const done = skewed(behindMs, { complete: true, finishedAt: launchedAt + 3 * MIN - behindMs });
    expect(launchOfCurrentRun(stateOf(done, launch({ endedAt: launchedAt + 3 * MIN + 1_000, reason: 'complete' })))).not.toBeNull();
  });

  test('a run that ended unwatched is recorded from its own lines, not `gone`', () => {
    const run = skewed(behindMs);
    const s = stateOf(run, launch());
    // Its last line on our clock, by how far its first line reads before its launch (tester AK3: recorded 87 s before
    // its own launch): 3 min and half a second after the launch, as written.
    expect(unwatchedEnd(launch(), s.log)).toMatchObject({ reason: 'ended', endedAt: launchedAt + 3 * MIN + 500, counts: { succeeded: 7, failed: 1, skipped: 0 } });
  });
});

describe.each([5_000, 119_000])('an earlier run of the log, its writer %i ms behind ours', (behindMs) => {
  // Stopped from here after 3 min (its end record has its counts), then a run by hand an hour later is the current one.
  const earlier = skewed(behindMs);
  const rec = launch({ endedAt: launchedAt + 3 * MIN + 4_000, reason: 'stopped', counts: { succeeded: 7, failed: 1, skipped: 0 } });
  const byHand = skewed(behindMs, { startedAt: launchedAt + 60 * MIN, lastActivityAt: launchedAt + 61 * MIN });

  test('its launch is the one whose end record holds its counts: stopped, from its launch to its end', () => {
    expect(launchOfRun(earlier, [rec], [byHand.startedAt!])).toBe(rec);
    const s0 = stateOf(byHand, rec, { now: launchedAt + 62 * MIN });
    const s = { ...s0, log: { ...s0.log, history: [earlier] } };
    const json = statusJson(s).runs[0];
    expect(json.state).toBe('stopped');
    expect(Date.parse(json.finishedAt!) - Date.parse(json.startedAt!)).toBe(3 * MIN + 4_000);
    // And `h`'s row of it, from its launch to its end.
    // And `h`'s row of it (at its first line's time, the log's): from its launch to its end, stopped.
    expect(historyLines(s).map((l) => l.text).filter((t) => /^12-02 \d\d:\d\d    120 keys · 3:04 · ✓ 7 ✗ 1 ↷ 0 · stopped$/.test(t))).toHaveLength(1);
  });

  test('a next launch\'s run begun right after it (tester AK3: stopped after 14 s, launched again 10 s later) leaves it its own', () => {
    const stopped = { ...rec, endedAt: launchedAt + 14_000 };
    const next = launch({ id: 'resume-2', startedAt: launchedAt + 24_000 });
    // The next run's first line 24.5 s after this one's by the writer's clock: after the stopped launch ended on ours.
    const nextRun = earlier.startedAt! + 24_000;
    expect(launchOfRun(earlier, [stopped, next], [nextRun])).toBe(stopped);
    // One begun while the launch was still going would be the launch's: this one is not, then.
    expect(launchOfRun(earlier, [{ ...stopped, endedAt: launchedAt + 60_000 }], [nextRun])).toBeNull();
  });

  test('not with other counts (a run by hand before a launch that did other work)', () => {
    expect(launchOfRun(earlier, [{ ...rec, counts: { succeeded: 3, failed: 0, skipped: 0 } }], [byHand.startedAt!])).toBeNull();
    expect(launchOfRun(earlier, [{ ...rec, counts: null }], [byHand.startedAt!])).toBeNull();
  });
});

describe('what the allowance never takes for a launch\'s run', () => {
  test('a run by hand whose file was last written before the launch (tester U19)', () => {
    const rec = launch({ endedAt: launchedAt + 2_000, reason: 'stopped' });
    // Begun 90 s before the launch, written last 10 s before it: the launch's run is not in the log.
    const hand = skewed(90_000, { lastActivityAt: launchedAt - 10_000 });
    const s = stateOf(hand, rec, { modifiedAt: launchedAt - 10_000 });
    expect(launchOfCurrentRun(s)).toBeNull();
    expect(stoppedByRecord(s)).toBe(false);
    expect(unwatchedEnd(rec, s.log).reason).toBe('gone');
  });

  test('a complete run by hand beside a launch that ended otherwise (its first stderr touched the file)', () => {
    const done = skewed(30_000, { complete: true });
    expect(launchOfCurrentRun(stateOf(done, launch({ endedAt: launchedAt + 1_000, reason: 'exited', exitCode: 1 })))).toBeNull();
  });

  test('a run whose writer is not ours, or writers not looked at yet', () => {
    const rec = launch();
    expect(launchOfCurrentRun(stateOf(skewed(5_000), rec, { process: { external: true, externalPids: [77], attached: true } }))).toBeNull();
    expect(launchOfCurrentRun(stateOf(skewed(5_000), rec, { process: { writersChecked: false } }))).toBeNull();
  });

  test('a run begun more than 2 min before the launch', () => {
    expect(launchOfCurrentRun(stateOf(skewed(125_000), launch()))).toBeNull();
  });
});

// Tester AK3: on the dashboard that launched it, a writer 90 s behind: the seed (our clock) kept its start while the
// run's lines came on the writer's (`its end reads 1:24 before its start`, then `complete · 0:00`).
describe('the dashboard that launched it, its writer 88.5 s behind', () => {
  test('its first lines tell how far behind by its launch: elapsed from the launch, nothing before its start', () => {
    const rec = launch();
    let s = initialState({ job: 'j', log: '/x/bf.log', now: launchedAt, targets: [] });
    s = reduce(s, { type: 'process/update', patch: { runId: rec.id, pid: 9, attached: true, alive: true, writersChecked: true, writersCheckedAt: launchedAt } });
    s = reduce(s, { type: 'process/history', runs: [rec] });
    s = reduce(s, { type: 'log/launched', seed: { startedAt: launchedAt, total: 130, workers: 4, timeoutSec: 60 }, bytesBefore: 0 });
    // Its banner 0.5 s after the launch by its clock, read 2 s after the launch; two keys done 10 s later.
    const grammar = compileGrammar();
    const first = launchedAt + 500 - 89_000;
    s = reduce(s, { type: 'log/batch', batch: parseText(logOf(first, banner(4, 60, 120)), grammar), arrivedAt: launchedAt + 2_000 });
    expect(s.log.clockBehindMs).toBe(89_000);
    s = reduce(s, { type: 'log/batch', batch: parseText(logOf(first + 10_000, [['INFO', '  ✅ Scraped 2022-01-03'], ['INFO', '  ✅ Scraped 2022-01-04']]), grammar), arrivedAt: launchedAt + 12_000 });
    // Kept while the lines agree with it (its arrival alone, under 2 min, would read on time).
    expect(s.log.clockBehindMs).toBe(89_000);
    s = reduce(s, { type: 'clock/tick', now: launchedAt + 30_000 });
    const f = currentFigures(s);
    expect(f).toMatchObject({ status: 'running', elapsedMs: 30_000 });
    expect(s.log.history).toEqual([]);
    expect(runNotes(s.log.current, launchOfCurrentRun(s))).toEqual(['the script read 120 of the 130 keys launched']);
  });
});

describe('a launch that ended, its run\'s writer 90 s behind: status and a dashboard opened later (tester AK3)', () => {
  test('no `0/N` run from the launch beside its complete run', () => {
    const rec = launch({ endedAt: launchedAt + 90_000, reason: 'complete', counts: { succeeded: 76, failed: 4, skipped: 0 } });
    // A minute's run, its summary at 60.5 s by its clock, 89.5 s behind ours: 29 s "before" its launch.
    const done = skewed(89_500, { complete: true, lastActivityAt: launchedAt - 29_000, finishedAt: launchedAt - 29_000 });
    const s0 = stateOf(done, rec, { modifiedAt: launchedAt + 60_600, now: launchedAt + 5 * MIN });
    const s = { ...s0, log: { ...s0.log, lines: 170, lastRecordAt: done.finishedAt } };
    expect(deadLaunchSeed(s)).toBeNull();
    // A launch whose run is not in the log at all (it died before its first record) still seeds its run.
    expect(deadLaunchSeed({ ...s, log: { ...s.log, modifiedAt: launchedAt - 60_000 } })?.seed).toMatchObject({ startedAt: launchedAt, total: 130 });
  });
});

// Tester AK3 (on cb26932): a complete launch, then 10 s after its end another, stopped after 15 s; the writer 90 s behind
// puts the stopped run's first line in the complete launch's window. It is the later launch's, now and once earlier.
describe('a stopped run right after a complete launch, its writer 90 s behind', () => {
  const first = launch({ id: 'resume-1', startedAt: launchedAt - 100_000, endedAt: launchedAt - 10_000, reason: 'complete', counts: { succeeded: 76, failed: 4, skipped: 0 } });
  const second = launch({ id: 'resume-2', startedAt: launchedAt, endedAt: launchedAt + 15_000, reason: 'stopped', counts: { succeeded: 22, failed: 1, skipped: 0 } });
  const firstRun = skewed(90_000, { startedAt: launchedAt - 100_000 + 500 - 90_000, complete: true, succeeded: 76, failed: 4 });
  const stoppedRun = skewed(90_000, { lastActivityAt: launchedAt + 14_000 - 90_000, succeeded: 22, failed: 1, total: 24 });

  test('the current run: its own launch, stopped', () => {
    const s0 = stateOf(stoppedRun, first, { modifiedAt: launchedAt + 14_500, now: launchedAt + MIN });
    const s = { ...s0, log: { ...s0.log, history: [firstRun] }, process: { ...s0.process, history: [first, second] } };
    expect(launchOfCurrentRun(s)?.id).toBe('resume-2');
    expect(stoppedByRecord(s)).toBe(true);
  });

  test('an earlier run: the launch whose end record holds its counts', () => {
    expect(launchOfRun(stoppedRun, [first, second], [firstRun.startedAt!])?.id).toBe('resume-2');
  });
});
