import { spawnSync } from 'node:child_process';
import { removeDir } from './support/remove-dir.js';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { leaveSummary } from '../src/app/leave-summary.js';
import { initialState } from '../src/state/app-state.js';
import { initialPlaceState } from '../src/state/place-state.js';
import { CLI } from './support/cli.js';
import { killGroup } from './support/live-job.js';
import { startTerminal, type Terminal } from './support/tmux.js';
import { waitFor } from './support/wait-for.js';

// W23 leftover: `q` did not say which runs go on. Tester X9: `y` and `q` in one read with a launch box open launched
// nothing (the y's launch was cut off by the quit) and the box stayed drawn above the prompt as if still open.
let dir: string;
let term: Terminal | null = null;
const cleanups: Array<() => unknown> = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-leave-'));
  writeFileSync(path.join(dir, 'expected.txt'), '2022-04-10\n2022-04-11\n');
  // A backfill that lives a minute: long enough to go on after the dashboard.
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'lv', log: 'bf.log', expected: 'expected.txt', keepAwake: false, command: ['sh', '-c', 'sleep 60', 'sh', '{keysFile}'] }));
});
afterEach(() => {
  term?.close();
  term = null;
  for (const c of cleanups.splice(0)) c();
  removeDir(dir);
});

const runsFile = () => path.join(dir, '.backfill-tui', 'lv', 'runs.jsonl');
function launched(): { id: string; pid: number } | null {
  const file = [runsFile(), path.join(dir, '.backfill-tui', 'runs.jsonl')].find(existsSync);
  if (!file) return null;
  const rec = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).find((r) => r.type === 'launch' && r.pid);
  return rec ? { id: rec.id, pid: rec.pid } : null;
}

describe('leaving the dashboard says what goes on', () => {
  test('y and q in one read: the launch is made, then the dashboard leaves saying the run goes on', async () => {
    term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir });
    await term.waitScreen((_, t) => t.includes('q quit'), 'the dashboard');
    term.keys('s');
    await term.waitScreen((_, t) => t.includes('Launch 2 keys?'), 'the launch box');
    term.chunk('yq');
    const run = await waitFor(launched, 'the launch record with its pid', 20_000);
    cleanups.push(killGroup(run.pid));
    const text = await term.waitScreen((_, t) => (t.includes('goes on') ? t : null), 'the leaving words', 30_000);
    expect(text).toContain(`backfill-tui: lv: run ${run.id} (pid ${run.pid}) goes on`);
    expect(text).toContain('backfill-tui: runs go on without the dashboard; open it again to stop them');
    // The last frame is after the y: the answered box is gone from it (tester AA2: it stayed drawn, open).
    expect(text).not.toContain('Launch 2 keys?');
    expect(text).not.toContain('y go');
    // The words are its last output: the process ends right after them (tmux marks the pane dead a moment later).
    await term.waitScreen(() => term!.exited(), 'the dashboard to have exited');
    // It does go on.
    expect(() => process.kill(run.pid, 0)).not.toThrow();
  }, 60_000);

  test('on the overview, y and q in one read: the last frame has no box, the run goes on (tester AA2)', async () => {
    const job = { expected: 'expected.txt', keepAwake: false, command: ['sh', '-c', 'sleep 60', 'sh', '{keysFile}'] };
    writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ jobs: [{ name: 'lv', log: 'bf.log', failed: 'a_*.json', ...job }, { name: 'other', log: 'o.log', failed: 'b_*.json', ...job }] }));
    term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir });
    await term.waitScreen((_, t) => t.includes('2 jobs') && t.includes('❯ lv'), 'the overview');
    term.keys('s');
    await term.waitScreen((_, t) => t.includes('Launch 2 keys?'), 'the launch box');
    term.chunk('yq');
    const run = await waitFor(launched, 'the launch record with its pid', 20_000);
    cleanups.push(killGroup(run.pid));
    const text = await term.waitScreen((_, t) => (t.includes('goes on') ? t : null), 'the leaving words', 30_000);
    expect(text).toContain(`backfill-tui: lv: run ${run.id} (pid ${run.pid}) goes on`);
    expect(text).not.toContain('Launch 2 keys?');
    expect(text).not.toContain('y go');
  }, 60_000);

  test('q with a box open: nothing done, and said so under the last frame', async () => {
    term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir });
    await term.waitScreen((_, t) => t.includes('q quit'), 'the dashboard');
    term.keys('s');
    await term.waitScreen((_, t) => t.includes('Launch 2 keys?'), 'the launch box');
    term.keys('q');
    const text = await term.waitScreen((_, t) => (t.includes('left unanswered') ? t : null), 'the leaving words');
    expect(text).toContain('backfill-tui: lv: left unanswered, nothing done: Launch 2 keys?');
    expect(launched()).toBeNull();
  }, 30_000);
});

test('the words: a run of ours, an execution, another writer; nothing when nothing goes on', () => {
  const base = initialState({ job: 'a', log: '/x/a.log', now: 0, targets: [95] });
  expect(leaveSummary([base])).toEqual([]);
  const ours = { ...base, process: { ...base.process, alive: true, attached: true, runId: 'resume-1', pid: 42 } };
  const other = { ...base, job: 'b', process: { ...base.process, alive: true, external: true, externalPids: [7] } };
  expect(leaveSummary([ours, other])).toEqual([
    'backfill-tui: a: run resume-1 (pid 42) goes on',
    'backfill-tui: b: pid 7 (not started here) goes on writing the log',
    'backfill-tui: runs go on without the dashboard; open it again to stop them',
  ]);
});

// Tester AA2: the words under the last frame were cut at the terminal's width (`… (pid 20967) go…`), though they stay
// in the shell to be read after. They wrap, hanging under their text, and every word is there.
test('the words wrap within the width, never cut: a long job name and run id keep their pid and `goes on`', () => {
  const base = initialState({ job: 'player-boxscores-2024-25-season-backfill', log: '/x/a.log', now: 0, targets: [95] });
  const ours = { ...base, process: { ...base.process, alive: true, attached: true, runId: 'retry-20261201-055903-409287', pid: 20967 } };
  const lines = leaveSummary([ours], 80);
  for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
  expect(lines[0]).toBe('backfill-tui: player-boxscores-2024-25-season-backfill: run');
  expect(lines[1]).toBe('              retry-20261201-055903-409287 (pid 20967) goes on');
  expect(lines.join(' ').replace(/ +/g, ' ')).toContain('run retry-20261201-055903-409287 (pid 20967) goes on');
});

// Tester AC11: leaving while an execution was stuck said only `execution … goes on`; the stuck state and the cancel
// command the screen had were gone with it.
test('the words for a stuck execution: stuck, why, and the command that cancels it', () => {
  const now = Date.UTC(2026, 11, 1, 12, 0, 0);
  const execution = { id: 'bf-job-92720', name: 'projects/proj-x/locations/us-west2/jobs/bf-job/executions/bf-job-92720', state: 'running', taskCount: 1, succeededCount: 0, runningCount: 1, failedCount: 0, retriedCount: 0, cancelledCount: 0, createTime: now - 3 * 3_600_000, startTime: now - 3 * 3_600_000, completionTime: null, args: [], ours: true, taskTimeoutSeconds: null };
  const base = initialState({ job: 'crjob', log: 'cloud-run', now, targets: [95], place: { ...initialPlaceState('Cloud Run job bf-job (us-west2)', 2 * 3_600_000), execution: execution as never, ours: true } });
  expect(leaveSummary([base], 200)).toEqual([
    'backfill-tui: crjob: execution bf-job-92720 goes on, stuck: running 3 h 00 min, past 2 h 00 min (stuckAfter)',
    'backfill-tui:   to cancel it, in a shell:',
    '                  gcloud run jobs executions cancel bf-job-92720 --region=us-west2 --project=proj-x',
    'backfill-tui: runs go on without the dashboard; open it again to stop them',
  ]);
});

// Tester AH10: at 80 columns the cancel command (107 characters with the team's names) was wrapped at a space with a
// hanging indent: pasted, the shell ran `gcloud run jobs executions cancel ID` without its region and project, then
// `--region=…` as a command. Broken with a trailing ` \`, its rows pasted into a shell are one command.
test('a stuck execution\'s cancel command longer than a row is broken with a trailing backslash: pasted, one command', () => {
  const now = Date.UTC(2026, 11, 1, 12, 0, 0);
  const name = 'projects/nba-props-platform/locations/us-west2/jobs/bdl-boxscore-backfill/executions/bdl-boxscore-backfill-x7k2p';
  const execution = { id: 'bdl-boxscore-backfill-x7k2p', name, state: 'running', taskCount: 1, succeededCount: 0, runningCount: 1, failedCount: 0, retriedCount: 0, cancelledCount: 0, createTime: now - 3 * 3_600_000, startTime: now - 3 * 3_600_000, completionTime: null, args: [], ours: true, taskTimeoutSeconds: null };
  const base = initialState({ job: 'bdl', log: 'cloud-run', now, targets: [95], place: { ...initialPlaceState('Cloud Run job bdl-boxscore-backfill (us-west2)', 2 * 3_600_000), execution: execution as never, ours: true } });
  const lines = leaveSummary([base], 80);
  for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
  // The command's rows are the command alone (AI14's class): a copy of them, whole rows, is what the shell reads.
  const at = lines.findIndex((l) => l.trimStart().startsWith('gcloud '));
  expect(lines[at - 1]).toBe('backfill-tui:   to cancel it, in a shell:');
  const pasted = lines.slice(at, lines.findIndex((l) => l.startsWith('backfill-tui: runs go on'))).join('\n');
  expect(pasted).toContain(' \\\n');
  // The shell reads the rows as one command: its words, in order, region and project with them.
  const said = spawnSync('bash', ['-c', pasted.replace(/^\s*gcloud/, 'echo')], { encoding: 'utf8' });
  expect(said.stdout).toBe('run jobs executions cancel bdl-boxscore-backfill-x7k2p --region=us-west2 --project=nba-props-platform\n');
});

// Tester AD6: leaving while our execution ran said it twice, the second time as a local run `(pid ?)` that is not there.
test('our running execution is one line, with its run; no local-run line beside it', () => {
  const now = Date.UTC(2026, 11, 1, 12, 0, 0);
  const execution = { id: 'bf-job-7d46e', name: 'projects/proj-x/locations/us-west2/jobs/bf-job/executions/bf-job-7d46e', state: 'running', taskCount: 1, succeededCount: 0, runningCount: 1, failedCount: 0, retriedCount: 0, cancelledCount: 0, createTime: now - 60_000, startTime: now - 60_000, completionTime: null, args: [], ours: true, taskTimeoutSeconds: null };
  const base = initialState({ job: 'crjob', log: 'cloud-run', now, targets: [95], place: { ...initialPlaceState('Cloud Run job bf-job (us-west2)', 2 * 3_600_000), execution: execution as never, ours: true } });
  const launched = { ...base, process: { ...base.process, alive: true, attached: true, runId: 'resume-20261201-131805-65acd9', pid: null } };
  expect(leaveSummary([launched], 200)).toEqual([
    'backfill-tui: crjob: execution bf-job-7d46e (run resume-20261201-131805-65acd9) goes on',
    'backfill-tui: runs go on without the dashboard; open it again to stop them',
  ]);
});

// Tester AE8: the demo's region killed (it cancels its executions with it), `q` said the execution `goes on`; reopened,
// it read `cancelled`. With Cloud Run not answering only the last look is known: said as that, no promise.
test('an execution last seen running while Cloud Run cannot be read: said as last seen, with since when', () => {
  const now = Date.UTC(2026, 11, 1, 12, 0, 0);
  const execution = { id: 'bf-job-7d46e', name: 'projects/proj-x/locations/us-west2/jobs/bf-job/executions/bf-job-7d46e', state: 'running', taskCount: 1, succeededCount: 0, runningCount: 1, failedCount: 0, retriedCount: 0, cancelledCount: 0, createTime: now - 60_000, startTime: now - 60_000, completionTime: null, args: [], ours: true, taskTimeoutSeconds: null };
  const place = { ...initialPlaceState('Cloud Run job bf-job (us-west2)', 2 * 3_600_000), execution: execution as never, ours: true, error: 'connection refused at 127.0.0.1:39681: nothing listens there', errorAt: now - 5_000, errorSince: now - 50_000 };
  const base = initialState({ job: 'crjob', log: 'cloud-run', now, targets: [95], place });
  const launched = { ...base, process: { ...base.process, alive: true, attached: true, runId: 'resume-20261201-131805-65acd9', pid: null } };
  expect(leaveSummary([launched], 200)).toEqual(['backfill-tui: crjob: execution bf-job-7d46e (run resume-20261201-131805-65acd9) was last seen running; Cloud Run cannot be read (since 11:59:10)']);
  // Only Cloud Logging failing: the region still says the execution runs, and it goes on.
  const logDown = { ...launched, place: { ...launched.place!, error: 'Cloud Logging: connection refused at 127.0.0.1:9: nothing listens there' } };
  expect(leaveSummary([logDown], 200)[0]).toBe('backfill-tui: crjob: execution bf-job-7d46e (run resume-20261201-131805-65acd9) goes on');
});
