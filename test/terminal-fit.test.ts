import { removeDir } from './support/remove-dir.js';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { terminalProblem } from '../src/terminal-check.js';
import { CLI, runCli } from './support/cli.js';
import { startTerminal, type Terminal } from './support/tmux.js';

// Tester X14: the dashboard with stdin not a terminal died in Ink's "Raw mode is not supported" stack trace
// (~60 lines, exit 1). Every way the terminal cannot carry the dashboard is one plain line and exit 2.
let dir: string;
let term: Terminal | null = null;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-fit-'));
  writeFileSync(path.join(dir, 'expected.txt'), '2022-04-10\n2022-04-11\n');
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'fit', log: 'bf.log', expected: 'expected.txt', keepAwake: false, command: ['sh', '-c', 'true', '{keysFile}'] }));
});
afterEach(() => {
  term?.close();
  term = null;
  removeDir(dir);
});

// The command waits for Enter: its line is written once the test's terminal has its size (a resize after it would
// reflow it away).
const sh = (line: string) => ['sh', '-c', `read go; ${line}; echo "rc=$?"`];
function run(line: string): Terminal {
  const t = startTerminal(sh(line), { cols: 80, rows: 24, cwd: dir });
  t.keys('Enter');
  return t;
}
const node = `'${process.execPath}' '${CLI}'`;

describe('a terminal that cannot carry the dashboard: one line, exit 2', () => {
  test('stdin not a terminal (stdout is): says so and what to do, no stack trace', async () => {
    term = run(`${node} < /dev/null`);
    // Wrapped within the 80 columns, hanging two in (std-write.ts fitErr): read joined.
    const text = (await term.waitScreen((_, t) => (t.includes('rc=') ? t : null), 'the command to end')).replace(/\n {2}(?=\S)/g, ' ');
    expect(text).toContain('backfill-tui: stdin is not a terminal: the dashboard reads its keys from it; run it in a terminal, or use `backfill-tui status`');
    expect(text).toContain('rc=2');
    expect(text).not.toMatch(/Raw mode|    at /);
  }, 30_000);

  test('TERM=dumb: the cursor cannot move, so no frames are drawn', async () => {
    // tmux sets TERM in its panes whatever it is given: the shell sets it for the one command.
    term = run(`TERM=dumb ${node}`);
    const text = (await term.waitScreen((_, t) => (t.includes('rc=') ? t : null), 'the command to end')).replace(/\n {2}(?=\S)/g, ' ');
    expect(text).toContain('backfill-tui: TERM=dumb: this terminal cannot move the cursor, which the dashboard needs');
    expect(text).toContain('rc=2');
    expect(text).not.toContain('q quit');
  }, 30_000);

  test('stdout a pipe: said on stderr, nothing on stdout', () => {
    const r = runCli([], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('backfill-tui: stdout is not a terminal: the dashboard draws on one; in scripts use `backfill-tui status` (or `status --json`).\n');
  });

  test('each check by itself (stdout first: the pipe is what a script has)', () => {
    const tty = { isTTY: true };
    expect(terminalProblem({ stdin: tty, stdout: tty }, { TERM: 'xterm-256color' })).toBeNull();
    expect(terminalProblem({ stdin: tty, stdout: tty }, {})).toBeNull();
    expect(terminalProblem({ stdin: {}, stdout: {} }, {})).toMatch(/^stdout is not a terminal/);
    expect(terminalProblem({ stdin: {}, stdout: tty }, {})).toMatch(/^stdin is not a terminal/);
    expect(terminalProblem({ stdin: tty, stdout: tty }, { TERM: 'dumb' }, 'the demo')).toMatch(/^TERM=dumb: .* which the demo needs/);
  });
});

describe('a terminal under the job screen\'s smallest size', () => {
  test('keeps the header, a whole open question and its keys on screen; the full screen comes back when it grows', async () => {
    term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir });
    await term.waitScreen((_, t) => t.includes('q quit'), 'the dashboard');
    term.keys('s');
    await term.waitScreen((_, t) => t.includes('Launch 2 keys'), 'the launch box');
    term.resize(30, 8);
    // The question's first words and its end both on screen, the header above it, the answers under it.
    const rows = await term.waitScreen((r, t) => (t.includes('y go · n/Esc cancel') && r[0].startsWith('fit ') ? r : null), 'the small screen');
    const text = rows.join('\n');
    expect(text).toContain('Launch 2 keys');
    expect(text).toContain('expected keys.');
    expect(rows.length).toBeLessThanOrEqual(8);
    for (const row of rows) expect([...row].length).toBeLessThanOrEqual(30);
    term.keys('n');
    await term.waitScreen((_, t) => t.includes('too small: 30×8, needs 40×10'), 'the size line');
    term.resize(80, 24);
    await term.waitScreen((_, t) => t.includes('q quit · ? keys · s resume') && !t.includes('too small'), 'the full dashboard');
  }, 30_000);
});

// Tester X9: `demo --job nope` laid out a whole demo directory, started and stopped its Cloud Run region, printed
// `open it again with …`, and only then said there was no such job.
test('demo --job with a name the demo does not have: said first, exit 2, nothing made', async () => {
  const target = path.join(dir, 'demo-here');
  term = run(`${node} demo --job nope --dir '${target}'`);
  const text = (await term.waitScreen((_, t) => (t.includes('rc=') ? t : null), 'the command to end', 30_000)).replace(/\n {2}(?=\S)/g, ' ');
  expect(text).toContain('backfill-tui: demo: no job named "nope" (jobs: team-boxscores, player-boxscores, bdl-standings, play-by-play, espn-boxscores, bdl-boxscores); nothing was made');
  expect(text).toContain('rc=2');
  expect(text).not.toContain('open it again');
  expect(existsSync(target)).toBe(false);
}, 40_000);
