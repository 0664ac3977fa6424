import { expect, test } from 'vitest';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { attachedRunSeed } from '../src/state/attached-seed.js';
import { initialState, type RecordedRun } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { banner, logOf, T0 } from './support/log-text.js';

// Tester AC9: a dashboard opened on a run of ours (re-attached) read the log's history with that run live: each earlier
// run that had stopped short of its summary (killed, stopped) was taken for another writer's run beside ours (Y8's
// rule), so the log's runs were merged or put aside, the current one was an earlier run, the run of ours was then
// seeded from its launch as if silent (`0/552` for good), and its end recorded `✓ 0 ✗ 0`. Only a run that began with
// our launch is ours; earlier runs of the log are history whatever runs now.
const M = 60_000;
const killed = (at: number, n: number, prefix: string) => logOf(at, [...banner(6, 180, n), ...Array.from({ length: n / 2 }, (_, i) => ['INFO', `  ✅ Scraped ${prefix}-${String(i).padStart(3, '0')}`])]);

test('the history read while a run of ours is live: earlier unfinished runs stay history, ours is the current run with its own lines', () => {
  const launchAt = T0 + 30 * M;
  const ours: RecordedRun = { id: 'resume-1', label: 'resume', keyCount: 552, keysFile: '/k', keysGiven: true, pid: 4242, startedAt: launchAt - 1_500, endedAt: null, exitCode: null, reason: null, counts: null, storageBefore: null, storageAfter: null };
  let s = initialState({ job: 'pb2', log: '/x/bf.log', now: launchAt + 20_000, targets: [95] });
  s = reduce(s, { type: 'process/update', patch: { runId: 'resume-1', pid: 4242, procStart: 1, attached: true, alive: true, writersChecked: true, history: [ours] } });
  const text = killed(T0, 40, '2022-01') + killed(launchAt - M, 40, '2022-02') + logOf(launchAt, [...banner(6, 180, 552), ...Array.from({ length: 17 }, (_, i) => ['INFO', `  ✅ Scraped 2022-03-${String(i + 1).padStart(2, '0')}`])]);
  s = reduce(s, { type: 'log/batch', batch: parseText(text, compileGrammar()) });
  s = reduce(s, { type: 'log/progress', bytesRead: text.length, size: text.length, historyDone: true });
  expect(s.log.current).toMatchObject({ startedAt: launchAt, total: 552, succeeded: 17 });
  expect(s.log.history.map((r) => [r.startedAt, r.succeeded])).toEqual([[T0, 20], [launchAt - M, 20]]);
  expect(s.log.beside ?? null).toBeNull();
  // Its own lines are in: nothing to seed from its launch.
  expect(attachedRunSeed(s)).toBeNull();
});
