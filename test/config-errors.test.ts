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

describe('values that parse but cannot be right are refused at start (tester W3)', () => {
  test.each([
    ['warehouse.since that is no calendar date', { warehouse: { table: 'p.d.t', column: 'd', since: '2021-13-45' } }, 'warehouse.since: not a date: write it as YYYY-MM-DD'],
    ['warehouse.until on a day the month lacks', { warehouse: { table: 'p.d.t', column: 'd', until: '2023-02-29' } }, 'warehouse.until: not a date: write it as YYYY-MM-DD'],
    ['warehouse.since after until', { warehouse: { table: 'p.d.t', column: 'd', since: '2022-06-01', until: '2021-10-01' } }, 'warehouse.until: since is after until'],
    ['a target listed twice', { targets: [98, 95, 95] }, 'targets: each target once: a percent is listed twice'],
  ])('%s', async (_name, body, message) => {
    const file = cfg('w3.json', { job: 'w3', log: 'a.log', ...body });
    const r = await run(['status', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(path.join(dir, 'w3.json'));
    noStack(r.stderr);
  });

  test('a leap day is a date', async () => {
    const file = cfg('w3ok.json', { job: 'w3ok', log: 'a.log', targets: [95, 98, 100], warehouse: { table: 'p.d.t', column: 'd', since: '2024-02-29', until: '2024-02-29', dir: 'nowhere' } });
    const r = await run(['status', '--json', '--config', file]);
    expect(r.stderr).not.toContain('not a date');
    expect(JSON.parse(r.stdout)).toMatchObject({ job: 'w3ok' });
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

  // Tester V4: `--log a.log --log b.log status` silently followed b.log.
  test.each([
    [['--log', 'a.log', '--log', 'b.log', 'status'], '--log', 'a.log', 'b.log'],
    [['status', '--log', 'a.log', '--log', 'b.log'], '--log', 'a.log', 'b.log'],
    [['status', '--job', 'x', '--job', 'y', '--log', 'a.log'], '--job', 'x', 'y'],
    [['--state-dir', 's1', '--state-dir', 's2', 'status'], '--state-dir', 's1', 's2'],
  ])('a single-valued option twice on one side of the subcommand is a usage error too: %j', async (args, flag, first, second) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${flag} given twice ("${first}", "${second}"): give it once`);
    expect(r.stdout).toBe('');
  });
});

// Tester F18/F19: each of these was accepted or named only part of the problem.
describe('more config errors, each exit 2 naming the file and the whole field', () => {
  test.each([
    ['a failed pattern without a key group', { log: 'a.log', grammar: { failed: '^FAIL (\\S+)' } }, '  grammar.failed: needs a named group (?<key>...)'],
    ['a succeeded pattern whose group is not named key', { log: 'a.log', grammar: { succeeded: '^OK (?<k>\\S+)' } }, '  grammar.succeeded: needs a named group (?<key>...)'],
    ['an unknown setting inside a section', { log: 'a.log', storage: { url: 'st', pollSecs: 3 } }, '  storage.pollSecs: unknown setting'],
    ['gs:// without a bucket', { log: 'a.log', storage: { url: 'gs://' } }, '  storage.url: "gs://" is not gs://BUCKET/PREFIX/ (write it as gs://bucket-name/path/to/folders/)'],
    ['a job named ..', { job: '..', log: 'a.log' }, "  job: not . or .. (the name is also its state folder's)"],
  ])('%s', async (_name, body, line) => {
    const file = cfg('more.json', body);
    const r = await run(['status', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`backfill-tui: ${path.join(dir, 'more.json')}: invalid config\n${line}\n`);
  });

  test('a job of a jobs list names the job too', async () => {
    const file = cfg('jobs.json', { jobs: [{ name: 'ok', log: 'a.log' }, { name: 'bad', log: 'b.log', grammar: { failed: '^FAIL (\\S+)' } }] });
    const r = await run(['status', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path.join(dir, 'jobs.json')}: job "bad" (jobs.1): invalid config\n  grammar.failed: needs a named group (?<key>...)`);
  });

  test('bad JSON says line and column', async () => {
    const file = cfg('bad.json', '{"job": "a",\n  "log": x}\n');
    const r = await run(['status', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`backfill-tui: ${path.join(dir, 'bad.json')}: not valid JSON at line 2, column 10: Unexpected token 'x'\n`);
  });

  // Tester X9: JSON.parse keeps the last of a key written twice, silently (two `storage` blocks after a paste).
  test('a key written twice in one object names each, with its lines; the same key in two objects is fine', async () => {
    const text = '{"jobs": [\n  {"name": "a", "log": "a.log",\n   "storage": {"url": "st"},\n   "storage": {"url": "st2", "url": "st3"}},\n  {"name": "b", "log": "b.log", "note": "a \\"log\\": {\\"x\\"}"}\n]}\n';
    const file = cfg('twice.json', text);
    const r = await run(['status', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `backfill-tui: ${path.join(dir, 'twice.json')}: invalid config\n` +
        '  jobs.0.storage: given twice (lines 3 and 4); JSON would keep only the last: write it once\n' +
        '  jobs.0.storage.url: given twice (line 4); JSON would keep only the last: write it once\n',
    );
  });

  test('a word that is no command is called that, exit 2', async () => {
    const r = await run(['bogus-cmd']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown command 'bogus-cmd' (commands: status, missing, demo, init, sim, loopback-cloud-run; see backfill-tui --help)\n");
  });
});
