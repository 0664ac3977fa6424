import { removeDir } from './support/remove-dir.js';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { isAlive } from '../src/runner/proc.js';
import { foldRuns, parseRunLines } from '../src/runner/runs-file.js';
import { CLI } from './support/cli.js';
import { startTerminal, type Terminal } from './support/tmux.js';
import { waitFor } from './support/wait-for.js';

// A confirm box never changes under the operator's finger: the real dashboard in a real terminal,
// stopping a real run that ignores SIGINT and SIGTERM.
let dir: string;
let term: Terminal | null = null;

const STUBBORN = `
process.on('SIGINT', () => console.log('ignoring SIGINT'));
process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
console.log('2025-11-26 23:17:10,000 - INFO - Starting backfill');
setInterval(() => {}, 1000);
`;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-stop-'));
  writeFileSync(path.join(dir, 'expected.txt'), '2022-01-03\n2022-01-04\n');
  writeFileSync(path.join(dir, 'stubborn.cjs'), STUBBORN);
  const config = { job: 'stop', log: 'backfill.log', expected: 'expected.txt', command: [process.execPath, 'stubborn.cjs', '--csv={keysFile}'], keepAwake: false };
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify(config));
});
afterEach(() => {
  term?.close();
  term = null;
  for (const run of runs()) {
    // Never kill(-0): that is this test's own process group.
    if (!(run.pid > 1)) continue;
    try {
      process.kill(-run.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  // term.close() waited for the dashboard to end; a stop carrier it left may still write the SIGTERM's record until
  // it sees the run killed above (it looks every 250 ms): removeDir retries a directory that refills.
  removeDir(dir);
});

/** Launched runs as runs.jsonl folds them (a launch is recorded before the spawn, then with its pid). */
function runs(): { pid: number; procStart: number; id: string }[] {
  const file = path.join(dir, '.backfill-tui', 'runs.jsonl');
  if (!existsSync(file)) return [];
  return foldRuns(parseRunLines(readFileSync(file, 'utf8'))).filter((r) => r.pid !== null) as { pid: number; procStart: number; id: string }[];
}

async function launchStubborn(t: Terminal) {
  await t.waitScreen((_, s) => s.includes('2021-22'), 'the dashboard with the expected keys read');
  t.keys('s');
  await t.waitScreen((_, s) => s.includes('Launch 2 keys'), 'the launch box');
  t.keys('y');
  await t.waitScreen((_, s) => s.includes('launched run'), 'the launch');
  return runs()[0];
}

const BOX = 'y go';

describe('stopping a run that ignores SIGINT and SIGTERM', () => {
  test('x during the stop says the stage; SIGKILL is only its own box, opened by x after the notice, naming what was sent and when', async () => {
    term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 120, rows: 30, cwd: dir, env: { TZ: 'UTC' } });
    const run = await launchStubborn(term);
    term.keys('x');
    await term.waitScreen((_, s) => s.includes(`Stop run ${run.id}`), 'the stop box');
    term.keys('y');
    await term.waitScreen((_, s) => s.includes('SIGINT sent, SIGTERM in'), 'the header saying SIGINT went out');
    // x again while the stop is under way: the stage and the clock time of the next step (never a count of seconds
    // that would stand still in a notice: tester AC11), never a box.
    term.keys('x');
    const stage = await term.waitScreen((_, s) => /stopping run \S+: sent SIGINT at \d\d:\d\d:\d\d; SIGTERM at \d\d:\d\d:\d\d if it is still running/.exec(s)?.[0], 'the stage notice');
    expect(stage).toBeTruthy();
    expect(term.screen().join('\n')).not.toMatch(/stopping run .*\(in \d+ s\)/);
    expect(term.screen().join('\n')).not.toContain(BOX);
    term.keys('y');
    await term.waitScreen((_, s) => s.includes('SIGTERM sent, SIGKILL question in'), 'SIGTERM after the grace', 20_000);
    const text = await term.waitScreen((_, s) => (s.includes('press x to decide about SIGKILL') ? s : null), 'the notice that both were ignored', 20_000);
    // The SIGKILL question never opens by itself: no box, and a y now sends nothing.
    expect(text).not.toContain(BOX);
    term.keys('y');
    expect(isAlive(run.pid, run.procStart)).toBe(true);
    term.keys('x');
    // The box's text as one string (its lines joined without the border).
    const boxText = (rows: string[]) => rows.filter((r) => r.startsWith('║')).map((r) => r.replace(/^║\s?|\s?║$/g, '').trim()).join(' ');
    const box = await term.waitScreen((rows) => (boxText(rows).includes('Send SIGKILL to process group') ? boxText(rows) : null), 'the SIGKILL box');
    expect(box).toMatch(new RegExp(`Send SIGKILL to process group ${run.pid} \\(run ${run.id}\\)\\? It ignored what was sent: SIGINT at \\d\\d:\\d\\d:\\d\\d, SIGTERM at \\d\\d:\\d\\d:\\d\\d`));
    expect(isAlive(run.pid, run.procStart)).toBe(true);
    term.keys('y');
    await waitFor(() => !isAlive(run.pid, run.procStart), 'the run gone after SIGKILL');
  }, 90_000);

  test('x and y in one chunk open the box but never answer it: the answer must come in a later read', async () => {
    term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 120, rows: 30, cwd: dir, env: { TZ: 'UTC' } });
    const run = await launchStubborn(term);
    term.chunk('xy');
    await term.waitScreen((_, s) => s.includes(`Stop run ${run.id}`), 'the stop box, still open');
    expect(term.screen()[0]).not.toContain('stopping');
    term.keys('y');
    await term.waitScreen((rows) => rows[0].includes('SIGINT sent'), 'the stop after a y of its own');
  }, 60_000);

  test('a box whose situation changes closes with a notice, and the y meant for it does nothing', async () => {
    term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 120, rows: 30, cwd: dir, env: { TZ: 'UTC' } });
    const run = await launchStubborn(term);
    term.keys('x');
    await term.waitScreen((_, s) => s.includes(`Stop run ${run.id}`), 'the stop box');
    // The run dies under the open box (killed elsewhere): the box must close, not turn into another question.
    process.kill(-run.pid, 'SIGKILL');
    const text = await term.waitScreen((_, s) => (s.includes(`the stop question closed, as run ${run.id}`) ? s : null), 'the box closed with a notice');
    expect(text).toContain('Nothing was done');
    expect(text).not.toContain(BOX);
    term.keys('y');
    term.keys('s');
    // The s that follows opens a fresh launch box (proof the keys are read), and the earlier y launched nothing.
    await term.waitScreen((_, s) => s.includes('Launch 2 keys'), 'a new launch box');
    expect(runs()).toHaveLength(1);
    term.keys('n');
  }, 60_000);
});
