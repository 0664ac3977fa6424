import { removeDir } from './support/remove-dir.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import React from 'react';
import { renderToString } from 'ink';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../components/App.js';
import { ConfirmBox } from '../components/ConfirmBox.js';
import { failuresView } from '../src/state/failures-view.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { isAlive } from '../src/runner/proc.js';
import { readRuns } from '../src/runner/runs-file.js';
import { runFigures } from '../src/state/run-view.js';
import { writerOf } from '../src/state/writer.js';
import { assertFreshDist } from './support/dist.js';
import { CLI } from './support/cli.js';
import { waitFor } from './support/wait-for.js';
import { killRunGroups } from './support/run-groups.js';

// The harness runs dist/: refuse a stale one before any test spawns it.
assertFreshDist();
const HARNESS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'dashboard-harness.mjs');
let dir: string;
const runtimes: Runtime[] = [];
const children: ChildProcess[] = [];
const runPids: number[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-ctl-'));
});
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close();
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  killRunGroups(runPids);
  removeDir(dir);
});

const KEYS = Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2022, 0, 3) + i * 86_400_000).toISOString().slice(0, 10));

/** A job whose command is the simulator: `speed` sets how long a run lasts (40 keys, 2 workers, ~8 s sim each). */
function writeJob(opts: { speed: number; present?: string[]; extra?: string[] }): string {
  writeFileSync(path.join(dir, 'expected.txt'), KEYS.join('\n') + '\n');
  for (const k of opts.present ?? []) {
    mkdirSync(path.join(dir, 'st', k), { recursive: true });
    writeFileSync(path.join(dir, 'st', k, 'a.json'), '{}');
  }
  mkdirSync(path.join(dir, 'st'), { recursive: true });
  const config = {
    job: 'ctl',
    log: 'backfill.log',
    expected: 'expected.txt',
    storage: { url: 'st', pollSeconds: 1 },
    command: [process.execPath, CLI, 'sim', '--csv={keysFile}', '--workers={workers}', '--timeout={timeout}', '--storage=st', '--failed-dir=.', `--speed=${opts.speed}`, '--fail-rate=0', '--playoff-fail-rate=0', '--timeout-rate=0', '--exception-rate=0', ...(opts.extra ?? [])],
    workers: 2,
    timeout: 30,
    keepAwake: false,
  };
  const file = path.join(dir, 'backfill-tui.config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

function runtimeFor(file: string): Runtime {
  const r = startRuntime(loadConfig({ file, cwd: dir }), { exit: () => undefined });
  runtimes.push(r);
  return r;
}

const logText = () => (existsSync(path.join(dir, 'backfill.log')) ? readFileSync(path.join(dir, 'backfill.log'), 'utf8') : '');

async function readyToLaunch(r: Runtime) {
  await waitFor(() => r.store.getState().coverage.expected && r.store.getState().coverage.storage?.checkedAt, 'expected keys and a storage listing');
}

/** `s` then `y`: a resume from a fresh listing, its box answered. */
async function resumeConfirmed(r: Runtime) {
  await readyToLaunch(r);
  r.controller.onIntent('resume');
  await waitFor(() => r.store.getState().ui.confirm, 'confirm');
  r.controller.onIntent('confirm-yes');
}

/** resumeConfirmed, then the launched run's pid (its group is killed after the test). */
async function launchedPid(r: Runtime): Promise<number> {
  await resumeConfirmed(r);
  const pid = await waitFor(() => r.store.getState().process.pid, 'pid');
  runPids.push(pid);
  return pid;
}

describe('launch from the dashboard', () => {
  test('s does not go on when the fresh storage listing fails: no confirm box, nothing launched, the error said', async () => {
    const file = writeJob({ speed: 40, present: KEYS.slice(0, 10) });
    const r = runtimeFor(file);
    await readyToLaunch(r);
    // The storage directory becomes a file: the next listing fails (root ignores permissions, not this).
    rmSync(path.join(dir, 'st'), { recursive: true, force: true });
    writeFileSync(path.join(dir, 'st'), 'not a directory');
    r.controller.onIntent('resume');
    const failed = await waitFor(() => r.store.getState().ui.notices.find((n) => n.text.startsWith('storage listing failed')), 'the failed listing said');
    expect(failed.tone).toBe('fail');
    expect(failed.text).toMatch(/^storage listing failed, so s launched nothing: /);
    expect(failed.text).not.toMatch(/failed: storage: /);
    // The launch would have opened its box right after the listing; it did not, and it never will.
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.store.getState().ui.confirm).toBeNull();
    expect(existsSync(path.join(dir, '.backfill-tui', 'runs.jsonl'))).toBe(false);
  });

  test('a storage folder the backfill has not made yet holds no key: s offers every expected key (tester X9)', async () => {
    const file = writeJob({ speed: 40 });
    rmSync(path.join(dir, 'st'), { recursive: true, force: true });
    const r = runtimeFor(file);
    await readyToLaunch(r);
    r.controller.onIntent('resume');
    const box = await waitFor(() => r.store.getState().ui.confirm, 'the resume box');
    expect(box.keys).toEqual(KEYS);
    expect(box.message).toMatch(new RegExp(`^Launch ${KEYS.length} keys, 2 workers, timeout 30 s\\?$`));
    expect(r.store.getState().coverage.storage?.note).toMatch(/does not exist yet \(the backfill makes it\)/);
    r.controller.onIntent('confirm-no');
  });

  test('s opens a confirm box with count and settings; only y launches; the run outlives the dashboard', async () => {
    const file = writeJob({ speed: 40, present: KEYS.slice(0, 10) });
    const r = runtimeFor(file);
    await readyToLaunch(r);
    r.controller.onIntent('resume');
    const confirm = await waitFor(() => r.store.getState().ui.confirm, 'confirm box');
    expect(confirm.message).toBe('Launch 30 keys, 2 workers, timeout 30 s?');
    expect(confirm.keys).toEqual(KEYS.slice(10));
    // The opening key again does nothing while the box is open; nothing has been launched.
    r.controller.onIntent('resume');
    expect(existsSync(path.join(dir, '.backfill-tui', 'runs.jsonl'))).toBe(false);
    r.controller.onIntent('confirm-yes');
    const pid = await waitFor(() => r.store.getState().process.pid, 'a launched pid');
    runPids.push(pid);
    const procStart = r.store.getState().process.procStart;
    // The keys file was written atomically under the state dir, with exactly the missing keys.
    const keysDir = path.join(dir, '.backfill-tui', 'keys');
    const keyFiles = readdirSync(keysDir);
    expect(keyFiles).toHaveLength(1);
    expect(readFileSync(path.join(keysDir, keyFiles[0]), 'utf8')).toBe(KEYS.slice(10).join('\n') + '\n');
    await waitFor(() => logText().includes('Queued'), 'the run writing its log');
    // Close the dashboard: the run goes on and finishes on its own.
    await r.close();
    runtimes.length = 0;
    expect(isAlive(pid, procStart)).toBe(true);
    await waitFor(() => logText().includes('BACKFILL COMPLETE'), 'the run to finish after the dashboard closed', 60_000);
    expect(logText().match(/✅ Scraped/g)).toHaveLength(30);
  }, 90000);

  test('SIGKILL of the dashboard mid-run: the run finishes, and a new dashboard re-attaches to it', async () => {
    const file = writeJob({ speed: 15 });
    const harness = spawn(process.execPath, [HARNESS, file, 'resume', 'confirm-yes'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(harness);
    let out = '';
    harness.stdout!.on('data', (d) => (out += d));
    const pid = await waitFor(() => Number(/"pid":(\d+)/.exec(out)?.[1] ?? 0), 'the harness to launch', 30_000);
    runPids.push(pid);
    await waitFor(() => logText().includes('Scraped'), 'a first result');
    harness.kill('SIGKILL');
    await new Promise((res) => harness.on('close', res));
    const r = runtimeFor(file);
    await waitFor(() => r.store.getState().process.attached && r.store.getState().process.pid === pid, 're-attach to the recorded run');
    expect(r.store.getState().ui.notices.map((n) => n.text).join('\n')).toContain('re-attached');
    await waitFor(() => r.store.getState().log.current?.complete, 'the re-attached run to complete', 90_000);
    await waitFor(() => r.store.getState().process.alive === false, 'its exit to be seen');
    const runs = await readRuns(path.join(dir, '.backfill-tui'), null);
    expect(runs).toHaveLength(1);
    // Its summary was read: `complete`, not merely `exited`.
    await waitFor(async () => (await readRuns(path.join(dir, '.backfill-tui'), null))[0].end?.reason === 'complete', 'the end recorded');
  }, 150000);

  test('A launches, B stops: one end record, `stopped`, in both; no "ended without a summary" alert in A (tester V8)', async () => {
    const file = writeJob({ speed: 2 });
    const a = runtimeFor(file);
    const pid = await launchedPid(a);
    const b = runtimeFor(file);
    await waitFor(() => (b.store.getState().process.attached && b.store.getState().process.pid === pid) || null, 'B to re-attach to A\'s run', 60_000);
    await waitFor(() => a.store.getState().log.current?.hasActivity || null, 'the run under way in A', 60_000);
    b.controller.onIntent('stop');
    await waitFor(() => b.store.getState().ui.confirm?.kind === 'stop' || null, 'B\'s stop box');
    b.controller.onIntent('confirm-yes');
    await waitFor(() => a.store.getState().process.alive === false && b.store.getState().process.alive === false, 'both to see the end', 60_000);
    const stateDir = path.join(dir, '.backfill-tui');
    const ends = () => readFileSync(path.join(stateDir, 'runs.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"type":"end"'));
    await waitFor(() => ends().length > 0 || null, 'the end recorded', 30_000);
    // Both dashboards are done recording (each refreshes its history after its try): still one end record.
    await waitFor(() => a.store.getState().process.history[0]?.reason && b.store.getState().process.history[0]?.reason ? true : null, 'both histories refreshed', 30_000);
    expect(ends()).toHaveLength(1);
    expect(JSON.parse(ends()[0])).toMatchObject({ reason: 'stopped' });
    for (const r of [a, b]) {
      expect(runFigures(r.store.getState().log.current, Date.now(), writerOf(r.store.getState())).status).toBe('stopped');
      expect(r.store.getState().alerts.recent.map((x) => x.kind)).not.toContain('ended-without-summary');
    }
    // A's notice says stopped too, not `ended` (tester X9: only the stopping dashboard said stopped).
    const runId = a.store.getState().process.runId;
    const aNotice = await waitFor(() => a.store.getState().ui.notices.find((n) => n.key === `run:${runId}` && !n.text.startsWith('launched')), "A's end notice", 30_000);
    expect(aNotice.text).toMatch(new RegExp(`^run ${runId} stopped: \\d+ scraped, 0 failed, 0 skipped`));
  }, 150000);

  test('a dashboard open before another one launches adopts that run once recorded, and x can stop it after the launcher is gone (tester T20)', async () => {
    const file = writeJob({ speed: 4 });
    const b = runtimeFor(file);
    await waitFor(() => b.store.getState().process.writersChecked || null, 'the open dashboard to have looked');
    expect(b.store.getState().process.attached).toBe(false);
    const launcher = spawn(process.execPath, [HARNESS, file, 'resume', 'confirm-yes'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(launcher);
    let out = '';
    launcher.stdout!.on('data', (d) => (out += d));
    const pid = await waitFor(() => Number(/"pid":(\d+)/.exec(out)?.[1] ?? 0), 'the other dashboard to launch', 30_000);
    runPids.push(pid);
    launcher.kill('SIGKILL');
    await new Promise((res) => launcher.on('close', res));
    await waitFor(() => (b.store.getState().process.attached && b.store.getState().process.pid === pid) || null, 'the open dashboard to adopt the recorded run', 60_000);
    expect(b.store.getState().process.external).toBe(false);
    expect(b.store.getState().ui.notices.map((n) => n.text).join('\n')).toMatch(new RegExp(`re-attached to run resume-\\S+ \\(pid ${pid}\\), still running`));
    b.controller.onIntent('stop');
    const box = await waitFor(() => b.store.getState().ui.confirm, 'the stop box');
    expect(box.kind).toBe('stop');
    expect(box.message).toContain(`(pid ${pid})`);
    b.controller.onIntent('confirm-no');
  }, 120000);

  test('two dashboards race to launch: exactly one run starts', async () => {
    const file = writeJob({ speed: 10 });
    const outs = ['', ''];
    const racers = [0, 1].map((i) => {
      const c = spawn(process.execPath, [HARNESS, file, 'resume', 'confirm-yes'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
      c.stdout!.on('data', (d) => (outs[i] += d));
      children.push(c);
      return c;
    });
    await waitFor(() => outs.some((o) => /"pid":\d+/.test(o)), 'one launch', 30_000);
    // The loser either meets the lock, sees the winner's run recorded, or sees the log written by a process it did not start.
    // ... or its question closed under it when the winner's run appeared (a box never outlives its situation).
    await waitFor(() => outs.every((o) => /launched run|not launched|still running|launching is refused|Nothing was done/.test(o)), 'both racers to settle', 30_000);
    const runs = await readRuns(path.join(dir, '.backfill-tui'), null);
    expect(runs).toHaveLength(1);
    runPids.push(runs[0].pid!);
    expect(outs.filter((o) => o.includes('launched run'))).toHaveLength(1);
    racers.forEach((c) => c.kill('SIGKILL'));
  }, 60000);

  test('x stops our run after a confirm: SIGINT to its group, recorded as stopped', async () => {
    const file = writeJob({ speed: 2 });
    const r = runtimeFor(file);
    const pid = await launchedPid(r);
    await waitFor(() => logText().includes('Queued'), 'the run going');
    // A second dashboard on the same job watches the same run.
    const other = runtimeFor(file);
    await waitFor(() => other.store.getState().log.current, 'the second dashboard reading the run');
    r.controller.onIntent('stop');
    const box = await waitFor(() => r.store.getState().ui.confirm, 'stop confirm');
    expect(box.kind).toBe('stop');
    expect(isAlive(pid, r.store.getState().process.procStart)).toBe(true);
    r.controller.onIntent('confirm-yes');
    await waitFor(() => r.store.getState().process.stopped, 'stopped', 30_000);
    expect(logText()).toContain('Interrupted by signal SIGINT');
    await waitFor(async () => (await readRuns(path.join(dir, '.backfill-tui'), null))[0]?.end?.reason === 'stopped', 'stop recorded');
    // Its notice says stopped, not ended, and replaces the launch's.
    const runId = r.store.getState().process.runId;
    await waitFor(() => r.store.getState().ui.notices.some((n) => n.text.startsWith(`run ${runId} stopped`)), 'the stopped notice');
    expect(r.store.getState().ui.notices.filter((n) => n.text.includes(`${runId}`)).map((n) => n.text)).toEqual([expect.stringMatching(new RegExp(`^run ${runId} stopped`))]);
    // Both dashboards say the same thing: stopped (the other one learns it from runs.jsonl).
    const statusOf = (rt: Runtime) => runFigures(rt.store.getState().log.current, rt.store.getState().now, writerOf(rt.store.getState())).status;
    expect(statusOf(r)).toBe('stopped');
    await waitFor(() => statusOf(other) === 'stopped', 'the second dashboard to say stopped', 20_000);
  }, 60000);

  test('keep-awake that cannot work (no D-Bus): the header says awake: unavailable, a notice the reason', async () => {
    const file = writeJob({ speed: 2 });
    const cfg = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...cfg, keepAwake: true }));
    // A systemd-inhibit that fails at once the way it does in a container, first on PATH.
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'systemd-inhibit'), '#!/bin/sh\necho "Failed to inhibit: Failed to connect to bus: No such file or directory" >&2\nexit 1\n', { mode: 0o755 });
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
    try {
      const r = runtimeFor(file);
      await launchedPid(r);
      const problem = await waitFor(() => r.store.getState().process.keepAwakeProblem, 'the keep-awake problem');
      expect(problem).toContain('systemd-inhibit ended at once (code 1): Failed to inhibit: Failed to connect to bus');
      expect(r.store.getState().process.keepAwake).toBeNull();
      const header = stripVTControlCharacters(renderToString(React.createElement(App, { store: r.store, onIntent: () => undefined, color: false }), { columns: 200 })).split('\n')[0];
      // Short on the header line, which keeps the run's settings; the reason in a notice (tester U10).
      expect(header).toMatch(/awake: unavailable · 2 workers · timeout 30 s|awake: unavailable$/);
      expect(header).not.toContain('systemd-inhibit');
      expect(r.store.getState().ui.notices.map((n) => n.text)).toContain(`the machine cannot be kept awake during the run: ${problem}`);
      // The notice is about that run: it goes when the run ends (W23: it stayed under the next screens).
      r.controller.onIntent('stop');
      await waitFor(() => r.store.getState().ui.confirm, 'the stop box');
      r.controller.onIntent('confirm-yes');
      await waitFor(() => r.store.getState().ui.notices.some((n) => / stopped/.test(n.text)) || null, 'the run stopped', 30_000);
      expect(r.store.getState().ui.notices.map((n) => n.text).filter((t) => t.includes('kept awake'))).toEqual([]);
    } finally {
      process.env.PATH = savedPath;
    }
  }, 60000);

  // Tester AD13's nit: an inhibitor that fails after it was taken as working turned the header to `awake: unavailable`
  // with a notice, while the launch's notice above it still ended `machine kept awake (systemd-inhibit)`.
  test('keep-awake that fails later: the launch notice no longer says the machine is kept awake', async () => {
    const file = writeJob({ speed: 2 });
    const cfg = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...cfg, keepAwake: true }));
    // Taken as working (it outlives the half second it is given), then it fails, as one does when logind answers late.
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'systemd-inhibit'), '#!/bin/sh\nsleep 1\necho "Failed to inhibit: Connection timed out" >&2\nexit 1\n', { mode: 0o755 });
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
    try {
      const r = runtimeFor(file);
      await launchedPid(r);
      const runId = r.store.getState().process.runId!;
      const launched = () => r.store.getState().ui.notices.find((n) => n.text.startsWith(`launched run ${runId}:`))?.text;
      await waitFor(() => launched(), 'the launch notice');
      expect(launched()).toMatch(/, machine kept awake \(systemd-inhibit\)$/);
      await waitFor(() => r.store.getState().process.keepAwakeProblem, 'the inhibitor\'s later failure', 20_000);
      expect(launched()).toMatch(new RegExp(`^launched run ${runId}: pid \\d+, \\d+ keys$`));
      expect(r.store.getState().ui.notices.map((n) => n.text)).toContain('the machine is no longer kept awake during the run: systemd-inhibit ended after 1 s (code 1): Failed to inhibit: Connection timed out');
    } finally {
      process.env.PATH = savedPath;
    }
  }, 60000);

  /**
   * A job whose command writes, in one write right before it exits, 3 MB of other lines and then `tail` (the
   * lines for KEYS): the exit is seen at once, the follower needs a moment for the bytes.
   */
  function burstBeforeExitJob(name: string, tail: string[]): string {
    const file = writeJob({ speed: 10 });
    const cfg = JSON.parse(readFileSync(file, 'utf8'));
    const script = [
      "const ts = '2022-01-01 10:00:00,000';",
      `const keys = ${JSON.stringify(KEYS)};`,
      "let out = `${ts} - INFO - Loaded ${keys.length} dates from keys.txt\\n`;",
      ...tail,
      'require("fs").writeSync(1, out);',
    ].join('\n');
    writeFileSync(path.join(dir, `${name}.cjs`), script);
    cfg.command = [process.execPath, path.join(dir, `${name}.cjs`), '{keysFile}'];
    writeFileSync(file, JSON.stringify(cfg));
    return file;
  }
  const OTHER_LINES = "out += `${ts} - INFO - working ${'.'.repeat(100)}\\n`.repeat(30000);";

  test('a run whose last lines come just before its exit: the end record counts them all (runs.jsonl is written once)', async () => {
    const file = burstBeforeExitJob('end-burst', [
      "out += keys.map((k, i) => `${ts} - INFO - [${i + 1}/${keys.length}] Queued ${k}\\n`).join('');",
      OTHER_LINES,
      "out += keys.map((k, i) => i < 30 ? `${ts} - INFO -   ✅ Scraped ${k}\\n` : `${ts} - WARNING -   ❌ Failed ${k}: HTTP 500\\n`).join('');",
    ]);
    const r = runtimeFor(file);
    await resumeConfirmed(r);
    const end = await waitFor(async () => (await readRuns(path.join(dir, '.backfill-tui'), null))[0]?.end, 'the end recorded', 30_000);
    expect(end.reason).toBe('exited');
    expect(end.counts).toMatchObject({ succeeded: 30, failed: 10 });
    // Its notice counts every line it wrote before its exit, and says it had no summary (tester W23).
    const runId = r.store.getState().process.runId;
    const said = await waitFor(() => r.store.getState().ui.notices.find((n) => n.key === `run:${runId}` && !n.text.startsWith('launched')), 'the end notice', 30_000);
    expect(said.text).toBe(`run ${runId} ended without a summary after 40 keys`);
  }, 60000);

  test('a run that writes its summary and exits at once is complete, never ended without a summary on the way (nor its alert)', async () => {
    const file = burstBeforeExitJob('end-summary', [
      OTHER_LINES,
      "out += keys.map((k) => `${ts} - INFO -   ✅ Scraped ${k}\\n`).join('');",
      "out += ['='.repeat(70), 'BACKFILL COMPLETE', `Total dates: ${keys.length}`, `✅ Processed: ${keys.length}`, '⏭️  Skipped: 0', '❌ Failed: 0'].map((m) => `${ts} - INFO - ${m}\\n`).join('');",
    ]);
    const r = runtimeFor(file);
    const seen = new Set<string>();
    r.store.subscribe(() => {
      const s = r.store.getState();
      if (s.process.pid !== null && s.log.current) seen.add(runFigures(s.log.current, s.now, writerOf(s)).status);
    });
    await resumeConfirmed(r);
    await waitFor(async () => (await readRuns(path.join(dir, '.backfill-tui'), null))[0]?.end, 'the end recorded', 30_000);
    const s = r.store.getState();
    expect(runFigures(s.log.current, s.now, writerOf(s)).status).toBe('complete');
    expect([...seen]).not.toContain('ended');
    expect(s.alerts.recent.map((a) => a.kind)).not.toContain('ended-without-summary');
    // Said as the operator says it: complete, with its figures, not `ended (exit 0)` (tester W23).
    const runId = s.process.runId;
    const said = await waitFor(() => r.store.getState().ui.notices.find((n) => n.key === `run:${runId}` && !n.text.startsWith('launched')), 'the end notice', 30_000);
    expect(said.text).toBe(`run ${runId} complete: ${s.log.current!.succeeded} scraped, 0 failed, 0 skipped`);
    expect(s.log.current!.succeeded).toBeGreaterThan(0);
  }, 60000);

  test('a command that does not exist: nothing runs, the reason is shown, the run is recorded as failed to start', async () => {
    const file = writeJob({ speed: 10 });
    const cfg = JSON.parse(readFileSync(file, 'utf8'));
    cfg.command = ['/nonexistent/backfill-script', '--csv={keysFile}'];
    writeFileSync(file, JSON.stringify(cfg));
    const r = runtimeFor(file);
    await resumeConfirmed(r);
    const notice = await waitFor(() => r.store.getState().ui.notices.find((n) => n.tone === 'fail'), 'a failure notice');
    expect(notice.text).toMatch(/failed to start/);
    expect(r.store.getState().process.pid).toBeNull();
    const runs = await readRuns(path.join(dir, '.backfill-tui'), null);
    expect(runs[0].end?.reason).toBe('failed-to-start');
    // The log the launch opened for it is not left behind, empty (tester X9): the screen waits for it again.
    expect(existsSync(path.join(dir, 'backfill.log'))).toBe(false);
    await waitFor(() => r.store.getState().log.exists === false || null, 'the log waited for again');
  });

  test('a log that was there before a launch that failed to start is kept, even empty', async () => {
    const file = writeJob({ speed: 10 });
    const cfg = JSON.parse(readFileSync(file, 'utf8'));
    cfg.command = ['/nonexistent/backfill-script', '--csv={keysFile}'];
    writeFileSync(file, JSON.stringify(cfg));
    writeFileSync(path.join(dir, 'backfill.log'), '');
    const r = runtimeFor(file);
    await resumeConfirmed(r);
    await waitFor(() => r.store.getState().ui.notices.find((n) => n.tone === 'fail'), 'a failure notice');
    expect(existsSync(path.join(dir, 'backfill.log'))).toBe(true);
  });
});

describe('retry', () => {
  test('retries the latest failures minus keys now in storage, with the retry settings', async () => {
    const file = writeJob({ speed: 10 });
    // The latest failed-keys file lists 3 keys; one of them has since appeared in storage.
    writeFileSync(
      path.join(dir, 'failed_dates_20251126_231710.json'),
      JSON.stringify({ timestamp: '2025-11-26T23:49:49.094932', total_failed: 3, failed_dates: [
        { game_date: KEYS[0], status: 'failed', error: 'HTTP 500' },
        { game_date: KEYS[1], status: 'timeout', error: 'Timeout after 180s' },
        { game_date: KEYS[2], status: 'failed', error: 'HTTP 500' },
      ] }, null, 2),
    );
    mkdirSync(path.join(dir, 'st', KEYS[1]), { recursive: true });
    writeFileSync(path.join(dir, 'st', KEYS[1], 'a.json'), '{}');
    const r = runtimeFor(file);
    await readyToLaunch(r);
    await waitFor(() => r.store.getState().failed.current, 'the failed file read');
    r.controller.onIntent('retry');
    const box = await waitFor(() => r.store.getState().ui.confirm, 'retry confirm');
    expect(box.keys).toEqual([KEYS[0], KEYS[2]]);
    // The listing is over: its "listing … for a fresh count…" notice is gone with it.
    expect(r.store.getState().ui.notices.map((n) => n.text).join('\n')).not.toContain('for a fresh count');
    expect(box.message).toBe('Retry 2 failed keys, 3 workers, timeout 300 s?');
    r.controller.onIntent('confirm-no');
    expect(r.store.getState().ui.confirm).toBeNull();
    // R: one group only: the error kind first, then the phases and months of the keys still failing.
    r.controller.onIntent('retry-group');
    const choice = await waitFor(() => r.store.getState().ui.choosingGroup, 'group choice');
    expect(choice.groups[0].label).toBe('error HTTP 500');
    expect(choice.groups.slice(1).every((g) => /^(phase|month) /.test(g.label))).toBe(true);
    r.controller.onIntent('choose-pick');
    const only = await waitFor(() => r.store.getState().ui.confirm, 'group confirm');
    expect(only.message).toContain('(error HTTP 500 only)');
    r.controller.onIntent('confirm-no');
    // r honours the failures filter: the keys the table shows (a key now in storage still left out), and the box says so.
    r.store.dispatch({ type: 'ui/view', view: 'failures' });
    r.store.dispatch({ type: 'ui/filter-start' });
    r.store.dispatch({ type: 'ui/filter-input', text: KEYS[2] });
    r.store.dispatch({ type: 'ui/filter-end', keep: true });
    r.controller.onIntent('retry');
    const filtered = await waitFor(() => r.store.getState().ui.confirm, 'filtered retry confirm');
    expect(filtered.keys).toEqual([KEYS[2]]);
    expect(filtered.message).toBe(`Retry 1 failed key matching "${KEYS[2]}" (the filtered table), 3 workers, timeout 300 s?`);
    r.controller.onIntent('confirm-no');
    // A filter no failed key matches: nothing failed that way, not "every failed key is in storage now" (tester V10).
    r.store.dispatch({ type: 'ui/filter-start' });
    r.store.dispatch({ type: 'ui/filter-input', text: '1999' });
    r.store.dispatch({ type: 'ui/filter-end', keep: true });
    r.controller.onIntent('retry');
    await waitFor(() => r.store.getState().ui.notices.find((n) => n.text.startsWith('nothing to retry')), 'the refusal');
    expect(r.store.getState().ui.confirm).toBeNull();
    expect(r.store.getState().ui.notices.map((n) => n.text)).toContain('nothing to retry: no key has failed matching "1999"');
  });
});

describe('after a group retry (tester F9, F15)', () => {
  test('R on one key leaves the other failures failing in the table and in r; r leaves the persistent key out, a takes it too', async () => {
    // Every key the retry tries fails again.
    const file = writeJob({ speed: 40, extra: ['--fail-rate=1'] });
    const entry = (k: string, status: string, error: string) => ({ game_date: k, status, error });
    writeFileSync(
      path.join(dir, 'failed_dates_20251126_231710.json'),
      JSON.stringify({ timestamp: '2025-11-26T23:49:49.094932', total_failed: 4, failed_dates: [
        entry(KEYS[0], 'failed', 'HTTP 500'),
        entry(KEYS[1], 'timeout', 'Timeout after 180s'),
        entry(KEYS[2], 'failed', 'HTTP 500'),
        entry(KEYS[3], 'error', 'ConnectionError: reset by peer'),
      ] }),
    );
    const r = runtimeFor(file);
    await readyToLaunch(r);
    await waitFor(() => r.store.getState().failed.current, 'the failed file read');
    // R: the group of the one ConnectionError key.
    r.controller.onIntent('retry-group');
    const choice = await waitFor(() => r.store.getState().ui.choosingGroup, 'group choice');
    const index = choice.groups.findIndex((g) => g.label === 'error');
    expect(choice.groups[index].keys).toEqual([KEYS[3]]);
    r.store.dispatch({ type: 'ui/choose-group', choice: { ...choice, index } });
    r.controller.onIntent('choose-pick');
    await waitFor(() => r.store.getState().ui.confirm, 'group confirm');
    r.controller.onIntent('confirm-yes');
    runPids.push(await waitFor(() => r.store.getState().process.pid, 'pid'));
    // Its own failed-keys file (1 key) is read, and matched to its launch (it tried KEYS[3] only).
    await waitFor(() => r.store.getState().failed.files.length === 2 && r.store.getState().failed.tried?.size, 'the retry\'s file and what it tried', 60_000);
    const failing = () => failuresView(r.store.getState()).rows.filter((x) => !x.recovered);
    expect(failing().map((x) => `${x.key} ${x.failedIn}/${x.triedIn}${x.persistent ? ' persistent' : ''}`)).toEqual([
      `${KEYS[0]} 1/1`,
      `${KEYS[1]} 1/1`,
      `${KEYS[2]} 1/1`,
      `${KEYS[3]} 2/2 persistent`,
    ]);
    await waitFor(() => r.store.getState().process.alive === false, 'the retry ended (its last lines read)', 60_000);
    // r: the three keys a retry may help; the persistent one is said and left out, `a` takes all four.
    r.controller.onIntent('retry');
    const box = await waitFor(() => r.store.getState().ui.confirm, 'retry confirm');
    expect(box.keys).toEqual([KEYS[0], KEYS[1], KEYS[2]]);
    expect(box.withPersistent).toEqual(KEYS.slice(0, 4));
    expect(box.message).toBe('Retry 3 failed keys, 3 workers, timeout 300 s? 1 persistent key left out (Regular season 1; failed in every run that tried it: a retry will not help); a asks to retry all 4.');
    const shown = stripVTControlCharacters(renderToString(React.createElement(ConfirmBox, { confirm: box, width: 80 }), { columns: 80 }));
    expect(shown).toContain('y go (3) · a ask for all 4 · n/Esc cancel');
    // a asks again, from a fresh listing (W23: not the first box's list): KEYS[1] reached storage meanwhile, so all
    // three still missing; nothing starts until that box's y (tester U15).
    mkdirSync(path.join(dir, 'st', KEYS[1]), { recursive: true });
    writeFileSync(path.join(dir, 'st', KEYS[1], 'a.json'), '{}');
    const runsBefore = (await readRuns(path.join(dir, '.backfill-tui'), null)).length;
    r.controller.onIntent('confirm-all');
    const all = await waitFor(() => (r.store.getState().ui.confirm && r.store.getState().ui.confirm !== box ? r.store.getState().ui.confirm : null), 'the box for all');
    expect(all.keys).toEqual([KEYS[0], KEYS[2], KEYS[3]]);
    expect(all.message).toBe('Retry all 3 failed keys, the 1 persistent one included (Regular season 1; failed in every run that tried it: a retry will not help), 3 workers, timeout 300 s?');
    expect((await readRuns(path.join(dir, '.backfill-tui'), null)).length).toBe(runsBefore);
    r.controller.onIntent('confirm-yes');
    // The launch is its record in the runs file (3 keys). Its `launched run` notice is not waited for: three keys
    // that all fail are done quickly, and the run's end notice then replaces it (the CI of stop 22 timed out on it).
    const launched = await waitFor(async () => {
      const runs = await readRuns(path.join(dir, '.backfill-tui'), null);
      const last = runs.length === runsBefore + 1 ? runs.at(-1)! : null;
      return last?.pid != null ? last : null;
    }, 'the launch of all three', 30_000);
    expect(launched.keyCount).toBe(3);
    runPids.push(launched.pid!);
  });
});

describe('a suspicious key among the failures (tester T15)', () => {
  test('r leaves the 60,000-character key out and says so; y launches the good key', async () => {
    const file = writeJob({ speed: 40 });
    // The log of an earlier run: one failure line whose key is 60,000 characters, one normal failure.
    const t = Date.now() - 60_000;
    const line = (at: number, level: string, msg: string) => `${new Date(at).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',')} - ${level} - ${msg}`;
    writeFileSync(path.join(dir, 'backfill.log'), [
      line(t, 'INFO', 'Loaded 2 dates from keys.txt'),
      line(t + 1000, 'WARNING', `  ❌ Failed ${'G'.repeat(60_000)}: HTTP 500`),
      line(t + 2000, 'WARNING', `  ❌ Failed ${KEYS[0]}: HTTP 500`),
    ].join('\n') + '\n');
    const r = runtimeFor(file);
    await readyToLaunch(r);
    await waitFor(() => r.store.getState().log.current?.failed === 2, 'both failures read');
    r.controller.onIntent('retry');
    const box = await waitFor(() => r.store.getState().ui.confirm, 'retry confirm');
    expect(box.keys).toEqual([KEYS[0]]);
    expect(box.message).toContain('1 suspicious key left out ("GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG…" cut from a log line\'s key longer than 200 characters): never launched');
    r.controller.onIntent('confirm-yes');
    // Launched (its pid), or refused (a failing notice). Its `launched run` notice is replaced by the run's end
    // notice when the one key is done quickly, so the pid is what is waited for; the slack is for a loaded machine.
    const pid = await waitFor(() => r.store.getState().process.pid ?? r.store.getState().ui.notices.find((n) => n.tone === 'fail') ?? null, 'the launch', 30_000);
    expect(typeof pid).toBe('number');
    runPids.push(pid as number);
    expect((await readRuns(path.join(dir, '.backfill-tui'), null)).at(-1)).toMatchObject({ keyCount: 1 });
  });
});
