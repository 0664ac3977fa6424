import { expect, test } from 'vitest';
import { failureBreakdown, failureKindsLine } from '../src/state/failure-breakdown.js';
import { errorGroups } from '../src/failures/analysis.js';

// Tester AI10 g: one `status` said `timeout 3 · HTTP 500 3` on the run's kinds line and `HTTP 500 3 · timeout 3` under
// failures: ties took the order the kinds were first seen in on one line, their names' on the other.
test('kinds biggest first, ties by name, in the order the failures\' groups take', () => {
  const seen = { timeout: 3, 'HTTP 500': 3, 'HTTP 404': 5 };
  expect(failureBreakdown(seen)).toBe('HTTP 404 5 · HTTP 500 3 · timeout 3');
  expect(errorGroups(new Map(Object.entries(seen))).map((g) => `${g.label} ${g.count}`).join(' · ')).toBe(failureBreakdown(seen));
  expect(failureKindsLine({ timeout: 2, error: 2 }, 4)).toBe('error 2 · timeout 2 · 4 not read (lines lost)');
});
