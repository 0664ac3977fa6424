import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CODE_POINTS } from '../src/format.js';
import { cutApart, cutMiddle } from '../src/overview/name-cut.js';
import { namesApart, truncateMiddle } from '../src/text-width.js';
import { runCli } from './support/cli.js';
import { removeDir } from './support/remove-dir.js';

// Tester AF8 g: names cut at the end read the same when they differ at the end
// (`a-very-long-job-name-for-the-player-boxscore-scraper-0` and `…-4`: both `a-very-long-job-nam…` at 80×24).
const LONG = 'a-very-long-job-name-for-the-player-boxscore-scraper-';

describe('cutMiddle: a name within its width, start and end kept', () => {
  test.each([
    ['fits: whole', 'player-boxscores', 20, 'player-boxscores'],
    ['exactly the width: whole', 'abcdefghij', 10, 'abcdefghij'],
    ['the tester\'s name at 20: 10 of the start, …, 9 of the end', `${LONG}0`, 20, 'a-very-lon…scraper-0'],
    ['at 8 (the narrowest name column)', `${LONG}4`, 8, 'a-ve…r-4'],
    ['at 2', 'abcdef', 2, 'a…'],
    ['at 1', 'abcdef', 1, '…'],
    ['at 0', 'abcdef', 0, ''],
  ])('%s', (_what, name, width, shown) => {
    expect(cutMiddle(name, width, CODE_POINTS)).toBe(shown);
  });

  test('measured in terminal columns: a wide character takes two, and is never split', () => {
    // 東京 and 大阪 are four columns each: 6 columns of the start (東京-p), …, 5 of the end (-大阪).
    expect(truncateMiddle('東京-player-boxscores-大阪', 12)).toBe('東京-p…-大阪');
    // 3 columns of the start hold one 東 (a second would be 4), the end the 3 left: one 京.
    expect(truncateMiddle('東京東京東京', 6)).toBe('東…京');
  });
});

describe('cutApart: names of one list read apart', () => {
  test('names differing at the end: the middle cut keeps them apart', () => {
    const shown = cutApart([`${LONG}0`, `${LONG}4`, 'team-boxscores'], 20, CODE_POINTS);
    expect([...shown.values()]).toEqual(['a-very-lon…scraper-0', 'a-very-lon…scraper-4', 'team-boxscores']);
  });

  test('names differing only in the middle: cut where they differ, alike, the others as before', () => {
    const names = ['nba-stats-2021-player-boxscores-backfill', 'nba-stats-2022-player-boxscores-backfill', 'bdl-standings'];
    // The middle cut reads `nba-stat…-backfill` (18 columns: 9, …, 8) for both.
    expect(cutMiddle(names[0], 18, CODE_POINTS)).toBe('nba-stats…backfill');
    expect(cutMiddle(names[1], 18, CODE_POINTS)).toBe('nba-stats…backfill');
    const shown = cutApart(names, 18, CODE_POINTS);
    // The start's share grows until the year shows: 14 columns of the start, …, 3 of the end.
    expect(shown.get(names[0])).toBe('nba-stats-2021…ill');
    expect(shown.get(names[1])).toBe('nba-stats-2022…ill');
    expect(shown.get('bdl-standings')).toBe('bdl-standings');
  });

  test('a cut never reads as another name shown whole', () => {
    // `abcdef…wxyz` would read as the third name, which fits.
    const shown = cutApart(['abcdef-long-middle-wxyz', 'abcdef-other-middle-wxyz', 'abcdef…wxyz'], 11, CODE_POINTS);
    expect(new Set(shown.values()).size).toBe(3);
    expect(shown.get('abcdef…wxyz')).toBe('abcdef…wxyz');
  });

  test('namesApart measures terminal columns and keeps each name\'s own key', () => {
    const shown = namesApart([`${LONG}0`, `${LONG}4`], 20);
    expect(shown.get(`${LONG}0`)).toBe('a-very-lon…scraper-0');
    expect(shown.get(`${LONG}4`)).toBe('a-very-lon…scraper-4');
  });
});

describe('text status of a jobs list', () => {
  const dir = mkdtempSync(join(tmpdir(), 'name-cut-'));
  afterAll(() => removeDir(dir));
  test('the two long names read apart in the jobs table', () => {
    writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ jobs: [{ name: `${LONG}0`, log: 'a.log', failed: 'a/failed_*.json' }, { name: `${LONG}4`, log: 'b.log', failed: 'b/failed_*.json' }] }));
    const r = runCli(['status'], { cwd: dir });
    const rows = r.stdout.split('\n');
    expect(rows.some((l) => l.startsWith('  a-very-lon…scraper-0 '))).toBe(true);
    expect(rows.some((l) => l.startsWith('  a-very-lon…scraper-4 '))).toBe(true);
    expect(r.stdout).not.toContain('a-very-long-job-na…');
  });
});

describe('text status of names beyond plain characters (tester AH2)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'name-cut-wide-'));
  afterAll(() => removeDir(dir));
  // The jobs table's state column starts at terminal column 23 on every row (2 of marker, 20 of name, 1 of space: a
  // long name beside them takes the column's 20), as
  // the overview lays it out: a CJK character takes two columns, an emoji two, a combining accent and a zero-width
  // space none, and a tab in a name is shown as one space. Counted by hand for each name.
  test.each([
    ['選手ボックススコア-2021', '  選手ボック…コア-2021 waiting'],
    ['team-👍-boxscores', '  team-👍-boxscores    waiting'],
    ['café-naïve-e\u0301t\u0301e\u0301', '  café-naïve-e\u0301t\u0301e\u0301       waiting'],
    ['zero\u200bwidth', '  zero\u200bwidth            waiting'],
    ['tab\tname', '  tab name             waiting'],
  ])('%s is padded and cut by terminal columns', (name, row) => {
    writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ jobs: [{ name, log: 'a.log', failed: 'a/failed_*.json' }, { name: 'plain-job', log: 'b.log', failed: 'b/failed_*.json' }, { name: `${LONG}0`, log: 'c.log', failed: 'c/failed_*.json' }] }));
    const r = runCli(['status'], { cwd: dir });
    const rows = r.stdout.split('\n');
    expect(rows.find((l) => l.startsWith(row))).toBeDefined();
    expect(rows.find((l) => l.startsWith('  plain-job            waiting'))).toBeDefined();
  });
});
