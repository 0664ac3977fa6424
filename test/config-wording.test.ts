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
    ['a project id too short says what one looks like', { job: 'a', cloudRun: { ...CLOUD, project: 'p1' } }, '  cloudRun.project: not a Google Cloud project id: a lower-case letter, then 2 to 62 lower-case letters, digits, "-", "." or ":" (e.g. nba-props-platform)'],
  ])('%s', (_name, body, line) => {
    const lines = errorOf(body);
    expect(lines).toContain(line);
    expect(lines[0]).toMatch(/invalid config$/);
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
    const all = await runCliAsync(['--help'], { cwd: dir });
    expect(all.stdout).toMatch(/\n {2}loopback-cloud-run +a loopback Cloud Run region/);
    expect(all.stdout.split('\n')[0]).toBe('Usage: backfill-tui [options] [command]');
  });
});
