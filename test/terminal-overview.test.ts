import { removeDir } from './support/remove-dir.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import stringWidth from 'string-width';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { CLI } from './support/cli.js';
import { gameDates } from './support/screen-states.js';
import { writeJobsDir } from './support/jobs-dir.js';
import { startTerminal, type Terminal } from './support/tmux.js';

// The real overview of five jobs in a real terminal, resized down and up (tester F39: rows wider than 60
// columns, the header lost, old frames left above the new one after growing and shrinking back).
let dir: string;
let term: Terminal | null = null;
const KEYS = gameDates(200);
const JOBS = ['team-boxscores', 'player-boxscores', 'bdl-standings', 'play-by-play', 'espn-boxscores'];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-overview-term-'));
  // Job j holds 40 × j keys; a finished run for the first job, long ago; the others have no log yet.
  writeJobsDir(dir, { jobs: JOBS, keys: KEYS, present: (j) => 40 * j, finished: (j) => j === 0 });
});
afterEach(() => {
  term?.close();
  term = null;
  removeDir(dir);
});

const TITLE = 'backfill-tui · 5 jobs';

test('resized 80×24 → 60×16 → 120×40 → 80×24: every frame fits, the title is the first row and is there once', async () => {
  term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir, env: { TZ: 'UTC' } });
  const t = term;
  const check = async (cols: number, rows: number, ready: (s: string) => boolean) => {
    const what = `the overview at ${cols}×${rows}`;
    const screen = await t.waitScreen((r, s) => (ready(s) && r.length <= rows && r.every((l) => stringWidth(l) <= cols) && r[0].startsWith(TITLE) ? r : null), what);
    expect(screen.join('\n').split(TITLE)).toHaveLength(2);
    expect(screen.filter((l) => l.includes('play-by-play'))).toHaveLength(1);
    return screen;
  };
  await check(80, 24, (s) => s.includes('complete') && s.includes('20.0 %'));
  t.resize(60, 16);
  const narrow = await check(60, 16, (s) => s.includes('failing'));
  expect(narrow.at(-1)).toContain('q quit');
  t.resize(120, 40);
  await check(120, 40, (s) => s.includes('ETA'));
  t.resize(80, 24);
  const back = await check(80, 24, (s) => s.includes('ETA'));
  expect(back.at(-1)).toContain('q quit');
  t.resize(40, 8);
  await t.waitScreen((r, s) => s.includes('small terminal 40×8: needs 50×10') && r.every((l) => stringWidth(l) <= 40) && r[0].startsWith('backfill-tui'), 'the small-terminal line');
  t.keys('q');
  await t.waitScreen(() => t.exited(), 'q to leave');
}, 60_000);

test('one job resized 200×30 → 80×24 → 120×40 → 80×24: every frame fits, its header is the first row and is there once', async () => {
  const log = path.join(dir, 'team-boxscores', 'backfill.log');
  writeFileSync(path.join(dir, 'solo.json'), JSON.stringify({ job: 'solo-job', log, expected: 'keys.txt', storage: { url: 'team-boxscores/storage', pollSeconds: 60 }, keepAwake: false }));
  term = startTerminal([process.execPath, CLI, '--no-color', '--config', 'solo.json'], { cols: 200, rows: 30, cwd: dir, env: { TZ: 'UTC' } });
  const t = term;
  const check = async (cols: number, rows: number) =>
    t.waitScreen((r, s) => (s.includes('complete') && r.length <= rows && r.every((l) => stringWidth(l) <= cols) && r[0].startsWith('solo-job') && s.split('solo-job').length === 2 ? r : null), `one job at ${cols}×${rows}`);
  await check(200, 30);
  t.resize(80, 24);
  await check(80, 24);
  t.resize(120, 40);
  await check(120, 40);
  t.resize(80, 24);
  const back = await check(80, 24);
  expect(back.at(-1)).toMatch(/quit/);
  t.keys('q');
  await t.waitScreen(() => t.exited(), 'q to leave');
}, 60_000);
