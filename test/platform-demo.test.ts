import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { addDemoCloudRunJob } from '../src/app/demo-cloud-run.js';
import { generateGameIds, setUpPlatformDemo } from '../src/app/platform-demo.js';
import { loadRegistry } from '../src/jobs/registry.js';
import { CLI, runCliAsync } from './support/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-platform-demo-'));
// Ten thousand little folders: removing them takes a while on a loaded machine.
afterAll(() => rm(dir, { recursive: true, force: true }), 120_000);

test('game ids have the team boxscore list\'s shape: 5,299 ten-digit ids over four seasons, unique', () => {
  const ids = generateGameIds();
  expect(ids).toHaveLength(5299);
  expect(new Set(ids).size).toBe(5299);
  expect(ids.every((id) => /^00[24]2[1-4]\d{5}$/.test(id))).toBe(true);
});

test('the platform demo: five scrapers, a four-stage chain after the player boxscores, the team job done', async () => {
  const file = await setUpPlatformDemo(dir, { speed: 8, cli: CLI });
  const reg = loadRegistry({ file, cwd: dir });
  expect(reg.jobs.map((j) => j.job)).toEqual(['team-boxscores', 'player-boxscores', 'bdl-standings', 'play-by-play', 'espn-boxscores']);
  expect(reg.chain!.stages.map((s) => [s.name, s.after])).toEqual([['Phase 1', null], ['Phase 2', 'Phase 1'], ['Phase 3', 'Phase 2'], ['Phase 4', 'Phase 3']]);
  // Every job has something to launch, into its own storage.
  for (const j of reg.jobs) expect(j.command!.join(' ')).toContain(`--storage={storage}`);
  // Ten thousand folders to list on a loaded machine: a bound far from what the listing needs.
  const r = await runCliAsync(['status', '--json', '--timeout', '600'], { cwd: dir });
  expect(r.stderr).toBe('');
  const out = JSON.parse(r.stdout);
  const team = out.jobs[0];
  expect(team.run).toMatchObject({ state: 'complete', total: 5299 });
  expect(team.coverage.storage.present).toBe(5299 - team.run.failed);
  expect(out.jobs.slice(1).map((j: { run: { state: string } }) => j.run.state)).toEqual(['waiting', 'waiting', 'waiting', 'waiting']);
  // The id jobs' keys.csv is shaped like the real team CSV, `game_id,game_date` (tester V9 / U10: no calendar for
  // the demo's team job): every id dated, regular-season ids before April 15 of their season, playoff ids after.
  expect(team.coverage.expected).toBe(5299);
  expect(team.coverage.expectedProblems).toMatchObject({ error: null, invalid: [] });
  const [header, ...rows] = readFileSync(path.join(dir, 'team-boxscores', 'keys.csv'), 'utf8').trim().split('\n');
  expect(header).toBe('game_id,game_date');
  expect(rows).toHaveLength(5299);
  for (const row of rows) {
    const [id, date] = row.split(',');
    const season = 2000 + Number(id.slice(3, 5));
    const playoff = id.startsWith('004');
    expect(date >= (playoff ? `${season + 1}-04-15` : `${season}-10-01`) && date <= (playoff ? `${season + 1}-06-30` : `${season + 1}-04-14`), row).toBe(true);
  }
  const present = out.chain.map((s: { present: number }) => s.present);
  expect(present).toEqual([...present].sort((a, b) => b - a));
  expect(out.chain[3].present).toBeGreaterThan(0);
  expect(out.chain[2].lostSinceBefore).toBeGreaterThan(0);
  // `npm run demo` then adds its Cloud Run job to this very config and loads it (tester U1: refused to start).
  await addDemoCloudRunJob(dir, file, { keys: ['2024-01-02', '2024-01-03'], speed: 8 });
  expect(loadRegistry({ file, cwd: dir }).jobs.map((j) => j.job)).toEqual(['team-boxscores', 'player-boxscores', 'bdl-standings', 'play-by-play', 'espn-boxscores', 'bdl-boxscores']);
}, 60_000);
