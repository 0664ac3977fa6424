import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { countPairForms, cutWhole, fitForms, rateForms, shortCount } from '../src/format.js';
import { overviewText } from '../src/overview/overview-text.js';
import { overviewColumns } from '../src/overview/layout.js';
import type { OverviewRow } from '../src/overview/overview-rows.js';
import { OverviewJob } from '../components/OverviewList.js';

// Tester Z10: the overview cut its rate to `1,107/m…`. A figure is never cut: a cell takes the longest form of it
// that fits (`1,107/min`, `1107/min`, `1.1k/min`), and any cut left backs up out of the number it would split.
afterEach(() => cleanup());

describe('figure forms', () => {
  test.each([
    [987, '987'],
    [1107, '1.1k'],
    [1999, '1.9k'],
    [12_345, '12k'],
    [999_999, '999k'],
    [1_250_000, '1.2M'],
  ])('shortCount(%d) is %s (rounded down)', (n, want) => expect(shortCount(n)).toBe(want));

  test.each([
    [1107.4, 9, '1,107/min'],
    [1107.4, 8, '1107/min'],
    [12_345, 8, '12k/min'],
    [12_345, 6, '12k/m'],
    [45.25, 8, '45.3/min'],
  ])('a rate of %d in %d characters reads %s', (rate, width, want) => expect(fitForms(rateForms(rate, rate >= 100 ? 0 : 1), width)).toBe(want));

  test.each([
    [3776, 5299, 11, '3,776/5,299'],
    [12_345, 67_890, 11, '12345/67890'],
    [123_456, 678_901, 11, '123k/678k'],
    [5, null, 11, '5/?'],
  ])('%d of %s keys in %d characters reads %s', (done, total, width, want) => expect(fitForms(countPairForms(done, total), width)).toBe(want));

  test.each([
    ['HTTP 500 12', 7, 'HTTP…'],
    ['26 · HTTP 500 1234', 16, '26 · HTTP 500 …'],
    ['26 · HTTP 500 1234', 14, '26 · HTTP…'],
    ['no access (403) · 76.3 %', 19, 'no access (403)…'],
    ['1,107/min', 4, '…'],
  ])('cutWhole(%s, %d) keeps whole numbers: %s', (text, width, want) => expect(cutWhole(text, width)).toBe(want));
});

function row(over: Partial<OverviewRow> = {}): OverviewRow {
  return {
    job: 'player-boxscores', status: 'running', reading: false, done: 12_345, total: 67_890, ratePerMin: 1107.4, etaSeconds: [3000, 3300],
    failed: 1234, worstError: 'HTTP 500', worstCount: 1200, runFailed: 30, runSucceeded: 12_000, runSkipped: 315,
    storage: { present: 60_000, expected: 67_890, percent: 88.4, next: { percent: 95, met: false, needed: 4496, keys: 64_496 } as never, error: null, errorKind: null, noExpected: false },
    warehouse: { present: 50_000, expected: 67_890, percent: 73.6, next: null, error: 'HTTP 403 x', errorKind: 'no access (403)', noExpected: false },
    ageMs: 30_000, problem: null, problems: 0, runUnknown: false, rank: 1, ...over,
  };
}

/** A digit followed by a cut: a number split by a cell's edge. */
const CUT_NUMBER = /\d[.,]?…/;

test.each([
  [25, '88.3 % · 95 %: 4,496 more'],
  [21, '88.3 % · 95 %: +4,496'],
  [20, '88.3 % · 95 %: +4.4k'],
  [12, '88.3 %'],
])('a coverage cell in %d characters: %s', async (width, want) => {
  const { overviewCells } = await import('../src/overview/overview-text.js');
  expect(overviewCells(row(), (c) => (c === 'storage' ? width : 80)).storage).toBe(want);
});

test.each([
  [25 * 60_000, 10, '25 min ago'],
  [25 * 60_000, 9, '25m ago'],
  [25 * 60_000, 4, '25m'],
  [3 * 3_600_000, 6, '3h ago'],
  [30_000, 5, 'now'],
])('an age of %d ms in %d characters: %s (tester AC11: `25 min a…`)', async (ageMs, width, want) => {
  const { overviewCells } = await import('../src/overview/overview-text.js');
  expect(overviewCells(row({ ageMs }), (c) => (c === 'age' ? width : 80)).age).toBe(want);
});

describe('the overview never cuts a figure (80 columns and narrower)', () => {
  test.each([80, 72, 60, 50])('at %d columns: the screen row and the text status row', (width) => {
    const cols = overviewColumns(width, 'player-boxscores'.length);
    const screen = stripVTControlCharacters(render(<OverviewJob row={row({ ageMs: 55 * 60_000 })} selected cols={cols} now={0} />).lastFrame() ?? '');
    const text = overviewText([row({ ageMs: 55 * 60_000 })], width).slice(2).join('\n');
    for (const [what, out] of [['screen', screen], ['text', text]]) {
      for (const l of out.split('\n')) expect(stringWidth(l), `${what}: ${l}`).toBeLessThanOrEqual(width);
      expect(out, what).not.toMatch(CUT_NUMBER);
      expect(out, what).not.toMatch(/\/m…|\/mi…/);
      // An age is never cut either: a shorter form (`55m ago`), not `55 min a…`.
      expect(out, what).not.toMatch(/\d+ ?(min|m|h|d) a?g?…/);
      // A target is never named without what it needs (`88.3 % · 95 %` read as met: tester Z10).
      expect(out, what).not.toMatch(/· \d+ %(?!:)/);
    }
    if (width === 80) {
      expect(screen).toContain('1107/min');
      expect(screen).toContain('12345/67890');
    }
  });
});

// AJ5's note: the failing cell said `–` in text status and nothing on the screen for failures not known, where none
// failing is blank on the screen too: a word on both, as the run cell's `not known`.
describe('failures not known: `not known` on the screen and in text, a blank only for none', () => {
  test.each([80, 50])('at %d columns', (width) => {
    const cols = overviewColumns(width, 'player-boxscores'.length);
    const unknown = row({ failed: 0, worstError: null, worstCount: 0, failedUnknown: true });
    const screen = stripVTControlCharacters(render(<OverviewJob row={unknown} selected cols={cols} now={0} />).lastFrame() ?? '').split('\n')[0];
    const text = overviewText([unknown], width)[2];
    expect(screen.trimEnd().endsWith('not known')).toBe(true);
    expect(text.trimEnd().endsWith('not known')).toBe(true);
    const none = stripVTControlCharacters(render(<OverviewJob row={row({ failed: 0, worstError: null, worstCount: 0 })} selected cols={cols} now={0} />).lastFrame() ?? '').split('\n')[0];
    expect(none).not.toMatch(/not known|–\s*$/);
  });
});
