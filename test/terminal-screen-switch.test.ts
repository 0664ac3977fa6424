import { removeDir } from './support/remove-dir.js';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { CLI } from './support/cli.js';
import { gameDates } from './support/screen-states.js';
import { writeJobsDir } from './support/jobs-dir.js';
import { startTerminal, type Terminal } from './support/tmux.js';

// Keys arriving together across a screen switch: the key that opens a job's screen from the overview (Enter, f,
// h) or comes back from it (Esc) must hand the rest of the read on, each key handled by the screen the key before
// it left (the overview dropped them: `Enter ?` typed fast opened the dashboard without its help).
let dir: string;
let term: Terminal | null = null;
const KEYS = gameDates(60);
const JOBS = ['alpha-job', 'beta-job', 'gamma-job'];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-switch-'));
  // A finished run each, long ago, so the rows keep their order (none needs the operator more than another).
  writeJobsDir(dir, { jobs: JOBS, keys: KEYS, present: () => 0, finished: () => true });
});
afterEach(() => {
  term?.close();
  term = null;
  removeDir(dir);
});

const selectedRow = (rows: string[]) => rows.find((r) => r.includes('❯'));

test('keys in one read across screen switches: Enter then ? opens the job with its help; Esc Esc j h comes back, moves and opens the next job\'s history', async () => {
  term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir });
  const t = term;
  await t.waitScreen((rows, s) => s.includes('backfill-tui · 3 jobs') && selectedRow(rows)?.includes('alpha-job'), 'the overview, alpha-job selected');
  // Enter opens alpha-job's dashboard; `?` in the same read is its dashboard's.
  t.chunk('\r?');
  await t.waitScreen((rows, s) => rows[0].startsWith('alpha-job') && s.includes('suspend to the shell'), "alpha-job's screen with its help open");
  // `?` closes the help, Esc goes back to the overview, `j` moves to beta-job there, `h` opens its history:
  // one read. (ESC and a letter together are Esc then the letter: key-chunk.ts.)
  t.chunk('?');
  await t.waitScreen((rows, s) => rows[0].startsWith('alpha-job') && !s.includes('suspend to the shell'), 'the help closed');
  t.chunk('\x1bjh');
  const history = await t.waitScreen((rows, s) => (rows[0].startsWith('beta-job') && /Runs in the log/.test(s) ? s : null), "beta-job's history, opened from the overview");
  expect(history).not.toContain('alpha-job');
  // Esc there comes straight back to the overview (it was opened on the history), and `j` moves on to gamma-job.
  t.chunk('\x1bj');
  await t.waitScreen((rows, s) => s.includes('backfill-tui · 3 jobs') && selectedRow(rows)?.includes('gamma-job'), 'the overview, gamma-job selected');
  t.keys('q');
  await t.waitScreen(() => t.exited(), 'the dashboard to leave');
}, 60_000);
