import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { runCliAsync } from './support/cli.js';

// Tester W12: when --timeout ends the log's read first, status --json said `ended` with half a history's counts
// and `missing --from failures` printed whatever keys were read in time, exit 0. A log no machine reads in
// 2 s: 200 GB of a sparse file (NULs, as a copytruncate leaves) with one failure at its end.
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-cutread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const log = path.join(dir, 'big.log');
writeFileSync(log, '');
truncateSync(log, 200 * 2 ** 30);
appendFileSync(log, '2025-11-26 23:17:10,000 - ERROR -   ❌ Failed 2022-01-03: HTTP 500\n');

test('status --json says reading, with no run figures from half a history', async () => {
  const r = await runCliAsync(['status', '--json', '--timeout', '2', '--log', log], { cwd: dir });
  const json = JSON.parse(r.stdout);
  expect(json.run).toMatchObject({ state: 'reading', total: null, done: 0, failed: 0 });
  expect(json.reading).toEqual({ bytesRead: expect.any(Number), size: expect.any(Number) });
  expect(json.problems.join('\n')).toContain('not finished within 2 s (--timeout)');
  // The bound as given (tester AC11: 1.5 read `within 2 s`, 0.3 `within 0 s`).
  const r15 = await runCliAsync(['status', '--json', '--timeout', '1.5', '--log', log], { cwd: dir });
  expect(JSON.parse(r15.stdout).problems.join('\n')).toContain('not finished within 1.5 s (--timeout)');
}, 30_000);

test('missing --from failures prints nothing and exits 1: no list beats a wrong one', async () => {
  const r = await runCliAsync(['missing', '--from', 'failures', '--timeout', '2', '--log', log], { cwd: dir });
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain(`the log ${log} was not read to its end`);
}, 30_000);

test('read to its end, the same log gives its figures', async () => {
  const small = path.join(dir, 'small.log');
  writeFileSync(small, '2025-11-26 23:17:10,000 - ERROR -   ❌ Failed 2022-01-03: HTTP 500\n');
  const status = JSON.parse((await runCliAsync(['status', '--json', '--log', small], { cwd: dir })).stdout);
  expect(status.reading).toBeNull();
  expect(status.run).toMatchObject({ failed: 1 });
  const missing = await runCliAsync(['missing', '--from', 'failures', '--log', small], { cwd: dir });
  expect([missing.code, missing.stdout]).toEqual([0, '2022-01-03\n']);
}, 30_000);
