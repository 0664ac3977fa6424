import { expect, test } from 'vitest';
import { outcomesOf } from '../src/cloud-run/execution-outcomes.js';
import type { ExecutionInfo } from '../src/cloud-run/execution.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { keptRun } from '../src/state/kept-run.js';
import { reduce } from '../src/state/reducer.js';
import { seededRun } from '../src/state/run.js';
import { runFigures } from '../src/state/run-view.js';
import { banner, logOf } from './support/log-text.js';

// Tester AG12: an execution known only from its kept outcomes, for a job whose args take no keys (the launch gives no
// total), read `43/43 100.0 %` (a full bar): the kept file held no total, so the 43 keys it tried (those with an outcome,
// as it did not succeed) stood for it, for a run that died at 43 of the 234 its log said it loaded.
const T = Date.UTC(2026, 11, 1, 23, 15, 32);
const e: ExecutionInfo = { name: 'projects/p/locations/us-west2/jobs/bf-job/executions/bf-job-9b155', id: 'bf-job-9b155', state: 'unknown', taskCount: 1, runningCount: 0, succeededCount: 0, failedCount: 0, cancelledCount: 0, retriedCount: 0, createTime: T, startTime: T, completionTime: T + 16_000, taskTimeoutSeconds: null, message: null, args: [] };
const keys = Array.from({ length: 43 }, (_, i) => `2022-01-${String((i % 28) + 1).padStart(2, '0')}-${i}`);

test('kept outcomes carry the total their log stated; a run standing in from them is 43/234, never 43/43', () => {
  let s = initialState({ job: 'crjob', log: 'cloud-run', now: T + 60_000, targets: [95] });
  s = reduce(s, { type: 'log/batch', batch: parseText(logOf(T, [...banner(3, 60, 234), ...keys.map((k) => ['WARNING', `  ❌ Failed ${k}: HTTP 500`])]), compileGrammar()) });
  const run = s.log.current!;
  expect(run.total).toBe(234);
  const o = outcomesOf(e, run, null, true);
  expect(o.total).toBe(234);
  // A file kept without it (its log never said) or before it was saved.
  const base = () => seededRun({ startedAt: T, total: null, workers: null, timeoutSec: null });
  const stood = keptRun(base(), JSON.parse(JSON.stringify(o)), false, '.backfill-tui/executions/bf-job-9b155.json');
  expect(stood.total).toBe(234);
  const f = runFigures(stood, T + 60_000, { alive: false, endedAt: T + 16_000 });
  expect([f.done, f.total]).toEqual([43, 234]);
  expect(keptRun(base(), { ...o, total: null, tried: keys }, false, 'x').total).toBeNull();
  const { total: _, ...older } = o;
  expect(keptRun(base(), { ...older, tried: keys }, false, 'x').total).toBe(43);
});
