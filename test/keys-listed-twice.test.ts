import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli } from './support/cli.js';
import { removeDir } from './support/remove-dir.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { applyLines } from '../src/state/apply-lines.js';
import { runNotes } from '../src/state/run-notes.js';
import { banner, logOf, T0 } from './support/log-text.js';

const fold = (records: string[][]) => applyLines({ current: null, history: [] }, parseText(logOf(T0, records), compileGrammar()).lines).current!;
const summary = (processed: number, skipped: number, failed = 0): string[][] => [
  ['INFO', '='.repeat(60)],
  ['INFO', 'BACKFILL COMPLETE'],
  ['INFO', `Total dates: ${processed + skipped + failed}`],
  ['INFO', `✅ Processed: ${processed}`],
  ['INFO', `⏭️  Skipped: ${skipped}`],
  ['INFO', `❌ Failed: ${failed}`],
  ['INFO', 'Time: 0.1 minutes'],
];

// Tester AE7: a keys file naming 2021-10-19 twice: the script scrapes it twice and its summary says 4. The note said
// `2 repeated key lines counted once`, the words for a doubled log, beside the script's own `✓ 4`.
describe('a key the run\'s own list holds twice is said as such, not as a doubled log', () => {
  const twice = ['2021-10-19', '2021-10-20', '2021-10-19', '2021-10-21'];

  test('one worker (Processing lines): one key held twice, no repeated lines', () => {
    const run = fold([...banner(1, 60, 4), ...twice.flatMap((k, i) => [['INFO', `[${i + 1}/4] Processing ${k}`], ['INFO', `  ✅ Scraped ${k}`]]), ...summary(4, 0)]);
    expect(runNotes(run)).toEqual(['1 key its list held twice (done twice)']);
  });

  test('several workers (all queued first): the repeated Queued line is the list\'s too', () => {
    const run = fold([...banner(3, 60, 4), ...twice.map((k, i) => ['INFO', `[${i + 1}/4] Queued ${k}`]), ...twice.map((k) => ['INFO', `  ✅ Scraped ${k}`]), ...summary(4, 0)]);
    expect(runNotes(run)).toEqual(['1 key its list held twice (done twice)']);
  });

  test('with one worker, keys skipped at DEBUG are not taken for keys held twice', () => {
    const keys = ['2021-10-19', '2021-10-20', '2021-10-21'];
    // Four keys, the fourth skipped (already in storage): no line of it at INFO.
    const run = fold([...banner(1, 60, 4), ...keys.flatMap((k, i) => [['INFO', `[${i + 1}/4] Processing ${k}`], ['INFO', `  ✅ Scraped ${k}`]]), ...summary(3, 1)]);
    expect(runNotes(run)).toEqual([]);
  });

  test('a doubled log (every line twice) is still said as repeated lines', () => {
    const keys = ['2021-10-19', '2021-10-20'];
    const lines = [...banner(3, 60, 2), ...keys.map((k, i) => ['INFO', `[${i + 1}/2] Queued ${k}`]), ...keys.map((k) => ['INFO', `  ✅ Scraped ${k}`]), ...summary(2, 0)];
    const run = fold(lines.flatMap((l) => [l, l]));
    expect(runNotes(run)).toEqual(['4 repeated key lines counted once']);
  });
});

// Tester h68's nit: status --json said `duplicateLines: 2` beside `keysListedTwice: 1` for a list naming one key twice,
// so a script read it as a doubled log too. The two fields are now the two notes' figures, apart.
describe('status --json: duplicateLines and keysListedTwice never count the same lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'listed-twice-'));
  afterAll(() => removeDir(dir));
  const json = (name: string, records: string[][]) => {
    const file = join(dir, `${name}.log`);
    writeFileSync(file, logOf(T0, records));
    const r = runCli(['status', '--log', file, '--json'], { cwd: dir, env: { TZ: 'UTC' } });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout).run;
  };

  test('a key its list held twice: keysListedTwice 1, duplicateLines 0', () => {
    const twice = ['2021-10-19', '2021-10-20', '2021-10-19', '2021-10-21'];
    const run = json('twice', [...banner(3, 60, 4), ...twice.map((k, i) => ['INFO', `[${i + 1}/4] Queued ${k}`]), ...twice.map((k) => ['INFO', `  ✅ Scraped ${k}`]), ...summary(4, 0)]);
    expect(run).toMatchObject({ succeeded: 4, keysListedTwice: 1, duplicateLines: 0 });
  });

  test('a doubled log: duplicateLines 4, keysListedTwice 0', () => {
    const keys = ['2021-10-19', '2021-10-20'];
    const lines = [...banner(3, 60, 2), ...keys.map((k, i) => ['INFO', `[${i + 1}/2] Queued ${k}`]), ...keys.map((k) => ['INFO', `  ✅ Scraped ${k}`]), ...summary(2, 0)];
    const run = json('doubled', lines.flatMap((l) => [l, l]));
    expect(run).toMatchObject({ keysListedTwice: 0, duplicateLines: 4 });
  });
});
