import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { loadRegistry } from '../src/jobs/registry.js';
import { configDirs } from './support/config-dirs.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'bt-jobs-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const withConfig = configDirs(root);

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('no error thrown');
}

const platform = {
  defaults: {
    storage: { apiEndpoint: 'http://127.0.0.1:9', pollSeconds: 30 },
    warehouse: { table: 'nba-props.nba_raw.placeholder', column: 'game_date', pollSeconds: 600 },
    vars: { serviceUrl: 'https://scrapers.example' },
    workers: 4,
  },
  jobs: [
    { name: 'team-boxscores', log: 'team.log', failed: 'failed_games_*.json', storage: { url: 'gs://nba-scraped/team/' }, warehouse: { table: 'nba-props.nba_raw.team_boxscores', column: 'game_id' }, vars: { kind: 'team' } },
    { job: 'player-boxscores', log: 'player.log', storage: { url: 'gs://nba-scraped/player/' }, workers: 2 },
    { name: 'bdl-standings', log: 'bdl.log', failed: 'bdl/failed_dates_*.json', warehouse: null },
  ],
};

describe('config with jobs and defaults', () => {
  test('each job is its entry laid over the defaults, deep: objects merge, the job wins', () => {
    const dir = withConfig(platform);
    const reg = loadRegistry({ cwd: dir });
    expect(reg.multi).toBe(true);
    expect(reg.jobs.map((j) => j.job)).toEqual(['team-boxscores', 'player-boxscores', 'bdl-standings']);
    const [team, player, bdl] = reg.jobs;
    expect(team.storage).toMatchObject({ url: 'gs://nba-scraped/team/', apiEndpoint: 'http://127.0.0.1:9', pollSeconds: 30 });
    expect(team.warehouse).toMatchObject({ table: 'nba-props.nba_raw.team_boxscores', column: 'game_id', pollSeconds: 600 });
    expect(team.vars).toEqual({ serviceUrl: 'https://scrapers.example', kind: 'team' });
    expect(team.workers).toBe(4);
    expect(player.workers).toBe(2);
    expect(player.warehouse).toMatchObject({ table: 'nba-props.nba_raw.placeholder' });
    expect(bdl.warehouse).toBeNull();
    expect(team.log).toBe(path.join(dir, 'team.log'));
    // Each job keeps its runs, keys files and launch lock apart.
    expect(new Set(reg.jobs.map((j) => j.stateDir)).size).toBe(3);
    expect(team.stateDir).toBe(path.join(dir, '.backfill-tui', 'team-boxscores'));
  });

  test('a shared cloudRun project and region fill in the Cloud Run jobs and leave the local ones local', () => {
    const dir = withConfig({
      defaults: { cloudRun: { project: 'nba-props', region: 'us-west2' } },
      jobs: [
        { name: 'local', log: 'a.log', command: ['python3', 'bf.py', '{keysFile}'] },
        { name: 'remote', cloudRun: { job: 'bdl-backfill' } },
      ],
    });
    const [local, remote] = loadRegistry({ cwd: dir }).jobs;
    expect(local.cloudRun ?? null).toBeNull();
    expect(local.log).toBe(path.join(dir, 'a.log'));
    expect(remote.cloudRun).toMatchObject({ project: 'nba-props', region: 'us-west2', job: 'bdl-backfill' });
  });

  test('a config without jobs is one job, resolved exactly as loadConfig resolves it', () => {
    const dir = withConfig({ job: 'solo', log: 'b.log', storage: { url: 'st' } });
    const reg = loadRegistry({ cwd: dir });
    expect(reg.multi).toBe(false);
    expect(reg.jobs).toEqual([loadConfig({ cwd: dir })]);
    expect(reg.jobs[0].stateDir).toBe(path.join(dir, '.backfill-tui'));
  });

  test('jobs on failed globs that cannot name one file, or in other folders, are each their own', () => {
    const dir = withConfig({
      jobs: [
        { name: 'dates', log: 'a.log' },
        { name: 'games', log: 'b.log', failed: 'failed_games_*.json' },
        { name: 'retry', log: 'c.log', failed: 'retry_failed_dates_*.json' },
        { name: 'elsewhere', log: 'd.log', failed: 'other/failed_dates_*.json' },
        { name: 'cloud', log: 'e.log', failed: 'gs://bucket/f/failed_dates_*.json' },
        { name: 'cloud2', log: 'f.log', failed: 'gs://bucket/g/failed_dates_*.json' },
      ],
    });
    expect(loadRegistry({ cwd: dir }).jobs.map((j) => path.relative(dir, j.failed))).toEqual([
      'failed_dates_*.json',
      'failed_games_*.json',
      'retry_failed_dates_*.json',
      path.join('other', 'failed_dates_*.json'),
      path.relative(dir, 'gs://bucket/f/failed_dates_*.json'),
      path.relative(dir, 'gs://bucket/g/failed_dates_*.json'),
    ]);
  });

  test('a Cloud Run job without failed reads no failed-keys files, so it meets no other job (tester X3)', () => {
    const cloudRun = (job: string) => ({ project: 'proj-x', region: 'us-west2', job, args: ['--dates={keys}'] });
    const dir = withConfig({ jobs: [{ name: 'local', log: 'a.log' }, { name: 'c1', cloudRun: cloudRun('j1') }, { name: 'c2', cloudRun: cloudRun('j2') }] });
    expect(loadRegistry({ cwd: dir }).jobs.map((j) => [j.job, j.failed])).toEqual([['local', path.join(dir, '{failed_dates,retry_failed_dates,failed_games}_*.json')], ['c1', null], ['c2', null]]);
    // Picked alone too, and a lone Cloud Run config.
    expect(loadRegistry({ cwd: dir, flags: { job: 'c2' } }).jobs[0].failed).toBeNull();
    expect(loadRegistry({ cwd: withConfig({ job: 'c', cloudRun: cloudRun('j1') }) }).jobs[0].failed).toBeNull();
  });

  test('--job on a job whose failed glob another job shares is refused too: it would read that job\'s failures', () => {
    const dir = withConfig({ jobs: [{ name: 'small', log: 'a.log' }, { name: 'huge', log: 'b.log', workers: 'not checked here' }] });
    const err = errorOf(() => loadRegistry({ cwd: dir, flags: { job: 'small' } }));
    expect(err.message).toMatch(/jobs\.1\.failed \(job "huge"\): not set/);
    expect(err.exitCode).toBe(2);
    // Its own --failed takes it apart from the other.
    expect(loadRegistry({ cwd: dir, flags: { job: 'small', failed: 'mine/failed_dates_*.json' } }).jobs[0].failed).toBe(path.join(dir, 'mine', 'failed_dates_*.json'));
  });

  test('--job picks one job of the list; its flags apply to it alone', () => {
    const dir = withConfig(platform);
    const reg = loadRegistry({ cwd: dir, flags: { job: 'player-boxscores', log: '/tmp/other.log' } });
    expect(reg.multi).toBe(false);
    expect(reg.jobs.map((j) => [j.job, j.log])).toEqual([['player-boxscores', '/tmp/other.log']]);
    // The same state folder as with every job loaded: the lock and runs.jsonl are the job's.
    expect(reg.jobs[0].stateDir).toBe(loadRegistry({ cwd: dir }).jobs[1].stateDir);
    expect(errorOf(() => loadRegistry({ cwd: dir, flags: { job: 'nope' } })).message).toMatch(/no job named "nope" \(jobs: team-boxscores, player-boxscores, bdl-standings\)/);
    expect(errorOf(() => loadRegistry({ cwd: dir, flags: { log: 'x.log' } })).message).toMatch(/--log .* add --job NAME/);
  });

  test.each([
    ['a wrong type in one job', { jobs: [{ name: 'a', log: 'a.log' }, { name: 'b', log: 'b.log', workers: 'six' }] }, /job "b" \(jobs\.1\): invalid config\n  jobs\.1\.workers:/],
    ['a field missing from job and defaults', { jobs: [{ name: 'a', log: 'a.log' }, { name: 'b' }] }, /job "b" \(jobs\.1\).*\n  log:/],
    ['a bad default shows in the first job that uses it', { defaults: { storage: { pollSeconds: -1 } }, jobs: [{ name: 'a', log: 'a.log', storage: { url: 'gs://b/p/' } }] }, /job "a" \(jobs\.0\).*\n  defaults\.storage\.pollSeconds:/],
    ['a duplicate name', { jobs: [{ name: 'a', log: 'a.log' }, { name: 'a', log: 'b.log' }] }, /jobs\.1\.name: "a" is also the name of jobs\.0/],
    ['a job without a name', { jobs: [{ log: 'a.log' }] }, /jobs\.0\.name: every job of a list needs a name/],
    ['an unknown default', { defaults: { wokers: 3 }, jobs: [{ name: 'a', log: 'a.log' }] }, /defaults\.wokers: unknown setting/],
    ['a job setting beside jobs', { log: 'x.log', jobs: [{ name: 'a', log: 'a.log' }] }, /  log: not allowed beside "jobs"/],
    ['two jobs on one log', { jobs: [{ name: 'a', log: 'x.log' }, { name: 'b', log: 'x.log' }] }, /job "b": log .*x\.log is also the log of job "a"/],
    // Tester W26: a game-id job read a date job's failures through the default both took.
    ['two jobs on the default failed glob', { jobs: [{ name: 'small', log: 'a.log' }, { name: 'huge', log: 'b.log' }] }, /\n  jobs\.1\.failed \(job "huge"\): not set, so the default \/.*\/\{failed_dates,retry_failed_dates,failed_games\}_\*\.json; it names the same failed-keys files as job "small" \(not set either\)/],
    ['a job on the default glob another names', { jobs: [{ name: 'a', log: 'a.log', failed: './failed_dates_*.json' }, { name: 'b', log: 'b.log' }] }, /jobs\.1\.failed \(job "b"\): not set, so the default .* as job "a" \(jobs\.0\.failed \//],
    ['two globs one file name meets', { jobs: [{ name: 'a', log: 'a.log', failed: 'f/failed_*.json' }, { name: 'b', log: 'b.log', failed: 'f/failed_dates_*.json' }] }, /jobs\.1\.failed \(job "b"\): jobs\.1\.failed .*failed_dates_\*\.json; it names failed-keys files as job "a"/],
    ['one gs:// glob for two jobs', { jobs: [{ name: 'a', log: 'a.log', failed: 'gs://bkt/f/failed_*.json' }, { name: 'b', log: 'b.log', failed: 'gs://bkt/f/failed_*.json' }] }, /jobs\.1\.failed \(job "b"\)/],
    // Tester X3: two jobs on one Cloud Run job would take each other's executions and launches for their own.
    ['two jobs on one Cloud Run job', { jobs: [{ name: 'a', failed: 'gs://bkt/a/f_*.json', cloudRun: { project: 'proj-x', region: 'us-west2', job: 'j1' } }, { name: 'b', failed: 'gs://bkt/b/f_*.json', cloudRun: { project: 'proj-x', region: 'us-west2', job: 'j1' } }] }, /\n  jobs\.1\.cloudRun \(job "b"\): Cloud Run job j1 \(project proj-x, region us-west2\) is also job "a"'s/],
    ['a shared default failed', { defaults: { failed: 'failed_dates_*.json' }, jobs: [{ name: 'a', log: 'a.log' }, { name: 'b', log: 'b.log' }] }, /defaults\.failed \(job "b"\)/],
    ['an empty list', { jobs: [] }, /jobs: expected a non-empty list/],
    ['a name that is a path step', { jobs: [{ name: '..', log: 'a.log' }] }, /jobs\.0\.name: "\.\." cannot name a job/],
    ['defaults without jobs', { defaults: {}, log: 'a.log' }, /defaults: only used with a "jobs" list/],
  ])('%s is a ConfigError naming the file, the job and the field', (_what, config, pattern) => {
    const dir = withConfig(config);
    const err = errorOf(() => loadRegistry({ cwd: dir }));
    expect(err.message).toContain(path.join(dir, 'backfill-tui.config.json'));
    expect(err.message).toMatch(pattern);
    expect(err.exitCode).toBe(2);
  });
});

describe('chain config', () => {
  const chain = {
    expected: 'dates.csv',
    stages: [
      { name: 'Phase 1', storage: { url: 'gs://nba-scraped/player/' } },
      { name: 'Phase 2', warehouse: { table: 'p.nba_raw.player', column: 'game_date' } },
      { name: 'Phase 3', warehouse: { table: 'p.nba_analytics.player', column: 'game_date', dir: 'analytics' }, after: 'Phase 1' },
    ],
  };

  test('stages in order, `after` defaulting to the stage before, paths and defaults resolved', () => {
    const dir = withConfig({ defaults: { targets: [90, 100], warehouse: { pollSeconds: 900 } }, jobs: [{ name: 'a', log: 'a.log' }], chain });
    const c = loadRegistry({ cwd: dir }).chain!;
    expect(c.expected.file).toBe(path.join(dir, 'dates.csv'));
    expect(c.targets).toEqual([90, 100]);
    expect(c.stages.map((s) => [s.name, s.after])).toEqual([['Phase 1', null], ['Phase 2', 'Phase 1'], ['Phase 3', 'Phase 1']]);
    expect(c.stages[1].warehouse!.pollSeconds).toBe(900);
    expect(c.stages[2].warehouse!.dir).toBe(path.join(dir, 'analytics'));
    // A lone-job config may have a chain too.
    expect(loadRegistry({ cwd: withConfig({ log: 'a.log', chain }) }).chain!.stages).toHaveLength(3);
  });

  test.each([
    ['both sources', [{ name: 'A', storage: { url: 'x' }, warehouse: { table: 'p.d.t', column: 'c' } }], /chain\.stages\.0 \(A\): give exactly one of storage and warehouse/],
    ['no source', [{ name: 'A' }], /give exactly one/],
    ['after naming a later stage', [{ name: 'A', storage: { url: 'x' }, after: 'B' }, { name: 'B', storage: { url: 'y' } }], /chain\.stages\.0\.after: "B" is not a stage listed before "A"/],
    ['a duplicate stage', [{ name: 'A', storage: { url: 'x' } }, { name: 'A', storage: { url: 'y' } }], /chain\.stages\.1\.name: "A" names two stages/],
    ['a bad table', [{ name: 'A', warehouse: { table: 'nodots', column: 'c' } }], /chain\.stages\.0\.warehouse\.table/],
    // The same checks as a job's storage (tester V3: these started, the stage then read a bare `error`).
    ['a gs:// URL without a bucket', [{ name: 'A', storage: { url: 'x' } }, { name: 'B', storage: { url: 'gs://' } }], /chain\.stages\.1\.storage\.url: "gs:\/\/" is not gs:\/\/BUCKET\/PREFIX\/ \(write it as gs:\/\/bucket-name/],
    ['a gs:// URL with an empty bucket', [{ name: 'A', storage: { url: 'gs:///x/' } }], /chain\.stages\.0\.storage\.url: "gs:\/\/\/x\/" is not gs:\/\/BUCKET\/PREFIX\//],
    ['a key pattern without a key group', [{ name: 'A', storage: { url: 'x', keyPattern: '^(\\d+)$' } }], /chain\.stages\.0\.storage\.keyPattern: /],
  ])('%s is a ConfigError naming the stage field', (_what, stages, pattern) => {
    const dir = withConfig({ jobs: [{ name: 'a', log: 'a.log' }], chain: { expected: 'e.csv', stages } });
    const err = errorOf(() => loadRegistry({ cwd: dir }));
    expect(err.message).toContain(path.join(dir, 'backfill-tui.config.json'));
    expect(err.message).toMatch(pattern);
  });
});

// Tester AK11: mistakes in two jobs named only the first's; fix it, run again, meet the next.
test('every job\'s mistakes at once, each under its job\'s heading', () => {
  const dir = withConfig({ jobs: [{ name: 'a', log: 'a.log', workers: 'six' }, { name: 'b', log: 'b.log', storage: { url: 'st', pollSecs: 5 } }, { name: 'c', log: 'c.log' }] });
  const file = path.join(dir, 'backfill-tui.config.json');
  const lines = errorOf(() => loadRegistry({ cwd: dir })).message.split('\n');
  expect(lines).toEqual([`${file}: job "a" (jobs.0): invalid config`, expect.stringMatching(/^ {2}jobs\.0\.workers: /), `${file}: job "b" (jobs.1): invalid config`, '  jobs.1.storage.pollSecs: unknown setting']);
});
