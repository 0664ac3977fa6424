import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { expect, test } from 'vitest';
import { RunPanel } from '../components/RunPanel.js';
import { statusText } from '../src/app/status-text.js';
import { outcomesOf, type ExecutionOutcomes } from '../src/cloud-run/execution-outcomes.js';
import type { ExecutionInfo } from '../src/cloud-run/execution.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { currentFigures } from '../src/state/current-figures.js';
import { keptRun } from '../src/state/kept-run.js';
import { initialPlaceState } from '../src/state/place-state.js';
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
const failures = keys.map((k) => ['WARNING', `  ❌ Failed ${k}: HTTP 500`]);

/** The outcomes a dashboard keeps of the execution whose log is `lines` (banner included or not), launched with `keys`. */
function keptOf(lines: string[][]): ExecutionOutcomes {
  let s = initialState({ job: 'crjob', log: 'cloud-run', now: T + 60_000, targets: [95] });
  s = reduce(s, { type: 'log/batch', batch: parseText(logOf(T, lines), compileGrammar()) });
  // Through JSON, as the file on disk holds it.
  return JSON.parse(JSON.stringify(outcomesOf(e, s.log.current!, keys, true))) as ExecutionOutcomes;
}

/** The job screen's run row and status's run line for the execution standing in from `o` (no launch total). */
function shownFrom(o: ExecutionOutcomes): { row: string; status: string } {
  let s = initialState({ job: 'crjob', log: 'cloud-run', now: T + 60_000, targets: [95], place: initialPlaceState('p', 7200_000) });
  s = reduce(s, { type: 'log/kept', outcomes: o, complete: false, keptFrom: '.backfill-tui/executions/bf-job-9b155.json' });
  const run = s.log.current!;
  const row = stripVTControlCharacters(renderToString(<RunPanel run={run} figures={currentFigures(s)} width={80} />, { columns: 80 })).split('\n')[0];
  const status = statusText(s).split('\n').find((l) => l.startsWith('run '))!;
  return { row, status };
}

test('kept outcomes carry the total their log stated; a run standing in from them is 43/234, never 43/43', () => {
  const o = keptOf([...banner(3, 60, 234), ...failures]);
  expect(o.total).toBe(234);
  const base = () => seededRun({ startedAt: T, total: null, workers: null, timeoutSec: null });
  const stood = keptRun(base(), o, false, '.backfill-tui/executions/bf-job-9b155.json');
  expect(stood.total).toBe(234);
  const f = runFigures(stood, T + 60_000, { alive: false, endedAt: T + 16_000 });
  expect([f.done, f.total]).toEqual([43, 234]);
  const shown = shownFrom(o);
  expect(shown.row).toMatch(/^Run ✗+░+ 43\/234 18\.3 %/);
  expect(shown.status).toMatch(/^run +43\/234 +18\.3 %/);
});

test('a log that stated no total: kept as none, the run reads 43/? (total not known), never a full bar', () => {
  const o = keptOf(failures);
  expect(o.total).toBeNull();
  // The keys it reached, kept as tried (it did not succeed): never its total.
  expect(o.tried).toHaveLength(43);
  const shown = shownFrom(o);
  expect(shown.row).toMatch(/^Run ░+ 43\/\? \(total not known\)/);
  expect(shown.row).not.toContain('✗');
  expect(shown.status).toMatch(/^run +43\/\? +elapsed/);
});

test('a file kept before the total was saved: the keys it tried are its total only when they are the list it was given', () => {
  const { total: _, ...older } = keptOf(failures);
  const base = () => seededRun({ startedAt: T, total: null, workers: null, timeoutSec: null });
  // Cancelled or failed: the keys it reached (Y4), never its total.
  expect(keptRun(base(), { ...older, tried: keys }, false, 'x').total).toBeNull();
  expect(shownFrom({ ...older, tried: keys }).row).toMatch(/ 43\/\? \(total not known\)/);
  // Kept before Y4: every key it was given, more than got an outcome.
  expect(keptRun(base(), { ...older, tried: [...keys, 'k44', 'k45'] }, false, 'x').total).toBe(45);
  // Its log held the summary: it went through its list.
  expect(keptRun(base(), { ...older, tried: keys }, true, 'x').total).toBe(43);
});
