import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { describe, expect, test } from 'vitest';
import { LogPane } from '../components/LogPane.js';
import { collapseRepeats } from '../src/state/tail-lines.js';
import type { TailLine } from '../src/log-line.js';

// Tester AJ5 h: a logger with two handlers wrote every record twice, and the log pane showed each key line twice mid-run.
const line = (text: string): TailLine => ({ text, tone: 'ok' });
const A = '2026-12-02 10:35:56,659 - INFO -   ✅ Scraped 2021-11-01';
const B = '2026-12-02 10:35:56,827 - INFO -   ✅ Scraped 2021-11-02';
const A_LATER = '2026-12-02 10:36:10,001 - INFO -   ✅ Scraped 2021-11-01';

describe('collapseRepeats', () => {
  test.each([
    ['none repeated', [A, B], [[A, 1], [B, 1]]],
    ['each twice (a doubled logger)', [A, A, B, B], [[A, 2], [B, 2]]],
    ['three times', [A, A, A], [[A, 3]]],
    ['the same key at another time is another line', [A, A_LATER], [[A, 1], [A_LATER, 1]]],
    ['apart, not in a row', [A, B, A], [[A, 1], [B, 1], [A, 1]]],
  ])('%s', (_name, texts, want) => {
    expect(collapseRepeats(texts.map(line)).map((l) => [l.text, l.times])).toEqual(want);
  });
});

const plain = (node: React.ReactElement, columns: number) => stripVTControlCharacters(renderToString(node, { columns }));

test('the log pane shows a line the log wrote twice once, with ×2, within its width', () => {
  const shown = plain(<LogPane lines={[A, A, B, B].map(line)} height={5} width={80} />, 80);
  const rows = shown.split('\n').filter(Boolean);
  expect(rows).toEqual([`${A} ×2`, `${B} ×2`]);
  const narrow = plain(<LogPane lines={[A, A].map(line)} height={5} width={40} />, 40).split('\n')[0];
  expect(narrow.endsWith(' ×2')).toBe(true);
  expect([...narrow].length).toBeLessThanOrEqual(40);
});
