import { describe, expect, test } from 'vitest';
import { funnel, missingInStage, type StageLook } from '../src/chain/funnel.js';
import { chainJson } from '../src/chain/chain-json.js';
import { stageFigures, stageNoteForms } from '../src/chain/funnel-text.js';

const keys = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `k${String(i + from).padStart(6, '0')}`);
const look = (k: string[]): StageLook => ({ label: 'src', keys: new Set(k), checkedAt: 1, error: null, hint: null });
const stages = [
  { name: 'A', after: null },
  { name: 'B', after: 'A' },
];

describe('funnel', () => {
  test('percent rounds down: 99,996 of 100,000 reads 99.99, never 100, and 100 % is not met', () => {
    const expected = keys(100_000);
    const [a] = funnel(stages.slice(0, 1), [95, 100], expected, new Map([['A', look(expected.slice(0, 99_996))]]));
    expect(a.percent).toBe(99.99);
    expect(a.met).toEqual({ '95': true, '100': false });
  });

  test('lost since the stage before counts expected keys only; blocked when the input is under the next target', () => {
    const expected = keys(100);
    const rows = funnel(stages, [95, 98, 100], expected, new Map([['A', look([...expected.slice(0, 96), 'extra'])], ['B', look(expected.slice(0, 90))]]));
    expect(rows[1]).toMatchObject({ present: 90, lostSinceBefore: 6, blockedBy: null, next: { percent: 95, needed: 5 } });
    const short = funnel(stages, [95, 98, 100], expected, new Map([['A', look(expected.slice(0, 94))], ['B', look(expected.slice(0, 90))]]));
    expect(short[1]).toMatchObject({ blockedBy: 'A', blockedUnder: 95 });
    const unknown = funnel(stages, [95], expected, new Map([['B', look(expected.slice(0, 90))]]));
    expect(unknown[0]).toMatchObject({ present: null, percent: null, met: { '95': false } });
    expect(unknown[1].lostSinceBefore).toBeNull();
  });

  test('a stage whose source never answered: met unknown (null) with the error and hint in status --json, the kind said once on its row (tester W9)', () => {
    const expected = keys(10);
    const denied: StageLook = { label: 'gs://b/p/', keys: null, checkedAt: null, error: 'Cloud Storage: permission denied (403): storage.objects.list on bucket b', hint: 'grant roles/storage.objectViewer on gs://b' };
    const rows = funnel(stages, [95, 100], expected, new Map([['A', denied], ['B', look(expected.slice(0, 9))]]));
    const [a, b] = chainJson(rows);
    expect(a).toMatchObject({ present: null, percent: null, met: { '95': null, '100': null }, error: denied.error, hint: denied.hint });
    expect(b).toMatchObject({ present: 9, met: { '95': false, '100': false }, error: null, hint: null });
    expect(stageFigures(rows[0])).toBe('no access (403)');
    for (const form of stageNoteForms(rows[0])) expect(form).not.toContain('no access (403)');
    expect(stageNoteForms(rows[0]).at(-1)).toBe('→ grant roles/storage.objectViewer on gs://b');
  });

  // AI13's nit on the chain: an empty expected list read `0/0 · – %` and `95 %: 0 more` on every stage.
  test('a chain over no expected keys says so on each stage, with no share or target', () => {
    const rows = funnel(stages, [95, 100], [], new Map([['A', look(['k1'])], ['B', look([])]]));
    for (const r of rows) {
      expect(stageFigures(r)).toBe('0 keys expected');
      for (const form of stageNoteForms(r)) expect(form).not.toMatch(/–|more|met/);
    }
  });

  test('missingInStage: upstream keys absent here, sorted; every expected key for a first stage', () => {
    const expected = keys(5);
    expect(missingInStage(expected, new Set([expected[0]]), new Set([expected[0], expected[3], 'zz']))).toEqual([expected[3]]);
    expect(missingInStage(expected, new Set([expected[0]]), null)).toEqual(expected.slice(1));
  });
});
