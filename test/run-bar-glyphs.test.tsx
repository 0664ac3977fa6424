import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { describe, expect, test } from 'vitest';
import { OverviewJob } from '../components/OverviewList.js';
import { RunPanel } from '../components/RunPanel.js';
import { overviewColumns } from '../src/overview/layout.js';
import { overviewRow } from '../src/overview/overview-rows.js';
import { initialState } from '../src/state/app-state.js';
import { currentFigures } from '../src/state/current-figures.js';
import { emptyRun } from '../src/state/run.js';

const T0 = Date.UTC(2025, 10, 26, 12);

/** A finished run: `succeeded`, `failed` and `skipped` keys of `total`. */
function stateWith(succeeded: number, failed: number, skipped: number) {
  const s = initialState({ job: 'bdl', log: '/x.log', now: T0 + 60_000, targets: [95] });
  const current = { ...emptyRun(), total: succeeded + failed + skipped, succeeded, failed, skipped, startedAt: T0, finishedAt: T0 + 30_000, lastActivityAt: T0 + 30_000, hasActivity: true, complete: true };
  return { ...s, log: { ...s.log, current, historyDone: true, looked: true, exists: true } };
}

/** The glyphs of a drawn bar, in order, each once: `█✗↷`. */
const glyphsOf = (bar: string) => [...new Set([...bar].filter((ch) => '█✗↷'.includes(ch)))].join('');

// Tester V4: an external execution whose 3 keys were all skipped: overview `complete ███ 3/3` (drawn as scraped),
// job screen `Run ↷↷↷…↷ 3/3`. One glyph, one meaning, on both.
describe('the overview\'s compact run bar draws what the job screen\'s does', () => {
  test.each([
    [0, 0, 3, '↷'],
    [2, 1, 3, '█✗↷'],
    [4, 0, 0, '█'],
  ])('%i scraped, %i failed, %i skipped: %s on both', (succeeded, failed, skipped, want) => {
    const state = stateWith(succeeded, failed, skipped);
    const cols = overviewColumns(120, 3, { bar: true });
    expect(cols.bar).toBeGreaterThan(0);
    const overview = stripVTControlCharacters(renderToString(<OverviewJob row={overviewRow(state)} selected={false} cols={cols} now={state.now} />, { columns: 120 })).split('\n')[0];
    const panel = stripVTControlCharacters(renderToString(<RunPanel run={state.log.current} figures={currentFigures(state)} width={80} />, { columns: 80 })).split('\n')[0];
    expect(glyphsOf(overview)).toBe(want);
    expect(glyphsOf(panel)).toBe(want);
  });
});
