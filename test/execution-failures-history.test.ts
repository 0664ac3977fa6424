import { expect, test } from 'vitest';
import { outcomesAsRuns } from '../src/cloud-run/execution-outcomes.js';
import type { ExecutionInfo } from '../src/cloud-run/execution.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { historyLines } from '../src/state/history-lines.js';
import { initialPlaceState } from '../src/state/place-state.js';
import { reduce } from '../src/state/reducer.js';
import { banner, logOf } from './support/log-text.js';

// Tester AC2: a Cloud Run job's `h`, `Failed keys by execution (from its log)`, listed an execution that failed nothing
// as `✗ 0:` (a colon and nothing after it), left out the execution followed now (its 2 failures read from its log),
// and put an earlier execution above a later one under `newest first`. AE13's nit: then `✗ 0` with nothing after the
// count; it says `no failures`.
const T = Date.UTC(2026, 11, 1, 10, 10, 10);
const execution = (id: string, start: number): ExecutionInfo => ({
  name: `projects/p/locations/us-west2/jobs/bf-job/executions/${id}`, id, state: 'succeeded', taskCount: 1, runningCount: 0, succeededCount: 1, failedCount: 0, cancelledCount: 0,
  retriedCount: 0, createTime: start, startTime: start, completionTime: start + 20_000, taskTimeoutSeconds: null, message: null, args: [],
});
const fail = (key: string, error = 'HTTP 500') => ({ key, status: error === 'timeout' ? 'timeout' : 'failed', error });

function scene(followed: ExecutionInfo, lines: string[][], kept: Parameters<typeof outcomesAsRuns>[0]): AppState {
  let s = initialState({ job: 'crjob', log: 'cloud-run', now: T + 600_000, targets: [95], place: initialPlaceState('Cloud Run job bf-job (us-west2)', 7_200_000) });
  s = reduce(s, { type: 'place/update', patch: { execution: followed, ours: true } });
  s = reduce(s, { type: 'log/batch', batch: parseText(logOf(followed.startTime!, lines), compileGrammar()) });
  s = reduce(s, { type: 'failed/executions', ...outcomesAsRuns(kept, followed.id) });
  return reduce(s, { type: 'ui/view', view: 'history' });
}
const section = (s: AppState) => {
  const lines = historyLines(s).map((l) => l.text);
  const at = lines.findIndex((l) => l.startsWith('Failed keys by execution'));
  return at < 0 ? [] : lines.slice(at);
};

test('each ended execution with its failures, the followed one from its log, newest first; one without failures says so in words', () => {
  const dead = { id: 'bf-job-acab0', startedAt: T, endedAt: T + 5_000, failed: [], tried: null, whole: true, counts: { succeeded: 0, failed: 0, skipped: 0 } };
  const ca502 = execution('bf-job-ca502', T + 24_000);
  const s = scene(ca502, [...banner(3, 180, 30), ['WARNING', '  ❌ Failed 2022-01-05: HTTP 500'], ['WARNING', '  ❌ Timeout 2022-01-06'], ['INFO', '  ✅ Scraped 2022-01-07']], [dead]);
  expect(section(s)).toEqual(['Failed keys by execution (from its log): 2, newest first', '12-01 10:10 ✗ 2: Regular season 2 · HTTP 500 1 · timeout 1', '12-01 10:10 no failures']);
  // A third execution followed now (it failed nothing): it too, `no failures`, above the two before it (tester AE13's nit,
  // rechecked by h72: it was left out, where README lists each execution read, the one followed now included).
  const kept = [dead, { id: 'bf-job-ca502', startedAt: T + 24_000, endedAt: T + 60_000, failed: [fail('2022-01-05'), fail('2022-01-06', 'timeout')], tried: null, whole: true, counts: { succeeded: 28, failed: 2, skipped: 0 } }];
  const later = scene(execution('bf-job-78c41', T + 300_000), [...banner(3, 180, 2), ['INFO', '  ✅ Scraped 2022-01-05'], ['INFO', '  ✅ Scraped 2022-01-06']], kept);
  expect(section(later)).toEqual(['Failed keys by execution (from its log): 3, newest first', '12-01 10:15 no failures', '12-01 10:10 ✗ 2: Regular season 2 · HTTP 500 1 · timeout 1', '12-01 10:10 no failures']);
});

// Tester AE10: `h` printed its times in UTC, unlabelled, whatever the zone: at 2 a.m. in New York tonight's run read
// `12-02 07:00`, and a launch and its own run in the log read five hours apart. They are this machine's local time.
test('the times of h are this machine\'s local time (TZ=America/New_York: 10:10 UTC is 05:10)', () => {
  const saved = process.env.TZ;
  process.env.TZ = 'America/New_York'; // Node re-reads the zone when TZ is assigned
  try {
    const followed = execution('bf-job-ca502', T + 24_000);
    const s = scene(followed, [...banner(3, 180, 30), ['WARNING', '  ❌ Failed 2022-01-05: HTTP 500']], []);
    expect(section(s)[1]).toMatch(/^12-01 05:10 ✗ 1/);
  } finally {
    process.env.TZ = saved;
  }
});
