import { describe, expect, test } from 'vitest';
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
    // Its last line's time as written: how far behind the writer is, nothing says.
    expect(unwatchedEnd(launch(), s.log)).toMatchObject({ reason: 'ended', endedAt: run.lastActivityAt, counts: { succeeded: 7, failed: 1, skipped: 0 } });
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
