import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { loadRegistry } from '../src/jobs/registry.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const write = (config: object) => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-crcfg-'));
  const file = path.join(dir, 'backfill-tui.config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
};
const cloudRun = { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-boxscore-backfill', args: ['--dates={keys}'] };

describe('cloudRun config', () => {
  it('replaces command + log: no log needed, defaults filled in, the log named after the job', () => {
    const c = loadConfig({ file: write({ job: 'bdl', cloudRun }), cwd: '/' });
    expect(c.cloudRun).toMatchObject({ ...cloudRun, env: {}, stuckAfter: 7200, pollSeconds: 5, logDeadline: 300 });
    expect(c.log).toBe('cloud-run:projects/nba-props-platform/locations/us-west2/jobs/bdl-boxscore-backfill');
  });

  it('a job with neither log nor cloudRun, and a bad cloudRun field, are errors naming the field', () => {
    expect(() => loadConfig({ file: write({ job: 'x' }), cwd: '/' })).toThrow(/log: required .* unless the job runs on Cloud Run \(cloudRun\)/);
    expect(() => loadConfig({ file: write({ cloudRun: { ...cloudRun, region: 'us west' } }), cwd: '/' })).toThrow(/cloudRun\.region: not a Cloud Run region: one such as us-west2/);
    expect(() => loadConfig({ file: write({ cloudRun: { ...cloudRun, keysPrefix: 'gs://b/keys' } }), cwd: '/' })).toThrow(/cloudRun\.keysPrefix: gs:\/\/BUCKET\/PREFIX\/ ending in \//);
    expect(() => loadConfig({ file: write({ cloudRun: { ...cloudRun, colour: 1 } }), cwd: '/' })).toThrow(/cloudRun/);
  });

  it('a placeholder no launch fills, or {keysUri} without keysPrefix, is an error at start naming the job and the field (tester T10)', () => {
    expect(() => loadConfig({ file: write({ cloudRun: { ...cloudRun, args: ['--dates={keys}', '--url={serviceUrl}'] } }), cwd: '/' })).toThrow(
      /cloudRun\.args: unknown placeholder \{serviceUrl\} \(known: \{workers\}, \{timeout\}, \{keys\}, \{keysUri\}/,
    );
    expect(() => loadConfig({ file: write({ cloudRun: { ...cloudRun, args: ['--keys-uri={keysUri}'] } }), cwd: '/' })).toThrow(
      /cloudRun\.keysPrefix: required when cloudRun\.args use \{keysUri\}/,
    );
    expect(() => loadConfig({ file: write({ log: 'a.log', command: ['python', 'x.py', '--dates-file={keysFile}', '--w={wrkers}'] }), cwd: '/' })).toThrow(
      /command: unknown placeholder \{wrkers\} \(known: \{workers\}, \{timeout\}, \{keysFile\}/,
    );
    // What a launch fills is accepted: the run's values, vars, and {keysUri} with its prefix.
    const vars = { serviceUrl: 'http://127.0.0.1:1' };
    expect(loadConfig({ file: write({ vars, cloudRun: { ...cloudRun, keysPrefix: 'gs://b/keys/', args: ['{keys}', '{keysUri}', '{workers}', '{timeout}', '{serviceUrl}'] } }), cwd: '/' }).cloudRun?.args).toHaveLength(5);
    expect(loadConfig({ file: write({ vars, log: 'a.log', command: ['x', '{keysFile}', '{workers}', '{timeout}', '{serviceUrl}'] }), cwd: '/' }).command).toHaveLength(5);
    // A shared command whose placeholders only the local jobs fill is not checked for a Cloud Run job, which never
    // runs it: the platform demo's shape (tester U1: the demo refused to start).
    const shared = write({
      defaults: { command: ['python', 'x.py', '--failed-dir={failedDir}'] },
      jobs: [{ name: 'local', log: 'a.log', vars: { failedDir: '/tmp' } }, { name: 'cloud', cloudRun }],
    });
    expect(loadRegistry({ file: shared, cwd: dir }).jobs.map((j) => j.job)).toEqual(['local', 'cloud']);
    const file = write({ jobs: [{ name: 'ok', cloudRun }, { name: 'typo', cloudRun: { ...cloudRun, args: ['{key}'] } }] });
    expect(() => loadRegistry({ file, cwd: dir })).toThrow(/typo[\s\S]*cloudRun\.args: unknown placeholder \{key\}/);
  });

  // Tester AI10 c: `"vars": {"keysFile": "/etc/passwd", "workers": "99"}` was accepted and lost to the run's own values.
  it('a var named as a value each launch fills is an error at start naming it, in the job it is in', () => {
    expect(() => loadConfig({ file: write({ log: 'a.log', vars: { keysFile: '/etc/passwd' }, command: ['echo', '{keysFile}'] }), cwd: '/' })).toThrow(
      /vars\.keysFile: \{keysFile\} is filled by each launch \(the run's own keys file\): give the var another name/,
    );
    expect(() => loadConfig({ file: write({ log: 'a.log', vars: { workers: '99' } }), cwd: '/' })).toThrow(/vars\.workers: \{workers\} is filled by each launch/);
    const file = write({ jobs: [{ name: 'fine', log: 'a.log', vars: { keys: 'x' } }, { name: 'cloud', cloudRun, vars: { keysUri: 'gs://x/' } }] });
    expect(() => loadRegistry({ file, cwd: dir })).toThrow(/cloud[\s\S]*vars\.keysUri: \{keysUri\} is filled by each launch/);
  });

  it('in a jobs list beside local jobs: a command from defaults does not stop a Cloud Run job', () => {
    const file = write({ defaults: { command: ['python', 'x.py'] }, jobs: [{ name: 'local', log: 'a.log' }, { name: 'cloud', cloudRun }] });
    const r = loadRegistry({ file, cwd: dir });
    expect(r.jobs.map((j) => [j.job, Boolean(j.cloudRun)])).toEqual([['local', false], ['cloud', true]]);
  });
});
