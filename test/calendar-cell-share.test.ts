import { describe, expect, test } from 'vitest';
import { calendarRows, type KeyState } from '../src/state/calendar.js';

// Tester AK7: a game-id job's cell holds ~40 games, and one failure in 40 painted it `✗`: at 92.3 % coverage the
// calendar read as nothing scraped. A cell of more than a few keys shows the worst state a quarter of them are in.
/** One cell's state for keys in these states, all on one date. */
function cellOf(states: [KeyState, number][]): KeyState | null {
  const keys = states.flatMap(([st, n]) => Array.from({ length: n }, (_, i) => `${st}-${i}`));
  const rows = calendarRows(keys, (k) => k.replace(/-\d+$/, '') as KeyState, 20, () => '2022-01-15');
  return rows[0].cells.find((c) => c !== null) ?? null;
}

describe('the state a calendar cell shows', () => {
  test.each([
    ['a few keys, one failed: failed (never hidden by its neighbours)', [['failed', 1], ['storage', 2]], 'failed'],
    ['a few keys, one missing', [['missing', 1], ['storage', 3]], 'missing'],
    ['40 keys, 1 failed: in storage', [['failed', 1], ['storage', 39]], 'storage'],
    ['40 keys, 1 failed and 3 missing: in storage', [['failed', 1], ['missing', 3], ['storage', 36]], 'storage'],
    ['40 keys, 10 failed: failed', [['failed', 10], ['storage', 30]], 'failed'],
    ['40 keys, 12 missing and 2 failed: missing', [['failed', 2], ['missing', 12], ['storage', 26]], 'missing'],
    ['40 keys, all in the warehouse but 9 in storage only', [['storage', 9], ['warehouse', 31]], 'warehouse'],
  ] as [string, [KeyState, number][], KeyState][])('%s', (_name, states, want) => {
    expect(cellOf(states)).toBe(want);
  });
});
