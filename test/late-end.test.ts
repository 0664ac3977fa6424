import { removeDir } from './support/remove-dir.js';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLocalPlace } from '../src/run-place/local-place.js';
import { isAlive, readProcStat } from '../src/runner/proc.js';
import { foldRuns, parseRunLines, type RunRecord } from '../src/runner/runs-file.js';
import { initialState } from '../src/state/app-state.js';
import { createStore } from '../src/store.js';
import { formatElapsed } from '../src/format.js';
import { CLI, runCli } from './support/cli.js';
import { killRunGroups } from './support/run-groups.js';
import { startTerminal, type Terminal } from './support/tmux.js';
import { waitFor } from './support/wait-for.js';

// Tester AD15: a run that ended while its dashboard was stopped by Ctrl-Z was recorded as ending at `fg`, when the
// dashboard reaped it (`stopped · 0:25` for a run that ran 0:17); the same for a dashboard not its parent, which found
// it gone on waking. Its end is the latest proof of its life: here the SIGTERM its stop's carrier sent while the
// dashboard slept, which ended it.
let dir: string;
let term: Terminal | null = null;
const groups: number[] = [];

/** Says so on SIGINT and goes on (a pool that finishes its keys); SIGTERM ends it (the default). Lines in UTC. */
const STUB = `
const line = (level, text) => console.log(new Date().toISOString().replace('T', ' ').replace('Z', '').replace('.', ',') + ' - ' + level + ' - ' + text);
process.on('SIGINT', () => line('WARNING', 'Interrupted: finishing in-flight keys'));
for (const text of ['NBA.com Player Boxscore Scraper Backfill (v2)', 'Workers: 1 | Timeout: 60s', 'Loaded 2 dates from keys.csv', '[1/2] Processing 2022-01-03']) line('INFO', text);
setInterval(() => {}, 1000);
`;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-late-end-'));
  writeFileSync(path.join(dir, 'expected.txt'), '2022-01-03\n2022-01-04\n');
  writeFileSync(path.join(dir, 'stub.cjs'), STUB);
  const config = { job: 'late', log: 'bf.log', expected: 'expected.txt', command: [process.execPath, 'stub.cjs', '--csv={keysFile}'], keepAwake: false, timezone: 'UTC' };
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify(config));
});
afterEach(() => {
  term?.close();
  term = null;
  killRunGroups(groups);
  removeDir(dir);
});

function runs(): RunRecord[] {
  const file = path.join(dir, '.backfill-tui', 'runs.jsonl');
  return existsSync(file) ? foldRuns(parseRunLines(readFileSync(file, 'utf8'))) : [];
}

/** An interactive shell in a terminal, with job control (Ctrl-Z, fg), running the dashboard. */
async function dashboardInShell(): Promise<Terminal> {
  const shell = startTerminal(['bash', '--norc', '--noprofile', '-i'], { cols: 80, rows: 24, cwd: dir, env: { TZ: 'UTC' } });
  term = shell;
  shell.chunk("PS1='shell$ '\r");
  await shell.waitScreen((_, t) => /^shell\$ $/m.test(t), 'the shell prompt');
  shell.chunk(`'${process.execPath}' '${CLI}' --no-color\r`);
  await shell.waitScreen((_, t) => t.includes('q quit'), 'the dashboard');
  return shell;
}

async function suspend(shell: Terminal): Promise<void> {
  shell.keys('C-z');
  await shell.waitScreen((_, t) => /Stopped/.test(t) && /shell\$ $/m.test(t), 'the shell after the dashboard stopped');
}

/** The SIGTERM its stop's carrier sent while the dashboard slept, and the run gone (a zombie of its stopped parent, or reaped). */
async function endedWhileAsleep(run: RunRecord): Promise<{ termAt: number; goneBy: number }> {
  const termAt = await waitFor(() => runs().find((r) => r.id === run.id)?.stopTermAt, 'the carrier\'s SIGTERM recorded', 20_000);
  await waitFor(() => !isAlive(run.pid, run.procStart) || null, 'the run ended by it', 10_000);
  // The dashboard has not seen it yet: it is asleep, and its end is not recorded.
  expect(runs().find((r) => r.id === run.id)?.end).toBeNull();
  return { termAt, goneBy: Date.now() };
}

/** One elapsed for the run, its launch to its recorded end (tester AE11: `status` counted from the first line). */
function statusElapsed(): string {
  return /elapsed (\d+:\d\d)/.exec(runCli(['status'], { cwd: dir, env: { TZ: 'UTC' } }).stdout)?.[1] ?? '';
}

/** After fg: the end the dashboard records. */
async function endAfterWaking(shell: Terminal, run: RunRecord, goneBy: number) {
  shell.chunk('fg\r');
  const end = await waitFor(() => runs().find((r) => r.id === run.id)?.end, 'its end recorded after fg', 20_000);
  // Never when the dashboard woke (after goneBy): the moment its life was last proven.
  expect(end.endedAt).toBeLessThan(goneBy);
  return end;
}

test('a run that ends while its launching dashboard is stopped (Ctrl-Z) ends at the SIGTERM that ended it, not at fg', async () => {
  const shell = await dashboardInShell();
  await shell.waitScreen((_, t) => t.includes('2021-22'), 'the expected keys read');
  shell.keys('s');
  await shell.waitScreen((_, t) => t.includes('Launch 2 keys'), 'the launch box');
  shell.keys('y');
  await shell.waitScreen((_, t) => t.includes('launched run'), 'the launch');
  const run = await waitFor(() => runs().find((r) => r.pid !== null), 'the launch recorded with its pid');
  groups.push(run.pid!);
  await waitFor(() => readFileSync(path.join(dir, 'bf.log'), 'utf8').includes('Processing 2022-01-03'), 'its first lines');
  shell.keys('x');
  await shell.waitScreen((_, t) => t.includes(`Stop run ${run.id}`), 'the stop box');
  shell.keys('y');
  await shell.waitScreen((_, t) => t.includes('SIGINT sent'), 'the SIGINT sent');
  await suspend(shell);
  const { termAt, goneBy } = await endedWhileAsleep(run);
  // Its parent is asleep: the run is a zombie until fg.
  expect(readProcStat(run.pid!)?.state).toBe('Z');
  const end = await endAfterWaking(shell, run, goneBy);
  expect(end).toMatchObject({ endedAt: termAt, reason: 'stopped', signal: 'SIGTERM' });
  expect(statusElapsed()).toBe(formatElapsed(run.startedAt, termAt - run.startedAt));
  await shell.waitScreen((rows) => rows[0].includes(`stopped · ${formatElapsed(run.startedAt, termAt - run.startedAt)}`), 'the header\'s elapsed, the same');
}, 90_000);

test('a dashboard not the run\'s parent, stopped while the run ends, records the end at that SIGTERM, not when it woke', async () => {
  // A: the launching dashboard, gone during its stop's grace (its carrier stands for the SIGTERM).
  const config = loadConfig({ cwd: dir });
  const store = createStore(initialState({ job: 'late', log: config.log, now: Date.now(), targets: [] }), { frameMs: 0 });
  const ac = new AbortController();
  const a = createLocalPlace({ config, store, now: Date.now, signal: ac.signal, freshStorage: async () => null, refreshHistory: async () => undefined, refreshWarehouse: () => undefined });
  try {
    const out = await a.launch({ keys: ['2022-01-03'], workers: 1, timeout: 60, label: 'launch' });
    if (!out.ok) throw new Error(out.message);
    const run = await waitFor(() => runs().find((r) => r.pid !== null), 'the launch recorded with its pid');
    groups.push(run.pid!);
    // B: re-attached to it.
    const shell = await dashboardInShell();
    await shell.waitScreen((_, t) => t.includes(`re-attached to run ${run.id}`), 'B re-attached');
    expect((await a.stop()).ok).toBe(true);
    ac.abort();
    await suspend(shell);
    const { termAt, goneBy } = await endedWhileAsleep(run);
    const end = await endAfterWaking(shell, run, goneBy);
    expect(end).toMatchObject({ endedAt: termAt, reason: 'stopped' });
    expect(statusElapsed()).toBe(formatElapsed(run.startedAt, termAt - run.startedAt));
    await shell.waitScreen((rows) => rows[0].includes(`stopped · ${formatElapsed(run.startedAt, termAt - run.startedAt)}`), 'B\'s header, the same');
  } finally {
    ac.abort();
  }
}, 90_000);
