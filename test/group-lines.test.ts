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
