import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCliAsync } from './support/cli.js';

// The built CLI on broken configs and argument orders: exit 2 naming the field, never a stack trace.
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-cfgerr-'));
const LINE = '2025-11-26 23:17:10,000 - INFO -   ✅ Scraped 2022-01-03\n';
beforeAll(() => {
  writeFileSync(path.join(dir, 'a.log'), LINE);
  writeFileSync(path.join(dir, 'b.log'), LINE + LINE.replace('01-03', '01-04'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cfg = (name: string, body: object | string) => {
  writeFileSync(path.join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
  return name;
};
const run = (args: string[]) => runCliAsync(args, { cwd: dir, env: { METADATA_SERVER_DETECTION: 'none' } });
const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

describe('config errors exit 2 naming the field', () => {
  test.each([
    ['a keyPattern that does not compile', { url: 'st', keyPattern: '(?<key>[0-9' }, /storage\.keyPattern: is not a regular expression: .*\(fix the pattern in the config\)/],
    ['a keyPattern without a key group', { url: 'st', keyPattern: '^(\\d{4}-\\d\\d-\\d\\d)/' }, /storage\.keyPattern: has no named group "key" \(write the key part as \(\?<key>\.\.\.\)/],
  ])('%s', async (_name, storage, message) => {
    const file = cfg('kp.json', { log: 'a.log', storage });
    const r = await run(['status', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(path.join(dir, 'kp.json'));
    noStack(r.stderr);
  });

  test('a failed glob with * in its folder part', async () => {
    const file = cfg('fg.json', { log: 'a.log', failed: 'runs*/failed_dates_*.json' });
    const r = await run(['status', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('failed: only the file name may hold * or ? (runs*/failed_dates_*.json)');
    noStack(r.stderr);
  });
});

test('a config saved with a UTF-8 byte-order mark is read', async () => {
  const file = cfg('bom.json', `\uFEFF${JSON.stringify({ job: 'bom-job', log: 'a.log' })}`);
  const r = await run(['status', '--json', '--config', file]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ job: 'bom-job', run: { succeeded: 1 } });
});

describe('global options before the subcommand', () => {
  test('--log X status: the log given before the subcommand is the one read', async () => {
    const r = await run(['--log', 'b.log', 'status', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect([json.log, json.run.succeeded]).toEqual([path.join(dir, 'b.log'), 2]);
  });

  test('--config before the subcommand is honoured too', async () => {
    const file = cfg('before.json', { log: 'b.log', expected: 'keys.txt' });
    writeFileSync(path.join(dir, 'keys.txt'), '2022-01-03\n');
    const r = await run(['--config', file, 'status', '--json']);
    expect(JSON.parse(r.stdout).log).toBe(path.join(dir, 'b.log'));
  });

  test('the same option before and after with different values is a usage error', async () => {
    const r = await run(['--log', 'a.log', 'status', '--log', 'b.log']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('backfill-tui: --log given twice, before and after the subcommand, with different values ("a.log", "b.log"): give it once');
  });
});
