import { describe, expect, it } from 'vitest';
import { decodeExecution } from '../src/cloud-run/execution.js';
import { stuckReason } from '../src/cloud-run/stuck.js';

const start = Date.parse('2026-03-01T10:00:00Z');
/** An execution as the API returns it, started at 10:00 with a task timeout. */
const exec = (over: Record<string, unknown> = {}, timeout = '10800s') =>
  decodeExecution({ name: 'projects/p/locations/r/jobs/j/executions/j-1', createTime: '2026-03-01T10:00:00Z', startTime: '2026-03-01T10:00:00Z', taskCount: 1, runningCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_PENDING' }], template: { timeout }, ...over });
const min = 60_000;

describe('stuck executions (injected clock)', () => {
  it.each([
    ['1 h 59 min in, 2 h stuckAfter, 3 h timeout', exec(), 119 * min, null],
    ['2 h 01 min in', exec(), 121 * min, 'running 2 h 01 min, past 2 h 00 min (stuckAfter)'],
    ['past a 30 min task timeout before stuckAfter', exec({}, '1800s'), 31 * min, 'running 31:00, past its task timeout of 30:00'],
    // Under a minute in seconds: "running 0 min, past 0 min" said nothing (tester T17).
    ['33 s in, 20 s stuckAfter', exec(), 33_000, 'running 0:33, past 0:20 (stuckAfter)', 20_000],
    ['finished long ago', exec({ completionTime: '2026-03-01T10:05:00Z', runningCount: 0, succeededCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_SUCCEEDED' }] }), 600 * min, null],
  ] as [string, ReturnType<typeof exec>, number, string | null, number?][])('%s', (_name, e, after, want, stuckAfter) => {
    expect(stuckReason(e, start + after, stuckAfter ?? 120 * min)).toBe(want);
  });

  // The numbers are google.cloud.run.v2.Condition's (ExecutionReason: 2 NON_ZERO_EXIT_CODE, 3 CANCELLED, 4 CANCELLING):
  // this table had them one too high, so a cancelling execution read as running.
  it('decodes states from conditions and counts, names or integer enums alike', () => {
    expect(exec().state).toBe('running');
    expect(exec({ completionTime: '2026-03-01T10:05:00Z', failedCount: 1, conditions: [{ type: 'Completed', state: 3 }] }).state).toBe('failed');
    expect(exec({ completionTime: '2026-03-01T10:05:00Z', cancelledCount: 1, conditions: [{ type: 'Completed', state: 3, executionReason: 3 }] }).state).toBe('cancelled');
    expect(exec({ conditions: [{ type: 'Completed', state: 1, executionReason: 4 }] }).state).toBe('cancelling');
    expect(exec({ completionTime: '2026-03-01T10:05:00Z', succeededCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_SUCCEEDED' }] }).state).toBe('succeeded');
  });
});
