import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { failedFileProblems } from '../src/failures/failed-file.js';
import type { FailedFile } from '../src/failures/failed-file.js';
import { runCliAsync, unwrapped } from './support/cli.js';

// Tester F27: entries of a failed-keys file that are never used (unsafe keys) were said only in the dashboard.
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-failed-problems-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('status and status --json say which failed-keys entries were not read, and why', async () => {
  mkdirSync(path.join(dir, 'logs'));
  writeFileSync(path.join(dir, 'x.log'), '');
  const entries = [
    { game_date: '2021-10-22', status: 'failed', error: 'HTTP 500' },
    { game_date: '2021-10-19\n2021-10-20', status: 'failed', error: 'x' },
    { game_date: '--help', status: 'failed', error: 'x' },
  ];
  writeFileSync(path.join(dir, 'logs', 'failed_dates_20251127_090000.json'), JSON.stringify(entries));
  writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify({ job: 'a', log: 'x.log', failed: 'logs/failed_dates_*.json' }));
  const line =
    'failed-keys file failed_dates_20251127_090000.json: 2 entries not read (entry 2: game_date "2021-10-19\\n2021-10-20" holds a control character (newline, carriage return, escape...): not used)';
  // A problem line exits 1, as every kind of problem does (README, exit codes): what was printed is not all there is.
  const text = await runCliAsync(['status', '--config', 'cfg.json'], { cwd: dir });
  expect(text.code).toBe(1);
  expect(unwrapped(text.stdout)).toContain(`\nproblem   ${line}\n`);
  const json = await runCliAsync(['status', '--json', '--config', 'cfg.json'], { cwd: dir });
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout)).toMatchObject({ problems: [line], failures: { failing: 1 } });
  // With --require: a usage error stays 2; a target met exits 1 all the same, and says why on stderr.
  const usage = await runCliAsync(['status', '--config', 'cfg.json', '--require', '95', '--source', 'warehouse'], { cwd: dir });
  expect(usage.code).toBe(2);
  mkdirSync(path.join(dir, 'st', '2021-10-22'), { recursive: true });
  writeFileSync(path.join(dir, 'st', '2021-10-22', 'x.json'), '{}');
  writeFileSync(path.join(dir, 'keys.csv'), '2021-10-22\n');
  writeFileSync(path.join(dir, 'cfg2.json'), JSON.stringify({ job: 'a', log: 'x.log', failed: 'logs/failed_dates_*.json', expected: 'keys.csv', storage: { url: 'st' } }));
  const met = await runCliAsync(['status', '--config', 'cfg2.json', '--require', '95'], { cwd: dir });
  expect([met.code, met.stderr]).toEqual([1, 'backfill-tui: --require 95 met, but exit 1: status said a problem (see problem)\n']);
});

test('many files with such entries: five named, the rest counted', () => {
  const file = (i: number): FailedFile => ({ path: `/f${i}`, name: `f${i}.json`, runStartedAt: 0, writtenAt: null, mtimeMs: 0, totalFailed: 1, entries: [], problems: [`entry 1: bad ${i}`], notRead: 1 });
  const lines = failedFileProblems([1, 2, 3, 4, 5, 6, 7].map(file), ['g.json: not valid JSON', 'h.json: incomplete JSON (still being written?)']);
  expect(lines).toEqual([
    'failed-keys file g.json: not valid JSON',
    'failed-keys file f1.json: 1 entry not read (entry 1: bad 1)',
    'failed-keys file f2.json: 1 entry not read (entry 1: bad 2)',
    'failed-keys file f3.json: 1 entry not read (entry 1: bad 3)',
    'failed-keys file f4.json: 1 entry not read (entry 1: bad 4)',
    'failed-keys files: 3 more with entries not read',
  ]);
});

// Tester T13: the count said problem lines (6: five bad entries and total_failed), not entries (5).
test('the count is of entries not read, whatever other problems the file has', async () => {
  const entries = [
    { game_date: '2022-04-17\n2022-04-18', status: 'failed', error: 'x' },
    { game_date: '--storage=/etc', status: 'failed', error: 'x' },
    { game_date: '2022-04-19\r', status: 'failed', error: 'x' },
    { game_date: '2022-04-20\u001b[2J', status: 'failed', error: 'x' },
    { game_date: 'G'.repeat(100_000), status: 'failed', error: 'x' },
    { game_date: '2022-04-21', status: 'failed', error: 'x' },
    { game_date: '2022-04-22', status: 'failed', error: 'x' },
  ];
  writeFileSync(path.join(dir, 'logs', 'failed_dates_20251128_100000.json'), JSON.stringify({ failed_dates: entries, total_failed: 8 }));
  const json = await runCliAsync(['status', '--json', '--config', 'cfg.json'], { cwd: dir });
  expect(JSON.parse(json.stdout).problems).toContainEqual(expect.stringMatching(/^failed-keys file failed_dates_20251128_100000\.json: 5 entries not read \(entry 1: game_date "2022-04-17\\n2022-04-18" holds a control character/));
});

// Tester V6: a failed-keys file left cut off (the script's json.dump killed half-way, a full disk) read "being
// written" forever on `f`, and status said nothing.
test('a failed-keys file cut off and unchanged for over a minute is a problem status names; one just written is not', async () => {
  const cut = path.join(dir, 'logs', 'failed_dates_20251129_010000.json');
  writeFileSync(cut, '{"timestamp": "2025-11-29T01:00:00", "total_failed": 2, "failed_dates": [{"game_date": "2022-06-01", "st');
  const fresh = await runCliAsync(['status', '--json', '--config', 'cfg.json'], { cwd: dir });
  expect(JSON.parse(fresh.stdout).problems.join('\n')).not.toContain('failed_dates_20251129_010000.json');
  const old = Date.now() / 1000 - 2 * 3600;
  utimesSync(cut, old, old);
  const json = await runCliAsync(['status', '--json', '--config', 'cfg.json'], { cwd: dir });
  expect(JSON.parse(json.stdout).problems).toContain('failed-keys file failed_dates_20251129_010000.json: incomplete JSON, unchanged for over a minute (cut off?): its keys are not counted');
  rmSync(cut);
});
