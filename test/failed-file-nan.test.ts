import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { parseFailedFile } from '../src/failures/failed-file.js';
import { runCliAsync, unwrapped } from './support/cli.js';
import { removeDir } from './support/remove-dir.js';

// Tester AI10 d: a failed-keys file holding NaN, as Python's json.dump writes a float that is no number, was refused
// whole (`not valid JSON: Unexpected token 'N'`) and its keys not counted, though Python's json.load reads it.
// The text below is what `json.dump(…, indent=2)` wrote for total_failed float('nan') and rates of ±inf.
const PYTHON_WROTE = `{
  "timestamp": "2026-12-01T12:00:00.123456",
  "total_failed": NaN,
  "failed_dates": [
    {
      "game_date": "2022-04-17",
      "status": "failed",
      "error": "HTTP 500",
      "rate": Infinity
    },
    {
      "game_date": "2022-02-01",
      "status": "timeout",
      "error": "NaN in reply",
      "rate": -Infinity
    }
  ]
}`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-failed-nan-'));
afterAll(() => removeDir(dir));

test("Python's NaN, Infinity and -Infinity are read as no value: every key is read, and where they stood is said once", () => {
  const parsed = parseFailedFile('/x/failed_dates_20261201_120000.json', PYTHON_WROTE);
  if (!parsed.ok) throw new Error(parsed.reason);
  const f = parsed.file;
  expect(f.entries.map((e) => [e.key, e.status, e.error])).toEqual([
    ['2022-04-17', 'failed', 'HTTP 500'],
    // A word inside a string is the string's.
    ['2022-02-01', 'timeout', 'NaN in reply'],
  ]);
  expect(f.totalFailed).toBeNull();
  expect(f.notRead).toBe(0);
  const said = f.problems.filter((p) => p.includes('NaN') || p.includes('Infinity'));
  expect(said).toEqual([
    "NaN at total_failed and 2 more (Python's json.dump writes NaN, Infinity and -Infinity, which JSON has not): read as no value",
  ]);
});

test('a file with NaN caught mid-write is still being written; one wrong elsewhere is said at its own position', () => {
  const cut = PYTHON_WROTE.slice(0, PYTHON_WROTE.indexOf('"rate": -Inf') + 8);
  expect(parseFailedFile('/x/f.json', cut)).toEqual({ ok: false, reason: 'incomplete JSON (still being written?)' });
  const wrong = PYTHON_WROTE.replace('"status": "timeout",', '"status": "timeout",,');
  const at = wrong.indexOf(',,') + 1;
  expect(parseFailedFile('/x/f.json', wrong)).toEqual({ ok: false, reason: expect.stringMatching(new RegExp(`^not valid JSON: .* at position ${at}$`)) });
});

test('status counts the keys of such a file and names it in one problem line', async () => {
  writeFileSync(path.join(dir, 'x.log'), '');
  writeFileSync(path.join(dir, 'failed_dates_20261201_120000.json'), PYTHON_WROTE);
  writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify({ job: 'a', log: 'x.log' }));
  const r = await runCliAsync(['status', '--config', 'cfg.json'], { cwd: dir });
  const out = unwrapped(r.stdout);
  expect(out).toMatch(/failures\s+2 failing/);
  const problems = out.split('\n').filter((l) => l.startsWith('problem'));
  expect(problems).toEqual([
    "problem   failed-keys file failed_dates_20261201_120000.json: NaN at total_failed and 2 more (Python's json.dump writes NaN, Infinity and -Infinity, which JSON has not): read as no value (and 1 more)",
  ]);
});
