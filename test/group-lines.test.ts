import { expect, test } from 'vitest';
import { packGroups } from '../src/state/group-lines.js';

test('a group wider than a row hangs under a label\'s colon (`2022: `), not under a colon inside a sentence (seen at 50 columns: `help` alone far right)', () => {
  expect(packGroups('10 keys failed in every run that tried them (Regular season 4 · Play-In 1 · Playoffs 5): a gentler retry will not help', 40)).toEqual([
    '10 keys failed in every run that tried',
    '  them (Regular season 4 · Play-In 1 ·',
    '  Playoffs 5): a gentler retry will not',
    '  help',
  ]);
  expect(packGroups('2022: Jan 3 Feb 3 Mar 2 Apr 21 May 24 Jun 3', 20)).toEqual([
    '2022: Jan 3 Feb 3',
    '        Mar 2 Apr 21',
    '        May 24 Jun 3',
  ]);
});

// Tester AF8 (d): text status at 80 columns (70 for the lines) broke `… tried them (Regular season 3 ·` / `All-Star 8 ·
// Play-In 12 ·` (37 of 80 columns) / `Playoffs 181): a gentler retry will not help`: the sentence after the list took a
// row of its own. It goes on where the list ends, between its words.
test('the sentence after a list goes on where the list ends: no row left a third full', () => {
  expect(packGroups('194 keys failed in every run that tried them (Regular season 3 · All-Star 8 · Play-In 12 · Playoffs 181): a gentler retry will not help', 70)).toEqual([
    '194 keys failed in every run that tried them (Regular season 3 ·',
    '  All-Star 8 · Play-In 12 · Playoffs 181): a gentler retry will not',
    '  help',
  ]);
  // A list alone, and a list whose sentence fits, are as before.
  expect(packGroups('All-Star 8 · Play-In 12 · Playoffs 181', 30)).toEqual(['All-Star 8 · Play-In 12 ·', '  Playoffs 181']);
  expect(packGroups('3 keys failed (Playoffs 3): a gentler retry will not help', 80)).toEqual(['3 keys failed (Playoffs 3): a gentler retry will not help']);
});

// h88 at 40 columns (rows of 30 under status's 10-column label): `2025: Feb 2 Apr 5 May 3 Jun` / `1` read a lone count,
// and `(All-Star 8 ·` passed the row by its ` ·`, which the wrap after it left alone on a row (`·`).
test('a count stays with its word, and a row broken between groups keeps room for its ` ·`', () => {
  expect(packGroups('2025: Feb 2 Apr 5 May 3 Jun 1', 30)).toEqual(['2025: Feb 2 Apr 5 May 3 Jun 1']);
  expect(packGroups('2024: Feb 2 Apr 3 May 1 · 2025: Feb 2 Apr 5 May 3 Jun 1', 30)).toEqual(['2024: Feb 2 Apr 3 May 1 ·', '  2025: Feb 2 Apr 5 May 3', '        Jun 1']);
  const rows = packGroups('35 keys failed in every run that tried them (All-Star 8 · Play-In 12 · Playoffs 15): a gentler retry will not help', 30);
  expect(rows).toEqual(['35 keys failed in every run', '  that tried them', '  (All-Star 8 · Play-In 12 ·', '  Playoffs 15): a gentler', '  retry will not help']);
  for (const r of rows) expect(r.length).toBeLessThanOrEqual(30);
});
