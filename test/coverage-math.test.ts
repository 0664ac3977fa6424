import { describe, expect, test } from 'vitest';
import { computeCoverage, keysForTarget, lag, nextUnmetTarget } from '../src/coverage/math.js';

describe('keysForTarget', () => {
  // The float traps: naive ceil(t / 100 * n) gives 8, 12 and 8 for the three marked rows.
  test.each([
    [95, 853, 811], // 810.35: met at 811, not 810
    [98, 853, 836],
    [100, 853, 853],
    [95, 100, 95], // exactly 95, no rounding up
    [95, 5299, 5035],
    [14, 50, 7], // trap: 14/100*50 = 7.000000000000001
    [1.1, 1000, 11], // trap: 1.1/100*1000 = 11.000000000000002
    [7, 100, 7], // trap: 0.07*100 = 7.000000000000001
    [99.95, 853, 853], // 852.57
    [99.9, 1000, 999],
    [33.33, 3, 1],
    [0.001, 100_000, 1],
    [95, 0, 0],
    [100, 1, 1],
  ])('%d %% of %d is %d keys', (percent, expected, keys) => {
    expect(keysForTarget(percent, expected)).toBe(keys);
  });

  test.each([[0], [-5], [100.5], [Number.NaN]])('rejects target %d', (t) => {
    expect(() => keysForTarget(t, 10)).toThrow(RangeError);
  });
});

const dates = (n: number) => Array.from({ length: n }, (_, i) => `k${String(i).padStart(6, '0')}`);

describe('computeCoverage', () => {
  test.each([
    { name: 'nothing found', found: [], present: 0, extra: 0, missing: ['a', 'b', 'c', 'd'] },
    { name: 'some found', found: ['b', 'd'], present: 2, extra: 0, missing: ['a', 'c'] },
    { name: 'extra keys never raise coverage', found: ['a', 'x', 'y', 'z'], present: 1, extra: 3, missing: ['b', 'c', 'd'] },
    { name: 'all found', found: ['d', 'c', 'b', 'a'], present: 4, extra: 0, missing: [] },
  ])('$name', ({ found, present, extra, missing }) => {
    const c = computeCoverage(['a', 'b', 'c', 'd'], new Set(found), [100]);
    expect(c).toMatchObject({ expected: 4, present, extra, missing, percent: (present / 4) * 100 });
  });

  test('the handoff numbers: 622 present of 853 with 13 extra folders', () => {
    const expected = dates(853);
    const found = new Set([...expected.slice(0, 622), 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8', 'x9', 'x10', 'x11', 'x12', 'x13']);
    const c = computeCoverage(expected, found, [100, 95, 98]);
    expect(c.present).toBe(622);
    expect(c.extra).toBe(13);
    expect(c.missing).toHaveLength(231);
    expect(c.missing[0]).toBe(expected[622]);
    expect(c.percent).toBeCloseTo(72.92, 2);
    expect(c.targets).toEqual([
      { percent: 95, keys: 811, met: false, needed: 189 },
      { percent: 98, keys: 836, met: false, needed: 214 },
      { percent: 100, keys: 853, met: false, needed: 231 },
    ]);
  });

  test.each([
    [810, false, 1],
    [811, true, 0],
    [853, true, 0],
  ])('95 %% of 853 with %d present: met %s, needed %d', (present, met, needed) => {
    const expected = dates(853);
    const c = computeCoverage(expected, new Set(expected.slice(0, present)), [95]);
    expect(c.targets[0]).toEqual({ percent: 95, keys: 811, met, needed });
  });

  test('unsorted, duplicated input is counted once and missing comes out sorted', () => {
    const c = computeCoverage(['c', 'a', 'c', 'b'], new Set(['b']), [50]);
    expect(c).toMatchObject({ expected: 3, present: 1, extra: 0, missing: ['a', 'c'] });
  });

  test('nothing expected meets no target (an empty list must not pass --require)', () => {
    const c = computeCoverage([], new Set(['a']), [95]);
    expect(c).toMatchObject({ expected: 0, present: 0, extra: 1, percent: 0 });
    expect(c.targets[0]).toEqual({ percent: 95, keys: 0, met: false, needed: 0 });
  });

  // No time assertion (the bench measures it); a quadratic version would blow the test timeout.
  test('100,000 expected against 100,000 found', () => {
    const expected = dates(100_000);
    const found = new Set(dates(100_000).map((k, i) => (i % 10 === 0 ? `other${i}` : k)));
    const c = computeCoverage(expected, found, [95, 98, 100]);
    expect(c).toMatchObject({ present: 90_000, extra: 10_000 });
    expect(c.missing).toHaveLength(10_000);
    expect(c.targets.map((t) => t.needed)).toEqual([5_000, 8_000, 10_000]);
  });
});

describe('lag', () => {
  test.each([
    { storage: [], warehouse: [], keys: [] },
    { storage: ['a', 'b', 'c'], warehouse: ['a'], keys: ['b', 'c'] },
    { storage: ['c', 'b', 'x'], warehouse: [], keys: ['b', 'c'] }, // x is not expected
    { storage: ['a'], warehouse: ['a', 'b'], keys: [] }, // in the warehouse without storage: no lag
  ])('storage $storage, warehouse $warehouse → $keys', ({ storage, warehouse, keys }) => {
    expect(lag(new Set(storage), new Set(warehouse), ['a', 'b', 'c', 'd'])).toEqual({ count: keys.length, keys });
  });
});

describe('nextUnmetTarget', () => {
  const t = (percent: number, met: boolean) => ({ percent, keys: 0, met, needed: met ? 0 : 1 });
  test.each([
    { targets: [t(95, true), t(98, false), t(100, false)], next: 98 },
    { targets: [t(100, false), t(95, false)], next: 95 },
    { targets: [t(95, true), t(100, true)], next: null },
    { targets: [], next: null },
  ])('next unmet is $next', ({ targets, next }) => {
    expect(nextUnmetTarget(targets)?.percent ?? null).toBe(next);
  });
});
