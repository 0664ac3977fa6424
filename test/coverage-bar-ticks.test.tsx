import React from 'react';
import { renderToString } from 'ink';
import { stripVTControlCharacters } from 'node:util';
import { expect, test } from 'vitest';
import { CoverageBar, tickLabels } from '../components/CoverageBar.js';
import { SegmentBar, runSegments } from '../components/SegmentBar.js';
import { computeCoverage } from '../src/coverage/math.js';
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

/** Which targets' ticks a bar shows, by the cell each is drawn on (the labels row above the bars says which is which). */
function ticksOn(cells: string, width: number): number[] {
  return TARGETS.filter((t) => cells[Math.min(width - 1, Math.max(0, Math.ceil((t * width) / 100) - 1))] === '┃');
}

// Tester AJ1: 805/853 (94.3 %, `95 %: 6 more`) drew 40 of 42 cells, over the 95 tick, the same as 811/853 (95.0 %, met);
// 846/856 (98.8 %) drew a full bar with no 100 tick. The fill is rounded down, and a target's tick shows until it is met.
test.each([
  { present: 805, expected: 853, cells: 42, fill: 39, ticks: [95, 98, 100] },
  { present: 810, expected: 853, cells: 42, fill: 39, ticks: [95, 98, 100] },
  { present: 811, expected: 853, cells: 42, fill: 39, ticks: [98, 100] },
  // At 40 cells 98 and 100 mark the same last cell: its tick stands for 100, not met.
  { present: 846, expected: 856, cells: 40, fill: 39, ticks: [98, 100] },
  { present: 856, expected: 856, cells: 40, fill: 40, ticks: [] },
  { present: 0, expected: 856, cells: 40, fill: 0, ticks: [95, 98, 100] },
])('$present/$expected in $cells cells: $fill filled, ticks of $ticks', ({ present, expected, cells, fill, ticks }) => {
  const drawn = bar(present, expected, cells);
  expect([...drawn].filter((c) => c === '█').length).toBe(fill);
  expect(ticksOn(drawn, cells)).toEqual(ticks);
  // The labels stand where their ticks are drawn: 95 ends on its tick's cell.
  const labels = tickLabels(TARGETS, cells);
  expect(labels.indexOf('95') + '95'.length - 1).toBe(Math.ceil((95 * cells) / 100) - 1);
});

// The run bar takes the same rounding: a 208-key run at 207 is not drawn done (AJ1's last note).
test('a run bar is full only when every key of the run is done', () => {
  const draw = (succeeded: number) => stripVTControlCharacters(renderToString(<SegmentBar segments={runSegments({ succeeded, failed: 0, skipped: 0 })} total={208} width={64} />, { columns: 80 }));
  expect(draw(207)).toMatch(/░$/);
  expect(draw(208)).not.toContain('░');
});
