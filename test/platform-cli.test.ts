import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCliAsync } from './support/cli.js';
import { startFakeBigQuery, type FakeBigQuery } from './support/fake-bigquery-server.js';
import { startFakeGcs, type FakeGcs } from './support/fake-gcs-server.js';

// The built CLI on a platform config: two jobs and a four-stage chain, the real Google clients against
// loopback servers (Phase 1 a bucket prefix, Phases 2 and 3 BigQuery tables), Phase 4 a local directory.
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-platform-cli-'));
const env = { METADATA_SERVER_DETECTION: 'none' };
const expected = Array.from({ length: 853 }, (_, i) => new Date(Date.UTC(2021, 9, 19) + i * 86_400_000).toISOString().slice(0, 10));
// The funnel: 830 scraped (+1 not expected), 800 of them loaded plus 3 loaded without a scrape, 760 in analytics, 700 features.
const phase1 = [...expected.slice(0, 830), '2031-01-01'];
const phase2 = [...expected.slice(0, 800), ...expected.slice(850, 853)];
const phase3 = expected.slice(0, 760);
const phase4 = expected.slice(0, 700);
let gcs: FakeGcs;
let raw: FakeBigQuery;
let analytics: FakeBigQuery;

beforeAll(async () => {
  gcs = await startFakeGcs({ bucket: 'nba-scraped-data', objects: [...phase1.map((k) => `nba-com/player-boxscores/${k}/a.json`), ...expected.slice(0, 5).map((k) => `nba-com/team-boxscores/${k}/a.json`)] });
  raw = await startFakeBigQuery({ project: 'nba-props', dataset: 'nba_raw', table: 'nbac_player_boxscores', rows: phase2 });
  analytics = await startFakeBigQuery({ project: 'nba-props', dataset: 'nba_analytics', table: 'player_game_summary', rows: phase3 });
  writeFileSync(path.join(dir, 'dates.csv'), `game_date\n${expected.join('\n')}\n`);
  for (const k of phase4) {
    mkdirSync(path.join(dir, 'features', k), { recursive: true });
    writeFileSync(path.join(dir, 'features', k, 'f.json'), '{}');
  }
  const storage = (prefix: string) => ({ url: `gs://nba-scraped-data/nba-com/${prefix}/`, apiEndpoint: gcs.url, projectId: 'nba-props' });
  const rawTable = { table: 'nba-props.nba_raw.nbac_player_boxscores', column: 'game_date', apiEndpoint: raw.url };
  writeFileSync(
    path.join(dir, 'backfill-tui.config.json'),
    JSON.stringify({
      defaults: { expected: 'dates.csv', warehouse: { projectId: 'nba-props' } },
      jobs: [
        { name: 'team-boxscores', log: 'team.log', failed: 'failed_games_*.json', storage: storage('team-boxscores') },
        { name: 'player-boxscores', log: 'player.log', storage: storage('player-boxscores'), warehouse: rawTable },
      ],
      chain: {
        expected: 'dates.csv',
        stages: [
          { name: 'Phase 1', storage: storage('player-boxscores') },
          { name: 'Phase 2', warehouse: rawTable },
          { name: 'Phase 3', warehouse: { table: 'nba-props.nba_analytics.player_game_summary', column: 'game_date', apiEndpoint: analytics.url } },
          { name: 'Phase 4', warehouse: { table: 'nba-props.nba_precompute.features', column: 'game_date', dir: 'features' } },
        ],
      },
    }),
  );
});
afterAll(async () => {
  await Promise.all([gcs.close(), raw.close(), analytics.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const queries = (f: FakeBigQuery) => f.calls.filter((c) => c === 'POST /queries').length;

describe('status --json with several jobs and a chain', () => {
  test('jobs as today\'s objects, the funnel per stage, and a table named twice queried once', async () => {
    const before = { raw: queries(raw), gcs: gcs.queries.filter((q) => q.get('prefix') === 'nba-com/player-boxscores/').length };
    const r = await runCliAsync(['status', '--json'], { cwd: dir, env });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['jobs', 'chain']);
    expect(out.jobs.map((j: { job: string }) => j.job)).toEqual(['team-boxscores', 'player-boxscores']);
    expect(out.jobs[1].coverage.storage).toMatchObject({ present: 830, extra: 1 });
    expect(out.jobs[1].coverage.warehouse).toMatchObject({ present: 803 });
    expect(out.jobs[0].coverage.storage).toMatchObject({ present: 5 });
    expect(out.chain).toEqual([
      { stage: 'Phase 1', source: 'gs://nba-scraped-data/nba-com/player-boxscores/', present: 830, expected: 853, percent: 97.3, lostSinceBefore: null, met: { '95': true, '98': false, '100': false }, blockedBy: null, error: null, hint: null },
      { stage: 'Phase 2', source: 'nba-props.nba_raw.nbac_player_boxscores', present: 803, expected: 853, percent: 94.13, lostSinceBefore: 30, met: { '95': false, '98': false, '100': false }, blockedBy: null, error: null, hint: null },
      { stage: 'Phase 3', source: 'nba-props.nba_analytics.player_game_summary', present: 760, expected: 853, percent: 89.09, lostSinceBefore: 43, met: { '95': false, '98': false, '100': false }, blockedBy: 'Phase 2', error: null, hint: null },
      { stage: 'Phase 4', source: path.join(dir, 'features'), present: 700, expected: 853, percent: 82.06, lostSinceBefore: 60, met: { '95': false, '98': false, '100': false }, blockedBy: 'Phase 3', error: null, hint: null },
    ]);
    // Job "player-boxscores" and stage "Phase 2" name one table, and the job and Phase 1 one prefix: each read once.
    expect(queries(raw) - before.raw).toBe(1);
    expect(gcs.queries.filter((q) => q.get('prefix') === 'nba-com/player-boxscores/').length - before.gcs).toBe(1);
  });

  test('status --job NAME prints today\'s object for that job alone', async () => {
    const r = await runCliAsync(['status', '--json', '--job', 'player-boxscores'], { cwd: dir, env });
    const out = JSON.parse(r.stdout);
    expect(out.job).toBe('player-boxscores');
    expect(out.chain).toBeUndefined();
    expect(out.coverage.storage.present).toBe(830);
  });

  test('text status: the overview and the chain as aligned text within 80 columns, two lines per job', async () => {
    const r = await runCliAsync(['status'], { cwd: dir, env });
    const lines = r.stdout.trimEnd().split('\n');
    // Piped: 80 columns, as an 80-column terminal shows it (T23: 143 wide, every row wrapped).
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    const heads = lines.findIndex((l) => l.startsWith('  job '));
    const player = lines.findIndex((l) => l.startsWith('  player-boxscores'));
    // Storage on the line under the job, under its head.
    expect(lines[player + 1].indexOf('97.3 % · 98 %: 6 more')).toBe(lines[heads + 1].indexOf('storage'));
    expect(lines[player]).toMatch(/^ {2}player-boxscores +waiting +– +– +– +0$/);
    const p3 = lines.findIndex((l) => l.startsWith('Phase 3'));
    expect(lines[p3]).toContain('760/853 · 89.0 %');
    // The keys lost since the stage before, blocked and the target, in the longest words that fit 80 columns.
    expect(lines[p3]).toContain('43 lost · blocked by Phase 2 · 95 %: 51 more');
    expect(lines[p3 + 1].trim()).toBe('source nba-props.nba_analytics.player_game_summary');
    expect(lines[lines.findIndex((l) => l.startsWith('Phase 1')) + 1].indexOf('gs://')).toBe(lines[p3 + 1].indexOf('nba-props.'));
  });

  test('--require P --stage NAME and --require P --job NAME check one target', async () => {
    expect((await runCliAsync(['status', '--require', '95', '--stage', 'Phase 1'], { cwd: dir, env })).code).toBe(0);
    const short = await runCliAsync(['status', '--require', '95', '--stage', 'Phase 2'], { cwd: dir, env });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('Phase 2 coverage 803/853 is below 95 % (811 keys, 8 more needed)');
    expect((await runCliAsync(['status', '--require', '97', '--job', 'player-boxscores'], { cwd: dir, env })).code).toBe(0);
    const stageAndJob = await runCliAsync(['status', '--require', '95', '--stage', 'Phase 2', '--job', 'player-boxscores'], { cwd: dir, env });
    expect(stageAndJob.code).toBe(2);
    expect(stageAndJob.stderr).toContain('not both');
    const both = await runCliAsync(['status', '--require', '95'], { cwd: dir, env });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/add --job NAME .* or --stage NAME/);
    // Five CLI runs of a five-job chain one after another: 30 s ran out under a load of 12 on 2 cores.
  }, 120_000);
});

describe('missing --from STAGE [--present-in STAGE]', () => {
  test('keys the stage before holds and this stage lacks: the list to re-run the phase for', async () => {
    const r = await runCliAsync(['missing', '--from', 'Phase 3'], { cwd: dir, env });
    expect(r.code).toBe(0);
    // As a launch's keys file holds them (tester AJ7): the expected file's header line first.
    expect(r.stdout.trim().split('\n')).toEqual(['game_date', ...expected.slice(760, 800), ...expected.slice(850, 853)]);
  });

  test('--present-in another stage, and the first stage against every expected key', async () => {
    const r = await runCliAsync(['missing', '--from', 'Phase 4', '--present-in', 'Phase 1'], { cwd: dir, env });
    expect(r.stdout.trim().split('\n')).toEqual(['game_date', ...expected.slice(700, 830)]);
    const first = await runCliAsync(['missing', '--from', 'Phase 1'], { cwd: dir, env });
    expect(first.stdout.trim().split('\n')).toEqual(['game_date', ...expected.slice(830)]);
    // A stage whatever the case, as --phase matches a phase (tester W23: `--from "phase 1"` was exit 2).
    const cased = await runCliAsync(['missing', '--from', 'phase 4', '--present-in', 'PHASE 1'], { cwd: dir, env });
    expect(cased.code).toBe(0);
    expect(cased.stdout).toBe(r.stdout);
  });

  test('an unknown stage or a job source without --job is a usage error', async () => {
    const unknown = await runCliAsync(['missing', '--from', 'Phase 9'], { cwd: dir, env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Phase 1, Phase 2, Phase 3, Phase 4');
    expect((await runCliAsync(['missing', '--from', 'storage'], { cwd: dir, env })).code).toBe(2);
    const job = await runCliAsync(['missing', '--from', 'storage', '--job', 'team-boxscores'], { cwd: dir, env });
    expect(job.stdout.trim().split('\n')).toEqual(['game_date', ...expected.slice(5)]);
  });
});
