import { describe, expect, test } from 'vitest';
import { barCells, CODE_POINTS, countOf, formatClock, formatDuration, formatEta, formatPercent, formatRate, wrapMeasured } from '../src/format.js';
import { truncate } from '../src/text-width.js';

describe('formatters', () => {
  test.each([
    [0, '0:00'],
    [42_000, '0:42'],
    [725_000, '12:05'],
    [11_045_000, '3:04:05'],
    [null, '–'],
    [-5, '–'],
  ])('formatClock(%s) = %s', (ms, out) => expect(formatClock(ms)).toBe(out));

  test.each([
    [45, '45 s'],
    [720, '12 min'],
    [3 * 3600 + 5 * 60, '3 h 05 min'],
    [50 * 3600, '2 d 2 h'],
    [null, '–'],
  ])('formatDuration(%s) = %s', (s, out) => expect(formatDuration(s)).toBe(out));

  test.each([
    [[720, 900] as [number, number], false, '12–15 min'],
    [[30, 45] as [number, number], false, '30–45 s'],
    [[50, 130] as [number, number], false, '50s–2m'],
    [[48, 65] as [number, number], false, '48s–1m'],
    [[7_500, 9_000] as [number, number], false, '2h05–2h30'],
    [[600, 610] as [number, number], false, '~10 min'],
    // From now to a bound (a slow last key's timeout left, tester AI1), never `0s–2m`.
    [[0, 105] as [number, number], false, '≤ 2 min'],
    [[0, 45] as [number, number], false, '≤ 45 s'],
    [[0, 200_000] as [number, number], false, '≤ 2 d 7 h'], [[0, 2_000_000] as [number, number], false, '≤ 23d3h'],
    [null, true, 'calculating…'],
    [null, false, '–'],
  ])('formatEta(%j) = %s', (eta, calc, out) => expect(formatEta(eta, calc)).toBe(out));

  test.each([
    [651, 853, '76.3 %'],
    [852, 853, '99.8 %'],
    [99_999, 100_000, '99.9 %'],
    [853, 853, '100.0 %'],
    [0, 0, '– %'],
  ])('formatPercent(%i, %i) = %s', (a, b, out) => expect(formatPercent(a, b)).toBe(out));

  test('truncate measures display width (an emoji or CJK character takes two columns) and marks the cut', () => {
    expect(truncate('✅ Scraped 2021-10-31', 10)).toBe('✅ Scrape…');
    expect(truncate('日本語のキー', 7)).toBe('日本語…');
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('x', 0)).toBe('');
  });
});

describe('bar cells', () => {
  test.each([
    { segments: [42, 202, 0], total: 244, width: 40, expected: [7, 33, 0] },
    { segments: [1, 0, 0], total: 1000, width: 40, expected: [0, 0, 0] },
    { segments: [999, 1, 0], total: 1000, width: 40, expected: [39, 1, 0] },
    { segments: [5, 5], total: 10, width: 7, expected: [4, 3] },
    { segments: [10], total: 0, width: 7, expected: [0] },
    // Rounded down, as the percent is (tester AJ1): never full with a key missing, and whole numbers (0.29 × 100 is 28.99…).
    { segments: [207], total: 208, width: 64, expected: [63] },
    { segments: [29], total: 100, width: 100, expected: [29] },
  ])('$segments of $total in $width cells', ({ segments, total, width, expected }) => {
    const cells = barCells(segments, total, width);
    expect(cells).toEqual(expected);
    expect(cells.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(width);
  });
});

describe('countOf', () => {
  test.each([
    [0, 'key', '0 keys'],
    [1, 'key', '1 key'],
    [2, 'failed key', '2 failed keys'],
    [5299, 'key', '5,299 keys'],
    [165469, 'key', '165,469 keys'],
  ])('%i %s → %s', (n, noun, out) => expect(countOf(n, noun)).toBe(out));
});

// Tester X9: `rate 2461.9/min` and `2674/min` beside `3,776/5,299`: rates take the separator every figure has.
describe('formatRate', () => {
  test.each([
    [2461.94, 1, '2,461.9/min'],
    [2674.4, 0, '2,674/min'],
    [999.96, 1, '1,000.0/min'],
    [12.25, 1, '12.3/min'],
    [0, 1, '0.0/min'],
    [1234567.8, 0, '1,234,568/min'],
  ])('%d with %d digits: %s', (rate, digits, text) => {
    expect(formatRate(rate, digits)).toBe(text);
  });
});

describe('wrapMeasured', () => {
  // h88 at 40 columns: `✓ 0 scraped  ✗ 35 failed  ↷ 0` / `skipped`: items set apart by two spaces go down whole.
  test('items set apart by two spaces or more break between items, not inside one', () => {
    expect(wrapMeasured('          ✓ 0 scraped  ✗ 35 failed  ↷ 0 skipped', 40, 10, CODE_POINTS)).toEqual(['          ✓ 0 scraped  ✗ 35 failed', '          ↷ 0 skipped']);
    expect(wrapMeasured('run       35/35  100.0 %  elapsed 0:03', 33, 10, CODE_POINTS)).toEqual(['run       35/35  100.0 %', '          elapsed 0:03']);
    expect(wrapMeasured('storage   a  bbbbbbbbbbbbbbbb cc', 30, 10, CODE_POINTS)).toEqual(['storage   a', '          bbbbbbbbbbbbbbbb cc']);
    // A label's own padding (up to the hang) is no item: its text is never sent down from it.
    expect(wrapMeasured('problem   short words here that end', 30, 10, CODE_POINTS)).toEqual(['problem   short words here', '          that end']);
  });

  test('items joined by ` · ` break between items, the label and its count together (tester AC11: `… · Playoffs` / `5` at 50 columns)', () => {
    expect(wrapMeasured('groups    Regular season 4 · Play-In 1 · Playoffs 5', 30, 10, CODE_POINTS)).toEqual([
      'groups    Regular season 4 ·',
      '          Play-In 1 ·',
      '          Playoffs 5',
    ]);
  });

  // Tester AK4: an item already ended on the line (`Playoffs 1;`, `(stale)`) was sent down with the sentence after it,
  // leaving a short row, and that sentence was broken at a word anyway.
  test('an item that ended on the line stays there; the sentence after it fills the row', () => {
    const box = 'Launch 237 keys, 4 workers, timeout 60 s? 7 persistent keys left out (Regular season 5 · Play-In 1 · Playoffs 1; failed in every run that tried them: a retry will not help); a asks to launch all 244.';
    expect(wrapMeasured(box, 74, 0, CODE_POINTS)).toEqual([
      'Launch 237 keys, 4 workers, timeout 60 s? 7 persistent keys left out',
      '(Regular season 5 · Play-In 1 · Playoffs 1; failed in every run that tried',
      'them: a retry will not help); a asks to launch all 244.',
    ]);
    const problem = 'Cloud Run: connection refused at 127.0.0.1:39693: nothing listens there · since 11:04:29, retrying · figures as of 11:04:27 (stale) → check cloudRun.apiEndpoint; is its server (or emulator) running?';
    expect(wrapMeasured(problem, 80, 2, CODE_POINTS)).toEqual([
      'Cloud Run: connection refused at 127.0.0.1:39693: nothing listens there ·',
      '  since 11:04:29, retrying · figures as of 11:04:27 (stale) → check',
      '  cloudRun.apiEndpoint; is its server (or emulator) running?',
    ]);
  });

  test('an item too long for a line of its own is broken at spaces as any text', () => {
    expect(wrapMeasured('a · one two three four five six', 16, 2, CODE_POINTS)).toEqual([
      'a · one two',
      '  three four',
      '  five six',
    ]);
  });
});
