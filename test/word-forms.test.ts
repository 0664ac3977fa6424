import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import React from 'react';
import { renderToString } from 'ink';
import { describe, expect, test } from 'vitest';
import { expectedProblemText } from '../components/Dashboard.js';
import { ChooseGroup } from '../components/ChooseGroup.js';
import { groupLabel } from '../src/state/failures-view.js';
import { zoneGuessText } from '../src/state/zone-guess-text.js';

// Tester AJ5's nits: words a person reads, in one form each.
const bad = (n: number) => Array.from({ length: n }, (_, i) => ({ line: i + 2, reason: 'not a date', text: `x${i}` }));
const expected = (n: number) => ({ keys: ['2024-01-01'], format: 'date' as const, blank: 0, duplicates: 0, invalid: bad(n), file: '/x/keys.csv' });

describe('a count and its noun (format.ts countOf), never `(s)`', () => {
  test.each([
    [1, 'expected keys: 1 bad line; line 2: not a date (x0)'],
    [2, 'expected keys: 2 bad lines; line 2: not a date (x0)'],
  ])('%i bad line(s) in the expected file', (n, want) => {
    expect(expectedProblemText({ expected: expected(n), expectedError: null })).toBe(want);
  });

  test('no string in the sources pluralises with `(s)`', () => {
    const root = path.resolve(__dirname, '..');
    const files = ['src', 'components'].flatMap((dir) => readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f)).map((f) => path.join(dir, f)));
    const found: string[] = [];
    for (const file of files) {
      readFileSync(path.join(root, file), 'utf8').split('\n').forEach((line, i) => {
        // Strings in code only: a comment may quote another program's words (BigQuery's `column(s)`), and `f(s)` is a call.
        const code = line.replace(/^\s*(\/\/|\/?\*).*$/, '').replace(/\s\/\/\s.*$/, '');
        const strings = code.match(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g) ?? [];
        if (strings.some((t) => /[a-z]\(s\)/i.test(t.replace(/\$\{[^}]*\}/g, '')))) found.push(`${file}:${i + 1}`);
      });
    }
    expect(found).toEqual([]);
  });
});

describe("a group's label never says its word twice", () => {
  test.each([
    ['error', 'HTTP 500', 'error HTTP 500'],
    ['error', 'timeout', 'error timeout'],
    ['error', 'error', 'error'],
    ['error', 'Error', 'Error'],
    ['phase', 'Playoffs', 'phase Playoffs'],
    ['phase', 'Phase 2', 'Phase 2'],
    ['phase', 'Phased rollout', 'phase Phased rollout'],
    ['month', '2024-01', 'month 2024-01'],
  ])('%s + %s = %s', (word, name, want) => expect(groupLabel(word, name)).toBe(want));

  test('R lists a failure whose status is `error` as `error: 1 key`', () => {
    const groups = [{ label: groupLabel('error', 'HTTP 500'), keys: ['a', 'b'] }, { label: groupLabel('error', 'error'), keys: ['c'] }];
    const shown = renderToString(React.createElement(ChooseGroup, { groups, index: 0, width: 80 }), { columns: 80 });
    expect(shown).toContain('error HTTP 500: 2 keys');
    expect(shown).toContain('error: 1 key');
    expect(shown).not.toContain('error error');
  });
});

describe('how far two clocks are apart, in the one duration form', () => {
  const guess = (behindMs: number, zone: string) => zoneGuessText({ zone, behindMs, from: 'file' });
  test.each([
    [5.5 * 3_600_000, 'UTC-05:30', 'log times read as UTC-05:30, 5 h 30 min behind this machine'],
    [-5.5 * 3_600_000, 'UTC+05:30', 'log times read as UTC+05:30, 5 h 30 min ahead of this machine'],
    [-45 * 60_000, 'UTC+00:45', 'log times read as UTC+00:45, 45 min ahead of this machine'],
    [5 * 3_600_000, 'UTC-05:00', 'log times read as UTC-05:00, 5 h 00 min behind this machine'],
  ])('%d ms', (ms, zone, want) => {
    expect(guess(ms, zone)).toContain(want);
    expect(guess(ms, zone)).not.toMatch(/\d:\d\d h/);
  });
});

describe("an execution's end said at start is history, with when (AJ5 g)", () => {
  const e = { id: 'bdl-x', state: 'cancelled' as const, succeededCount: 0, taskCount: 1, failedCount: 0, message: 'Execution was cancelled', completionTime: Date.UTC(2026, 11, 2, 10, 19, 5) };
  test.each([
    ['after the dashboard opened: news', Date.UTC(2026, 11, 2, 10, 0), 'execution bdl-x cancelled: 0/1 tasks succeeded (Execution was cancelled)', 'warn'],
    ['before, the same day', Date.UTC(2026, 11, 2, 11, 0), 'execution bdl-x cancelled at 10:19:05, before this dashboard opened: 0/1 tasks succeeded (Execution was cancelled)', 'info'],
    ['before, another day', Date.UTC(2026, 11, 3, 9, 0), 'execution bdl-x cancelled at 2026-12-02 10:19:05, before this dashboard opened: 0/1 tasks succeeded (Execution was cancelled)', 'info'],
  ])('%s', async (_name, openedAt, text, tone) => {
    const { executionEndWords } = await import('../src/run-place/end-words.js');
    expect(executionEndWords(e, openedAt)).toEqual({ text, tone });
  });
});

describe('a long alert in a desktop notification is cut at a word, with `…` (AJ5 note)', () => {
  const stuck = 'bdl-boxscores: execution stuck: bdl-boxscore-backfill-x7k2p running 2 h 01 min, past 2 h 00 min (stuckAfter) (x on its dashboard cancels it, or: gcloud run jobs executions cancel bdl-boxscore-backfill-x7k2p --region=us-west2 --project=nba-props-platform)';
  test('OSC 9 and OSC 777 bodies', async () => {
    const { desktopSequence } = await import('../src/alerts/terminal-notify.js');
    for (const seq of [desktopSequence('osc9', 'backfill-tui', stuck), desktopSequence('osc777', 'backfill-tui', stuck)]) {
      const body = seq.slice(0, -1).split(/;/).at(-1)!;
      expect([...body].length).toBeLessThanOrEqual(200);
      expect(body.endsWith('…')).toBe(true);
      // What is kept ends in a whole word of the alert.
      const kept = body.slice(0, -1);
      expect(stuck.includes(`${kept.split(' ').at(-1)} `)).toBe(true);
    }
  });
  test.each([
    ['short', 'run complete', 20, 'run complete'],
    ['cut between words', 'one two three four', 12, 'one two…'],
    ['the cut at a space', 'one two three four', 8, 'one two…'],
    ['no space: cut where it must', 'abcdefghijklmnop', 8, 'abcdefg…'],
    ['a trailing separator goes', 'stuck: running 2 h', 8, 'stuck…'],
  ])('%s', async (_name, text, max, want) => {
    const { cutAtWord } = await import('../src/format.js');
    expect(cutAtWord(text, max)).toBe(want);
  });
});
