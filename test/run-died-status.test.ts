import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { runCliAsync } from './support/cli.js';
import { removeDir } from './support/remove-dir.js';
import { banner, logOf, T0 } from './support/log-text.js';

let dir = '';
afterEach(() => removeDir(dir));

// Tester AG6 d: a job whose run died read, in text status of several jobs, `failing   …: ended before its first
// record` and on the overview's title `1 with a failing source`, while every source of it answered. A run that died
// is its run's end: said as `run`, its source failures apart.
test('status of several jobs says a run that died as the run, not as a failing source', async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-died-'));
  writeFileSync(path.join(dir, 'keys.csv'), 'game_date\n2022-01-03\n2022-01-04\n');
  const died = logOf(T0, [...banner(1, 60, 2), ['INFO', '  ✅ Scraped 2022-01-03']]) + ['Traceback (most recent call last):', '  File "backfill.py", line 10, in <module>', 'FileNotFoundError: [Errno 2] No such file or directory: failed.json', ''].join('\n');
  writeFileSync(path.join(dir, 'died.log'), died);
  writeFileSync(path.join(dir, 'fine.log'), logOf(T0, [...banner(1, 60, 2), ['INFO', '  ✅ Scraped 2022-01-03'], ['INFO', '  ✅ Scraped 2022-01-04'], ['INFO', 'BACKFILL COMPLETE']]));
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ defaults: { expected: 'keys.csv', timezone: 'UTC' }, jobs: [{ name: 'died', log: 'died.log', failed: 'died/f_*.json' }, { name: 'fine', log: 'fine.log', failed: 'fine/f_*.json' }] }));
  const r = await runCliAsync(['status'], { cwd: dir });
  const whole = r.stdout.replace(/\n {10}/g, ' ');
  expect(whole).toMatch(/^run {7}died: ended: FileNotFoundError: \[Errno 2\] No such file or directory: failed\.json$/m);
  expect(r.stdout).not.toMatch(/^failing/m);
});
