import React from 'react';
import { renderToString } from 'ink';
import { stripVTControlCharacters } from 'node:util';
import { expect, test } from 'vitest';
import { CoverageBar, tickLabels } from '../components/CoverageBar.js';
import { SegmentBar, runSegments } from '../components/SegmentBar.js';
import { computeCoverage } from '../src/coverage/math.js';
import { targetCells } from '../src/format.js';
import type { SourceCoverage } from '../src/state/coverage-view.js';

const TARGETS = [95, 98, 100];

/** The bar of `present` of `expected` keys at `cells` cells, as the job screen draws it (no color). */
function bar(present: number, expected: number, cells: number): string {
  const keys = Array.from({ length: expected }, (_, i) => `k${String(i).padStart(5, '0')}`);
  const coverage = computeCoverage(keys, new Set(keys.slice(0, present)), TARGETS);
  const source: SourceCoverage = { label: 'st', coverage, checkedAt: 0, stale: false, ageMs: 0, error: null, hint: null, bytesBilled: null, method: 'prefixes', note: null, checking: false };
  const row = stripVTControlCharacters(renderToString(<CoverageBar name="storage" source={source} expected={expected} barWidth={cells} />, { columns: 120 }));
  return row.slice(10, 10 + cells);
}

/** Which targets' ticks a bar shows, by the cell each is drawn on (the labels row under the bars says which is which). */
function ticksOn(cells: string, width: number): number[] {
  const at = targetCells(TARGETS, width);
  return TARGETS.filter((t) => cells[at.get(t)!] === '┃');
}

// Tester AJ1: 805/853 (94.3 %, `95 %: 6 more`) drew 40 of 42 cells, over the 95 tick, the same as 811/853 (95.0 %, met);
// 846/856 (98.8 %) drew a full bar with no 100 tick. The fill is rounded down, and a target's tick shows until it is met.
test.each([
  { present: 805, expected: 853, cells: 42, fill: 39, ticks: [95, 98, 100] },
  { present: 810, expected: 853, cells: 42, fill: 39, ticks: [95, 98, 100] },
  { present: 811, expected: 853, cells: 42, fill: 39, ticks: [98, 100] },
  // Under 50 cells 98 and 100 would take the same last cell (h88): 98 stands a cell before, each its own tick.
  { present: 846, expected: 856, cells: 40, fill: 39, ticks: [100] },
  // 97.5 %, 98 unmet: the fill stops before 98's cell (38 of 40, where 39 would cover it).
  { present: 835, expected: 856, cells: 40, fill: 38, ticks: [98, 100] },
  { present: 856, expected: 856, cells: 40, fill: 40, ticks: [] },
  { present: 0, expected: 856, cells: 40, fill: 0, ticks: [95, 98, 100] },
])('$present/$expected in $cells cells: $fill filled, ticks of $ticks', ({ present, expected, cells, fill, ticks }) => {
  const drawn = bar(present, expected, cells);
  expect([...drawn].filter((c) => c === '█').length).toBe(fill);
  expect(ticksOn(drawn, cells)).toEqual(ticks);
  // The labels stand where their ticks are drawn: 95 ends on its tick's cell.
  const labels = tickLabels(TARGETS, cells);
  expect(labels.indexOf('95') + '95'.length - 1).toBe(targetCells(TARGETS, cells).get(95));
  // Three targets, three cells, on every bar width.
  expect(new Set(targetCells(TARGETS, cells).values()).size).toBe(3);
});

// The run bar takes the same rounding: a 208-key run at 207 is not drawn done (AJ1's last note).
test('a run bar is full only when every key of the run is done', () => {
  const draw = (succeeded: number) => stripVTControlCharacters(renderToString(<SegmentBar segments={runSegments({ succeeded, failed: 0, skipped: 0 })} total={208} width={64} />, { columns: 80 }));
  expect(draw(207)).toMatch(/░$/);
  expect(draw(208)).not.toContain('░');
});

// h88 on AI13's nit: an empty expected list still drew `┃░┃` on its bar and `95 98 100` under it.
test('a bar over no expected keys marks no target, and the labels row under it is empty', async () => {
  const { CoveragePanel } = await import('../components/CoveragePanel.js');
  const coverage = computeCoverage([], new Set(['x']), TARGETS);
  const source: SourceCoverage = { label: 'st', coverage, checkedAt: 0, stale: false, ageMs: 0, error: null, hint: null, bytesBilled: null, method: 'prefixes', note: null, checking: false };
  const frame = stripVTControlCharacters(renderToString(<CoveragePanel cov={{ expected: 0, storage: source, warehouse: null, lag: null, targets: TARGETS } as never} width={80} />, { columns: 80 }));
  expect(frame).toContain('no keys are expected');
  expect(frame).not.toContain('┃');
  expect(frame).not.toMatch(/95 +98 +100/);
});
