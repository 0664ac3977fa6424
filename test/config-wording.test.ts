import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadRegistry } from '../src/jobs/registry.js';
import { runCliAsync } from './support/cli.js';

// A config error names the place the operator must edit, and says what is wrong there (tester T11).
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-cfgword-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CLOUD = { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-boxscore-backfill', args: ['--dates={keys}'] };
/** The error loading `body` gives, its lines after the first (the file and job). */
function errorOf(body: object): string[] {
  const file = path.join(dir, 'backfill-tui.config.json');
  writeFileSync(file, JSON.stringify(body));
  try {
    loadRegistry({ file, cwd: dir });
  } catch (err) {
    return (err as Error).message.split('\n');
  }
  throw new Error('no error');
}

describe('config errors name where the value is written', () => {
  test.each([
    ['a bad value a job inherits from defaults names defaults', { defaults: { workers: -3 }, jobs: [{ name: 'a', log: 'a.log' }] }, '  defaults.workers: Too small: expected number to be >0'],
    ["the job's own bad value names its entry", { defaults: { workers: 4 }, jobs: [{ name: 'a', log: 'a.log', workers: 0 }] }, '  jobs.0.workers: Too small: expected number to be >0'],
    ['a nested value from defaults', { defaults: { storage: { url: 'st', pollSeconds: -1 } }, jobs: [{ name: 'a', log: 'a.log' }, { name: 'b', log: 'b.log' }] }, '  defaults.storage.pollSeconds: Too small: expected number to be >0'],
    ['a misspelt key of an entry is named in the entry, not "(top level)"', { jobs: [{ name: 'a', log: 'a.log', storge: {} }] }, '  jobs.0.storge: unknown setting'],
    ['a chain without expected says it is required and what it is', { jobs: [{ name: 'a', log: 'a.log' }], chain: { stages: [{ name: 'P1', storage: { url: 'st' } }] } }, '  chain.expected: required: the expected keys file (a path, or { "file", "column" })'],
    ['an entry with both command and cloudRun', { jobs: [{ name: 'a', log: 'a.log', command: ['x'], cloudRun: CLOUD }] }, '  jobs.0.cloudRun: give "command" (a local process) or "cloudRun" (a Cloud Run Job), not both'],
    ['a lone config with both', { job: 'a', log: 'a.log', command: ['x'], cloudRun: CLOUD }, '  cloudRun: give "command" (a local process) or "cloudRun" (a Cloud Run Job), not both'],
    // A Cloud Run job's log is Cloud Logging's: a log file beside it was shown as its log and never read (tester AA14).
    ['a lone config with log and cloudRun', { job: 'bdl', log: 'bdl.log', cloudRun: CLOUD }, '  log: job "bdl" runs on Cloud Run (cloudRun: job bdl-boxscore-backfill in us-west2), whose log is read from Cloud Logging, so a log file is never read for it: remove "log" (or remove "cloudRun" and give "command" to run it as a local process)'],
    ['an entry with log and cloudRun', { jobs: [{ name: 'local', log: 'a.log' }, { name: 'bdl', log: 'bdl.log', cloudRun: CLOUD }] }, expect.stringMatching(/^  jobs\.1\.log: job "bdl" runs on Cloud Run \(cloudRun: job bdl-boxscore-backfill in us-west2\)/)],
    ['a log inherited from defaults beside an entry\'s cloudRun names defaults', { defaults: { log: 'a.log' }, jobs: [{ name: 'bdl', cloudRun: CLOUD }] }, expect.stringMatching(/^  defaults\.log: job "bdl" runs on Cloud Run/)],
    ['a project id too short says what one looks like', { job: 'a', cloudRun: { ...CLOUD, project: 'p1' } }, '  cloudRun.project: not a Google Cloud project id: a lower-case letter, then 2 to 62 lower-case letters, digits, "-", "." or ":" (e.g. nba-props-platform)'],
  ])('%s', (_name, body, line) => {
    const lines = errorOf(body);
    expect(lines).toEqual(expect.arrayContaining([line]));
    expect(lines[0]).toMatch(/invalid config$/);
  });

  test('a Cloud Run job with log: exit 2 naming the file, the job and the field (--log too), nothing printed on stdout', async () => {
    const file = path.join(dir, 'cloud-log.json');
    writeFileSync(file, JSON.stringify({ jobs: [{ name: 'local', log: 'a.log' }, { name: 'bdl', log: 'bdl.log', cloudRun: CLOUD }] }));
    const r = await runCliAsync(['status', '--config', file], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${file}: job "bdl" (jobs.1): invalid config`);
    expect(r.stderr).toContain('jobs.1.log: job "bdl" runs on Cloud Run');
    writeFileSync(file, JSON.stringify({ jobs: [{ name: 'local', log: 'a.log' }, { name: 'bdl', cloudRun: CLOUD }] }));
    const flag = await runCliAsync(['status', '--config', file, '--job', 'bdl', '--log', 'x.log'], { cwd: dir });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--log: job "bdl" runs on Cloud Run');
    expect(flag.stderr).toContain('so a log file is never read for it: drop --log (or remove "cloudRun"');
  });

  test('a lone config may name its job with "name", as an entry of jobs does (the README\'s cloudRun example)', () => {
    const file = path.join(dir, 'named.json');
    writeFileSync(file, JSON.stringify({ name: 'bdl-boxscores', cloudRun: CLOUD }));
    expect(loadRegistry({ file, cwd: dir }).jobs[0].job).toBe('bdl-boxscores');
    writeFileSync(file, JSON.stringify({ name: 'a', job: 'b', log: 'a.log' }));
    expect(() => loadRegistry({ file, cwd: dir })).toThrow(/name: give "name" or "job", not both/);
  });

  test('retry with one setting takes the other from the defaults (3 workers, 300 s), as the README says', () => {
    const file = path.join(dir, 'retry.json');
    writeFileSync(file, JSON.stringify({ job: 'a', log: 'a.log', retry: { workers: 2 } }));
    expect(loadRegistry({ file, cwd: dir }).jobs[0].retry).toEqual({ workers: 2, timeout: 300 });
    writeFileSync(file, JSON.stringify({ job: 'a', log: 'a.log', retry: { timeout: 100 } }));
    expect(loadRegistry({ file, cwd: dir }).jobs[0].retry).toEqual({ workers: 3, timeout: 100 });
  });

  test('loopback-cloud-run --help prints its usage and exits 0; --help lists it', async () => {
    const h = await runCliAsync(['loopback-cloud-run', '--help'], { cwd: dir });
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^usage: backfill-tui loopback-cloud-run --project P/);
    // Each option said, and the execution arg the demo's jobs use (tester AC7.3: the usage line alone, --keys nowhere).
    for (const option of ['--scratch DIR', '--log-delay S', '--idle-exit MIN', '--state FILE', '--keep DIR', '--keys=A,B,C', 'cloudRun.apiEndpoint']) expect(h.stdout).toContain(option);
    const all = await runCliAsync(['--help'], { cwd: dir });
    expect(all.stdout).toMatch(/\n {2}loopback-cloud-run +a loopback Cloud Run region/);
    expect(all.stdout.split('\n')[0]).toBe('Usage: backfill-tui [options] [command]');
  });
});
