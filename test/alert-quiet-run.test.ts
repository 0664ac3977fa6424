import { expect, test } from 'vitest';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import type { AppEvent } from '../src/state/events.js';
import { reduce } from '../src/state/reducer.js';
import { runStatus } from '../src/state/run-view.js';
import { writerOf } from '../src/state/writer.js';
import { banner, logOf, T0 } from './support/log-text.js';

const grammar = compileGrammar();
const apply = (s: AppState, events: AppEvent[]) => events.reduce(reduce, s);
const kinds = (s: AppState) => s.alerts.recent.map((a) => a.kind);
const status = (s: AppState) => runStatus(s.log.current, s.now, writerOf(s));

/** A run of 3 keys that went quiet 20 min ago, history read, its writer looked for and gone: `ended`. */
function endedRun(): AppState {
  const s = initialState({ job: 'j', log: '/x.log', now: T0, targets: [95] });
  const records = [...banner(1, 60, 3), ['INFO', '  ✅ Scraped 2021-12-01']];
  const last = T0 + (records.length - 1) * 1000;
  return apply(s, [
    { type: 'log/batch', batch: parseText(logOf(T0, records), grammar) },
    { type: 'clock/tick', now: last + 20 * 60_000 },
    { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true },
    { type: 'process/update', patch: { writersChecked: true, writersCheckedAt: last + 20 * 60_000 } },
  ]);
}

// Tester Y11, the class: whatever makes a run that was over look alive again (a launch whose child is not yet the
// state's, a launch whose seed was not taken), no alert is about it until a line of its own comes.
test('a run over when a launch begins fires nothing while the launch makes its writer look alive, nor when it fails', () => {
  let s = endedRun();
  expect(status(s)).toBe('ended');
  // A launch whose new run is not seeded (the log spoke in between): the old run is current with a live child.
  s = apply(s, [{ type: 'process/update', patch: { launching: true } }, { type: 'process/update', patch: { startingPid: 4321 } }, { type: 'clock/tick', now: s.now + 500 }]);
  expect(status(s)).toBe('stalled');
  expect(kinds(s)).toEqual([]);
  // The launch fails: the old run is ended again, and that is no news either.
  s = apply(s, [{ type: 'process/update', patch: { launching: false, startingPid: null } }, { type: 'clock/tick', now: s.now + 500 }]);
  expect(status(s)).toBe('ended');
  expect(kinds(s)).toEqual([]);
});

test('a run over at the first look stays quiet until it speaks again; then its stall is news', () => {
  const s0 = initialState({ job: 'j', log: '/x.log', now: T0, targets: [95] });
  const records = [...banner(1, 60, 3), ['INFO', '  ✅ Scraped 2021-12-01']];
  const last = T0 + (records.length - 1) * 1000;
  let s = apply(s0, [
    { type: 'log/batch', batch: parseText(logOf(T0, records), grammar) },
    { type: 'clock/tick', now: last + 20 * 60_000 },
    { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true },
    { type: 'process/update', patch: { writersChecked: true, writersCheckedAt: last + 20 * 60_000 } },
  ]);
  expect(s.alerts.quiet).toEqual({ run: `|${T0}`, lines: s.log.lines });
  // A launch window on it: the child spawned, not yet seeded.
  s = apply(s, [{ type: 'process/update', patch: { launching: true, startingPid: 99 } }]);
  expect(status(s)).toBe('stalled');
  expect(kinds(s)).toEqual([]);
  // The run's own line after all (it was written by a process the look could not see): news again from here.
  const t = s.now;
  s = apply(s, [{ type: 'process/update', patch: { launching: false, startingPid: null } }, { type: 'log/batch', batch: parseText(logOf(t + 500, [['INFO', '  ✅ Scraped 2021-12-02']]), grammar), arrivedAt: t + 500 }, { type: 'clock/tick', now: t + 1000 }]);
  expect(status(s)).toBe('running');
  s = apply(s, [{ type: 'clock/tick', now: t + 6 * 60_000 }]);
  expect(status(s)).toBe('stalled');
  expect(kinds(s)).toEqual(['stalled']);
});

test('a launch that failed before writing a line gives the log its run before back; one that wrote keeps it', () => {
  const s = endedRun();
  const before = s.log;
  const seeded = apply(s, [{ type: 'process/update', patch: { launching: true, startingPid: 7 } }, { type: 'log/launched', seed: { startedAt: s.now, total: 3, workers: 1, timeoutSec: 60 }, bytesBefore: s.log.bytesRead }]);
  expect(seeded.log.current).toMatchObject({ startedAt: s.now, total: 3, succeeded: 0 });
  expect(seeded.log.history.length).toBe(before.history.length + 1);
  // As the launch does it: the runs put back first, then the launch window closed.
  const back = apply(seeded, [{ type: 'log/unlaunched', startedAt: s.now, before }, { type: 'process/update', patch: { launching: false, startingPid: null } }]);
  expect(back.log.current).toBe(before.current);
  expect(back.log.history).toBe(before.history);
  expect(status(back)).toBe('ended');
  expect(kinds(back)).toEqual([]);
  // It wrote its usage error: that is a run that died at start, and it stays.
  const wrote = apply(seeded, [{ type: 'log/batch', batch: parseText('bf.py: error: the following arguments are required: --csv\n', grammar) }, { type: 'log/unlaunched', startedAt: s.now, before }]);
  expect(wrote.log.current?.startedAt).toBe(s.now);
});
