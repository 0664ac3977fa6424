import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compileCustom, GrammarError } from '../src/parser/custom-grammar.js';
import { compileKeyPattern } from '../src/coverage/local-source.js';
import { runCliAsync } from './support/cli.js';
import { removeDir } from './support/remove-dir.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'user-regexp-'));
afterAll(() => removeDir(root));

// Tester AI5: the README's grammar with `"failed": "^(a+)+b (?<key>\\S+)"` and one line of 34 `a` and a `c` froze
// `status --timeout 5` for good and the dashboard past q, Ctrl-C and SIGTERM; a keyPattern the same over one folder name.
const grammar = { start: '^backfill starting', loaded: '^(?<total>\\d+) keys to do', succeeded: '^OK (?<key>\\S+)', failed: '^(a+)+b (?<key>\\S+)', complete: '^all done' };
const line = (s: number, text: string) => `2026-12-01 04:00:0${s},000 - INFO - ${text}`;

describe('a config pattern that backtracks without end on one line (tester AI5)', () => {
  test('status reads the log past it, its figures whole, within its --timeout', async () => {
    const dir = mkdtempSync(path.join(root, 'grammar-'));
    writeFileSync(path.join(dir, 'bf.log'), [line(0, 'backfill starting'), line(1, '3 keys to do'), line(2, 'OK 2024-01-01'), line(3, `${'a'.repeat(34)}c`), line(4, 'OK 2024-01-03')].join('\n') + '\n');
    writeFileSync(path.join(dir, 'c.json'), JSON.stringify({ job: 'redos', log: 'bf.log', timezone: 'UTC', grammar }));
    // Unbounded, the line takes minutes of CPU (2^34 ways): the run's deadline is a hang's, not a speed.
    const out = await runCliAsync(['--config', 'c.json', 'status', '--json', '--timeout', '5'], { cwd: dir, deadlineMs: 20_000 });
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).run).toMatchObject({ total: 3, succeeded: 2, failed: 0 });
  });

  test('a storage keyPattern over an object name it backtracks on: the look ends, the other keys counted', async () => {
    const dir = mkdtempSync(path.join(root, 'key-'));
    for (const name of ['aab/2024-01-01', 'ab/2024-01-02', `${'a'.repeat(34)}c/2024-01-03`]) {
      mkdirSync(path.join(dir, 'st', name), { recursive: true });
      writeFileSync(path.join(dir, 'st', name, 'f.json'), '{}');
    }
    writeFileSync(path.join(dir, 'keys.csv'), 'date\n2024-01-01\n2024-01-02\n2024-01-03\n');
    writeFileSync(path.join(dir, 'c.json'), JSON.stringify({ job: 'k', log: 'bf.log', expected: 'keys.csv', storage: { url: 'st', keyPattern: '^(a+)+b/(?<key>[^/]+)/' } }));
    const out = await runCliAsync(['--config', 'c.json', 'status', '--json', '--timeout', '5'], { cwd: dir, deadlineMs: 20_000 });
    expect(JSON.parse(out.stdout).coverage.storage).toMatchObject({ present: 2 });
  });

  test.each([
    ['a backreference', '^OK (?<key>\\S+) \\1'],
    ['a named backreference', '^OK (?<key>\\S+) \\k<key>'],
    ['a lookahead', '^OK (?=\\d)(?<key>\\S+)'],
    ['a lookbehind', '(?<=OK )(?<key>\\S+)'],
  ])('a pattern with %s, which only the backtracking engine runs, is refused naming its field', (_name, succeeded) => {
    expect(() => compileCustom({ succeeded })).toThrow(GrammarError);
    expect(() => compileCustom({ succeeded })).toThrow(/grammar\.succeeded.*backreference .* or a lookaround/);
    expect(() => compileKeyPattern(succeeded)).toThrow(/^storage\.keyPattern uses a backreference/);
  });

  test('patterns of every other kind still compile', () => {
    expect(compileCustom(grammar).map((r) => r.kind)).toHaveLength(5);
    expect(compileKeyPattern('^nba/(?<key>\\d{4}-\\d{2}-\\d{2})/').exec('nba/2024-01-01/x.json')?.groups?.key).toBe('2024-01-01');
  });
});
