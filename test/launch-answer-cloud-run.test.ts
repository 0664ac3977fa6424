import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import type { LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { loadConfig } from '../src/config.js';
import { readRuns } from '../src/runner/runs-file.js';
import { historyLines } from '../src/state/history-lines.js';
import { CLI, runCliAsync } from './support/cli.js';
import { regionEachTest, writeCloudRunJobConfig } from './support/cloud-run-job.js';
import { HAS_TMUX, startTerminal, type Terminal } from './support/tmux.js';
import { waitFor } from './support/wait-for.js';

// Tester AE13: a dashboard closed right after `y` on a Cloud Run launch left runs.jsonl a launch record with no execution.
// Sometimes the region had made the execution anyway, and the next dashboard called our own execution `external … started
// outside this dashboard`; sometimes none was made and nothing ever said so. The next dashboard or `status` settles such
// a launch from the region's listing: the execution made in its window with its args is ours; none made, it says so.

let dir: string;
let server: LoopbackServer;
const runtimes = regionEachTest('bt-cr-answer-', (d, s) => {
  dir = d;
  server = s;
});
let term: Terminal | null = null;
afterEach(() => {
  term?.close();
  term = null;
});
const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];

function writeConfig(): void {
  writeCloudRunJobConfig(dir, server, { keys: KEYS, args: ['--keys={keys}', '--workers={workers}', '--mean-seconds=30', `--storage=${path.join(dir, 'st')}`], config: { workers: 1 } });
}

function runtime(): Runtime {
  const r = startRuntime(loadConfig({ cwd: dir }), { exit: () => undefined });
  runtimes.push(r);
  return r;
}

const stateDir = () => loadConfig({ cwd: dir }).stateDir;

/**
 * A real dashboard launches (`s`, `y`); the region makes the execution as jobs.run arrives but never answers, and the
 * dashboard is killed meanwhile: runs.jsonl holds the launch without its execution. Returns the execution's name.
 */
async function launchLostWithItsAnswer(): Promise<string> {
  writeConfig();
  term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir });
  await term.waitScreen((_, text) => text.includes('no executions yet'), 'the region listed', 30_000);
  term.keys('s');
  await term.waitScreen((_, text) => text.includes('Launch 3 keys on Cloud Run job'), 'the launch box');
  server.setFault({ route: 'run', until: new Promise(() => undefined), times: 1 });
  term.keys('y');
  await waitFor(() => server.world.executions[0], 'the execution made', 20_000);
  process.kill(term.pid(), 'SIGKILL');
  term.close();
  term = null;
  const runs = await readRuns(stateDir(), null);
  expect(runs).toHaveLength(1);
  expect(runs[0].execution).toBeUndefined();
  return server.world.executions[0].name;
}

test.skipIf(!HAS_TMUX)('status settles a launch whose answer its dashboard never heard: the execution made with its args is ours, recorded as such', async () => {
  const name = await launchLostWithItsAnswer();
  const id = name.split('/').at(-1)!;
  const status = await runCliAsync(['status', '--json'], { cwd: dir });
  const json = JSON.parse(status.stdout);
  expect(json.execution).toMatchObject({ id, ours: true });
  expect(json.process.external).toBe(false);
  expect(json.problems).toEqual([]);
  const [run] = await readRuns(stateDir(), null);
  expect(run).toMatchObject({ label: 'resume', keyCount: 3, execution: name });
}, 90_000);

test.skipIf(!HAS_TMUX)('the next dashboard settles it too: its execution is the launch\'s (resume, not external), in h, and said once', async () => {
  const name = await launchLostWithItsAnswer();
  const id = name.split('/').at(-1)!;
  const [launch] = await readRuns(stateDir(), null);
  const r = runtime();
  await waitFor(() => r.store.getState().place?.execution?.id === id || null, 'the execution followed', 30_000);
  const s = r.store.getState();
  expect(s.place?.ours).toBe(true);
  expect(s.process).toMatchObject({ external: false, attached: true, runId: launch.id });
  expect(s.ui.notices.map((n) => n.text)).toContainEqual(expect.stringMatching(new RegExp(`^execution ${id} is launch ${launch.id} \\(\\d\\d:\\d\\d, 3 keys\\), whose dashboard was closed before Cloud Run answered`)));
  expect((await readRuns(stateDir(), null))[0]).toMatchObject({ id: launch.id, execution: name });
  const h = await waitFor(() => historyLines(r.store.getState()).map((l) => l.text).find((t) => t.includes(' resume ')) ?? null, 'its row in h', 20_000);
  expect(h).toMatch(/resume\s+3 keys running/);
  expect(historyLines(r.store.getState()).map((l) => l.text).filter((t) => / external /.test(t))).toEqual([]);
}, 90_000);

test('a launch that never became an execution is said, once its window is over, by status and by the dashboard (h, a notice); one still in its window is left alone', async () => {
  writeConfig();
  const argv = [`--keys=${KEYS.join(',')}`, '--workers=1', '--mean-seconds=30', `--storage=${path.join(dir, 'st')}`];
  const record = (id: string, startedAt: number) => ({ type: 'launch', id, label: 'resume', argv, cwd: '', keysFile: null, keyCount: 3, workers: 1, pid: null, procStart: null, log: 'cloud-run:projects/nba-props-platform/locations/us-west2/jobs/bdl-boxscore-backfill', startedAt, storageBefore: 0 });
  const file = path.join(stateDir(), 'runs.jsonl');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(stateDir(), { recursive: true });
  // Launched a second ago: jobs.run may still be answered (its deadline is 20 s); nothing is said or written.
  writeFileSync(file, `${JSON.stringify(record('resume-20261201-162248-aaaaaa', Date.now() - 1000))}\n`);
  const early = await runCliAsync(['status', '--json'], { cwd: dir });
  expect(JSON.parse(early.stdout).problems).toEqual([]);
  expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);

  // Two minutes ago, and the region made nothing with its args.
  const lost = 'resume-20261201-162248-1e15c2';
  writeFileSync(file, `${JSON.stringify(record(lost, Date.now() - 120_000))}\n`);
  const words = /^launch resume-20261201-162248-1e15c2 \(\d\d:\d\d, 3 keys\) never became an execution: the dashboard was closed before Cloud Run answered; s launches them again$/;
  const status = await runCliAsync(['status', '--json'], { cwd: dir });
  expect(JSON.parse(status.stdout).problems).toEqual([expect.stringMatching(words)]);
  const [run] = await readRuns(stateDir(), null);
  expect(run.end).toMatchObject({ reason: 'failed-to-start' });
  // Said again (not written again) while nothing newer ran: the text form and the dashboard.
  const text = await runCliAsync(['status'], { cwd: dir });
  expect(text.stdout).toContain('problem   launch resume-20261201-162248-1e15c2');
  const r = runtime();
  await waitFor(() => r.store.getState().ui.notices.find((n) => words.test(n.text)), 'the notice', 30_000);
  const h = await waitFor(() => historyLines(r.store.getState()).map((l) => l.text).find((t) => t.includes('never became an execution')) ?? null, 'its row in h', 20_000);
  expect(h).toMatch(/resume\s+3 keys – never became an execution$/);
  expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
}, 90_000);
