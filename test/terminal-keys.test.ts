import { removeDir } from './support/remove-dir.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CLI } from './support/cli.js';
import { startTerminal, type Terminal } from './support/tmux.js';

// Keys that arrive together, written to the real program's terminal in one write each.
let dir: string;
let term: Terminal | null = null;

const KEYS = Array.from({ length: 12 }, (_, i) => `2022-04-${String(i + 10).padStart(2, '0')}`);

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-keys-'));
  writeFileSync(path.join(dir, 'expected.txt'), KEYS.join('\n') + '\n');
  // Failures in key order: 8 HTTP 500s, then 4 timeouts.
  const failed = KEYS.map((k, i) => (i < 8 ? { game_date: k, status: 'failed', error: 'HTTP 500' } : { game_date: k, status: 'timeout', error: 'Timeout after 180s' }));
  writeFileSync(path.join(dir, 'failed_dates_20251126_231710.json'), JSON.stringify({ timestamp: '2025-11-26T23:49:49', total_failed: failed.length, failed_dates: failed }));
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'keys', log: 'backfill.log', expected: 'expected.txt', failed: 'failed_dates_*.json', keepAwake: false }));
});
afterEach(() => {
  term?.close();
  term = null;
  removeDir(dir);
});

const cursorRow = (rows: string[]) => rows.find((r) => r.includes('›'));

describe('keys arriving together in one read', () => {
  test('jjjj moves the cursor four rows; pasted filter text with Backspaces and a control character filters as typed', async () => {
    term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 100, rows: 30, cwd: dir });
    term.keys('f');
    await term.waitScreen((_, t) => t.includes('12 keys'), 'the failures table');
    expect(cursorRow(term.screen())).toContain(KEYS[0]);
    term.chunk('jjjj');
    await term.waitScreen((rows) => cursorRow(rows)?.includes(KEYS[4]), 'the cursor four rows down');
    term.chunk('k');
    await term.waitScreen((rows) => cursorRow(rows)?.includes(KEYS[3]), 'one row up');
    // "/", "timx", two Backspaces (DEL), Ctrl-A, "me", Enter: all one chunk; the filter must read "time".
    term.chunk('/timxx\x7f\x7f\x01e\r');
    const text = await term.waitScreen((_, t) => (/4 of 12 keys match "time"/.test(t) ? t : null), 'the filter "time" applied');
    expect(text).not.toContain('\x01');
    // Keys after Enter in the same chunk act on the table again: Enter kept the filter, then j moves within it.
    term.chunk('jj');
    await term.waitScreen((rows) => cursorRow(rows)?.includes(KEYS[10]), 'the cursor two rows into the filtered table');
  }, 60_000);

  test('Esc and the next key in one read are both handled (tester X8): Esc clears the filter, then q quits', async () => {
    term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir });
    term.keys('f');
    await term.waitScreen((_, t) => t.includes('12 keys'), 'the failures table');
    term.chunk('/ab');
    await term.waitScreen((_, t) => t.includes('No failure matches "ab"'), 'the filter "ab"');
    term.chunk('\x1bj');
    await term.waitScreen((rows, t) => !t.includes('"ab"') && cursorRow(rows)?.includes(KEYS[1]), 'the filter cleared, then the cursor one row down');
    term.chunk('\x1bq');
    await term.waitScreen(() => term!.exited(), 'the dashboard to leave');
  }, 30_000);

  test('two Escs in one read are two Escs (tester X8 residue): the first clears the filter, the second leaves the failures view', async () => {
    term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir });
    term.keys('f');
    await term.waitScreen((_, t) => t.includes('12 keys'), 'the failures table');
    term.chunk('/ab');
    await term.waitScreen((_, t) => t.includes('No failure matches "ab"'), 'the filter "ab"');
    term.chunk('\x1b\x1b');
    // Back on the dashboard: the failures table (its `N keys` footer) is gone, and the filter with it.
    await term.waitScreen((_, t) => !t.includes('"ab"') && !t.includes('12 keys') && t.includes('q quit'), 'the filter cleared and the dashboard again');
  }, 30_000);

  test('Ctrl-U in the filter prompt empties the line, as at a shell prompt (tester X9); the prompt says so', async () => {
    term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir });
    term.keys('f');
    await term.waitScreen((_, t) => t.includes('12 keys'), 'the failures table');
    term.chunk('/zzz');
    await term.waitScreen((_, t) => t.includes('/zzz') && t.includes('Ctrl-U erases'), 'the prompt with "zzz" and its keys');
    // Ctrl-U, then the word meant, then Enter: one chunk.
    term.chunk('\x15time\r');
    // "zzztime" would match none; the line is cut at 80 columns after `"t`.
    await term.waitScreen((_, t) => /4 of 12 keys match "t/.test(t) && !t.includes('zzz'), 'the filter "time" (not "zzztime")');
  }, 30_000);

  test('Ctrl-C inside a chunk quits, after the keys before it', async () => {
    term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir });
    await term.waitScreen((_, t) => t.includes('q quit'), 'the dashboard');
    term.chunk('f\x03');
    await term.waitScreen(() => term!.exited(), 'the dashboard to leave');
  }, 30_000);
});

// Tester V10: Ctrl-Z did nothing (raw mode ate it) and what was typed at the "shell" went in as keys.
// Tester AA6: under `npx backfill-tui` or `npm run demo` the dashboard has parents of its own in the shell's job
// (npm, sh -c) that wait for it; stopping only the dashboard left them in the foreground and the terminal dead.
const DIRECT = `'${process.execPath}' '${CLI}' --no-color`;
const WRAPPED = `sh -c "'${process.execPath}' '${CLI}' --no-color; echo wrapper-done"`;

describe.each([
  ['started by the shell', DIRECT],
  ['under a wrapper that waits for it, as npx and npm run are', WRAPPED],
])('Ctrl-Z, %s', (_how, command) => {
  test('suspends the dashboard to the shell as less and vim do; fg draws the whole screen again and keys work', async () => {
    const shell = startTerminal(['bash', '--norc', '--noprofile', '-i'], { cols: 80, rows: 24, cwd: dir });
    term = shell;
    shell.chunk("PS1='shell$ '\r");
    await shell.waitScreen((_, t) => /^shell\$ $/m.test(t), 'the shell prompt');
    shell.chunk(`${command}\r`);
    await shell.waitScreen((_, t) => t.includes('q quit'), 'the dashboard');
    // The first key proves the dashboard reads keys: the failures view.
    shell.keys('f');
    await shell.waitScreen((_, t) => t.includes('12 keys'), 'the failures table');
    shell.keys('C-z');
    await shell.waitScreen((_, t) => /Stopped/.test(t) && /shell\$ $/m.test(t), 'the shell after the job stopped');
    // What is typed now is the shell's, not the dashboard's.
    shell.chunk('echo typed-at-the-shell\r');
    await shell.waitScreen((rows) => rows.some((r) => r === 'typed-at-the-shell'), 'the shell running a command');
    shell.chunk('fg\r');
    // The whole frame again (not only what changed), on the view it was on.
    await shell.waitScreen((_, t) => t.includes('12 keys') && t.includes('q quit') && !t.includes('typed-at-the-shell'), 'the dashboard redrawn');
    shell.keys('q');
    // Left: the shell's prompt under the last frame (Ink leaves it on screen), and no job stopped behind.
    await shell.waitScreen((rows) => /^shell\$\s*$/.test(rows.filter((r) => r.trim() !== '').at(-1) ?? ''), 'the shell after q');
    if (command === WRAPPED) expect(shell.screen()).toContain('wrapper-done');
    shell.chunk('jobs\r');
    await shell.waitScreen((rows) => {
      const shown = rows.filter((r) => r.trim() !== '');
      return /^shell\$\s*$/.test(shown.at(-1) ?? '') && shown.at(-2) === 'shell$ jobs';
    }, 'jobs answered');
    expect(shell.screen().join('\n')).not.toMatch(/Stopped|Running/);
  }, 60_000);
});

// Tester AI9: a terminal resized while the dashboard was stopped (Ctrl-Z) was drawn at its old size at `fg`: 80
// columns into 60 wrapped every long row in two (the key bar on two rows), the top of the frame scrolled away.
test('a terminal resized while the dashboard is stopped: fg draws it at the new size', async () => {
  const shell = startTerminal(['bash', '--norc', '--noprofile', '-i'], { cols: 80, rows: 24, cwd: dir });
  term = shell;
  shell.chunk("PS1='shell$ '\r");
  await shell.waitScreen((_, t) => /^shell\$ $/m.test(t), 'the shell prompt');
  shell.chunk(`${DIRECT}\r`);
  await shell.waitScreen((_, t) => t.includes('q quit') && t.includes('g refresh'), 'the dashboard at 80 columns, its whole key bar on one row');
  shell.keys('C-z');
  await shell.waitScreen((_, t) => /Stopped/.test(t) && /shell\$ $/m.test(t), 'the shell after the job stopped');
  shell.resize(60, 20);
  shell.chunk('clear\r');
  await shell.waitScreen((rows) => rows.filter((r) => r.trim() !== '').length === 1, 'the cleared shell at 60×20');
  shell.chunk('fg\r');
  await shell.waitScreen((_, t) => t.includes('q quit'), 'the dashboard again');
  // Laid out for 60 columns: its key bar (after `small terminal 60×20 · ` once the failures are read and the rows are
  // too few) and no row longer (the capture joins a row the terminal wrapped into one).
  await shell.waitScreen((rows) => rows.some((r) => /^(small terminal 60×20 · )?q quit/.test(r)) && rows.every((r) => [...r].length <= 60), 'the frame laid out at 60 columns');
}, 60_000);
