import { expect, test } from 'vitest';
import { decodeExecution } from '../src/cloud-run/execution.js';
import { outcomesOf } from '../src/cloud-run/execution-outcomes.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { applyLines } from '../src/state/apply-lines.js';
import { banner, logOf, T0 } from './support/log-text.js';

// Tester Y4: a retry execution cancelled at 23 of its 26 keys was kept with all 26 as tried: the 3 it never reached
// (no outcome line, not in storage) read `recovered` on the next dashboard, and `r` left them out.
const given = ['2022-03-26', '2022-04-01', '2022-05-09', '2022-05-13', '2022-05-18'];
const lines = logOf(T0, [...banner(3, 60, 5), ...given.map((k, i) => ['INFO', `[${i + 1}/5] Queued ${k}`]), ['INFO', '  ✅ Scraped 2022-04-01'], ['WARNING', '  ❌ Failed 2022-05-09: HTTP 500'], ['INFO', '  ✅ Scraped 2022-03-26']]);
const run = applyLines({ current: null, history: [] }, parseText(lines, compileGrammar()).lines).current;
const execution = (state: 'CONDITION_SUCCEEDED' | 'CONDITION_FAILED', cancelled = false) =>
  decodeExecution({ name: 'projects/p/locations/r/jobs/j/executions/j-1', createTime: '2026-03-01T12:00:00Z', startTime: '2026-03-01T12:00:00Z', completionTime: '2026-03-01T12:05:00Z', taskCount: 1, succeededCount: state === 'CONDITION_SUCCEEDED' ? 1 : 0, failedCount: state === 'CONDITION_FAILED' && !cancelled ? 1 : 0, cancelledCount: cancelled ? 1 : 0, conditions: [{ type: 'Completed', state, ...(cancelled ? { executionReason: 'CANCELLED' } : {}) }] });

test('a cancelled or failed execution tried only the keys its log gave an outcome; a succeeded one all it was given', () => {
  const reached = ['2022-03-26', '2022-04-01', '2022-05-09'];
  expect(execution('CONDITION_FAILED', true).state).toBe('cancelled');
  expect(outcomesOf(execution('CONDITION_FAILED', true), run, given, true).tried).toEqual(reached);
  expect(outcomesOf(execution('CONDITION_FAILED'), run, given, true).tried).toEqual(reached);
  expect(outcomesOf(execution('CONDITION_SUCCEEDED'), run, given, true).tried).toEqual(given);
  // Not known from its launch (started elsewhere): still not known.
  expect(outcomesOf(execution('CONDITION_FAILED', true), run, null, true).tried).toBeNull();
});
