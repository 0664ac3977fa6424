import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startRuntime } from '../src/app/runtime.js';
import { statusText } from '../src/app/status-text.js';
import { loadConfig } from '../src/config.js';
import { readProcStat } from '../src/runner/proc.js';
import { RUN_MARK, findMarkedRun } from '../src/runner/run-mark.js';
import { readRuns, runsPath, type LaunchRecord } from '../src/runner/runs-file.js';
import { bundle, cleanup, node, runnerModule, tempDir, track, waitFor, writeScript } from './runner-support.js';
import { liveJobDir, killGroup } from './support/live-job.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  cleanup();
});

/** A backfill that writes its banner and a line, then lives until killed. */
const LIVES = `
import { writeSync } from 'node:fs';
const stamp = () => new Date().toISOString().replace('T', ' ').replace('.', ',').slice(0, 23);
for (const m of ['NBA.com Player Boxscore Scraper Backfill (v2) initialized', 'Loaded 3 dates from keys', '  ✅ Scraped 2022-01-03']) writeSync(1, stamp() + ' - INFO - ' + m + '\\n');
setInterval(() => {}, 1000);
`;

// Tester AA13: the dashboard SIGKILLed right after `y` left the launch record without its pid (it was written after an
// await), and the next dashboard said `not started here` of the run it had launched. The pid now goes to runs.jsonl in
// the tick the spawn returned in, before anything else runs: a dashboard killed from the spawn's own callback on
// leaves it recorded.
test('a dashboard killed in the tick after the spawn leaves the launch recorded with its pid', async () => {
  const dir = tempDir();
  const script = writeScript(dir, 'lives.mjs', LIVES);
  const opts = { argv: [process.execPath, script], cwd: dir, env: {}, logFile: path.join(dir, 'job.log'), stateDir: path.join(dir, '.backfill-tui'), keysFile: null, keyCount: 0, label: 'resume' };
  const dashboard = bundle(dir, 'dashboard', `
    import { launch } from ${JSON.stringify(runnerModule('launch'))};
    const opts = JSON.parse(process.argv[2]);
    // Killed at the first moment the dashboard's own code runs after the spawn (onSpawn: the pid into the screen).
    void launch({ ...opts, onSpawn: (pid) => { process.stdout.write(pid + '\\n', () => process.kill(process.pid, 'SIGKILL')); } });
    setInterval(() => {}, 1000);
  `);
  const parent = node(dashboard, [JSON.stringify(opts)]);
  let out = '';
  parent.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => parent.once('exit', r));
  const pid = Number(out.trim());
  track(pid);
  expect(pid).toBeGreaterThan(0);
  const runs = await readRuns(opts.stateDir, null);
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ pid, procStart: readProcStat(pid)!.startTime, end: null });
});

// The instant before that write (or a record written by an older version) has no pid: the run is found by the mark
// its environment carries (RUN_MARK=its id), re-attached, and its record completed.
test('a launch recorded without its pid is found by its mark: the next dashboard follows it as ours and records the pid', async () => {
  const keys = ['2022-01-03', '2022-01-04', '2022-01-05'];
  const { dir, log } = liveJobDir('bt-pid-lost-', 'lost', keys, LIVES, cleanups);
  const stateDir = path.join(dir, '.backfill-tui');
  const id = 'resume-20261201-100000-abcdef';
  const launchRec: LaunchRecord = { type: 'launch', id, label: 'resume', argv: [process.execPath, path.join(dir, 'lives.mjs')], cwd: dir, keysFile: null, keyCount: 3, pid: null, procStart: null, log, startedAt: Date.now() - 1000 };
  mkdirSync(stateDir, { recursive: true });
  appendFileSync(runsPath(stateDir), `${JSON.stringify(launchRec)}\n`);
  // The run as the killed dashboard's spawn left it: its own session, the log as its output, its id in its environment.
  const fd = openSync(log, 'a');
  const run = spawn(process.execPath, [path.join(dir, 'lives.mjs')], { detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, [RUN_MARK]: id } });
  closeSync(fd);
  run.unref();
  const pid = run.pid!;
  cleanups.push(killGroup(pid));
  await waitFor(() => readFileSync(log, 'utf8').includes('Scraped'), 'the run to write');
  expect(findMarkedRun(id)).toEqual({ pid, procStart: readProcStat(pid)!.startTime, left: null });

  const r = startRuntime(loadConfig({ file: path.join(dir, 'backfill-tui.config.json'), cwd: dir }), { exit: () => undefined });
  cleanups.push(() => r.close());
  const state = () => r.store.getState();
  // Without the mark it never is: its writer reads as a process not started here.
  await waitFor(() => state().process.attached && state().log.historyDone, 'the re-attach', 15_000);
  expect(state().process).toMatchObject({ runId: id, pid, attached: true, alive: true, external: false, externalPids: [] });
  expect(statusText(state())).not.toContain('not started here');
  // Its record completed: later dashboards and `status` know the pid without looking for the mark.
  const recorded = await waitFor(async () => (await readRuns(stateDir, null)).find((x) => x.id === id && x.pid !== null), 'the pid recorded');
  expect(recorded).toMatchObject({ pid, procStart: readProcStat(pid)!.startTime, end: null });
  // And the run's end is this dashboard's to record, as for a run it re-attached to.
  process.kill(-pid, 'SIGKILL');
  const ended = await waitFor(async () => (await readRuns(stateDir, null)).find((x) => x.id === id)?.end, 'the end recorded', 30_000);
  expect(ended.reason).toBe('exited');
}, 60_000);

test('the mark is the whole variable: a longer name or another id is not it; a leader gone leaves its session standing for it', () => {
  const env = (text: string) => Buffer.from(text.split(' ').join('\0') + '\0');
  const self = process.pid;
  const st = readProcStat(self)!;
  expect(findMarkedRun('r1', (p) => (p === self ? env(`X_${RUN_MARK}=r1 A=b`) : null))).toBeNull();
  expect(findMarkedRun('r1', (p) => (p === self ? env(`A=b ${RUN_MARK}=r12`) : null))).toBeNull();
  // This test process is no session leader: found as what a leader left, by its session.
  const leads = st.session === self;
  expect(findMarkedRun('r1', (p) => (p === self ? env(`A=b ${RUN_MARK}=r1`) : null))).toEqual(leads ? { pid: self, procStart: st.startTime, left: null } : { pid: st.session, procStart: null, left: [{ pid: self, procStart: st.startTime }] });
});
