import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { fitErr } from '../src/std-write.js';
import { CLI, runCli } from './support/cli.js';
import { removeDir } from './support/remove-dir.js';

// Tester AF8 f's class: a message longer than the terminal (the demo's 300-character refusal of a folder, a usage error
// naming every command, a job with a long name that has no warehouse) was written as one line, which the terminal broke
// mid-word (`the demo did n` / `ot write`). On a terminal every message is wrapped at spaces within its width, hanging
// under its text, as the leave words and --help are; to a pipe or a file it stays one line, for a script to grep.
const dir = mkdtempSync(join(tmpdir(), 'cli-error-wrap-'));
afterAll(() => removeDir(dir));

describe('fitErr: a message within the terminal\'s width', () => {
  test.each([
    ['no terminal: as it is, however long', undefined, `backfill-tui: ${'word '.repeat(30)}end\n`, `backfill-tui: ${'word '.repeat(30)}end\n`],
    ['short: as it is', 80, 'backfill-tui: missing needs `expected` in the config (or --expected FILE)\n', 'backfill-tui: missing needs `expected` in the config (or --expected FILE)\n'],
    [
      'long: broken at spaces, hanging two columns in',
      40,
      'backfill-tui: /tmp/x is not a demo directory: it holds files the demo did not write (mine.log)\n',
      'backfill-tui: /tmp/x is not a demo\n  directory: it holds files the demo did\n  not write (mine.log)\n',
    ],
    // Wide characters take two columns each (string-width's measure): 日本語 is six.
    ['wide characters measured as the terminal shows them', 20, 'backfill-tui: 日本語 日本語 日本語 end\n', 'backfill-tui: 日本語\n  日本語 日本語 end\n'],
    ['each line of several on its own', 30, 'short one\na second line that is longer than thirty\n', 'short one\na second line that is longer\n  than thirty\n'],
  ])('%s', async (_what, columns, text, expected) => {
    expect(await fitErr(text, columns)).toBe(expected);
  });
});

/** The built CLI in a terminal of 80 columns (`script`'s pty): its exit code and what the terminal got. */
function inTerminal(args: string[]): Promise<{ code: number | null; out: string }> {
  const cmd = `stty cols 80 rows 24; exec ${[process.execPath, CLI, ...args].map((a) => JSON.stringify(a)).join(' ')}`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out })));
}

const JOB = 'the-player-boxscore-scraper-of-the-nba-stats-platform-night-run';
describe('the CLI\'s messages in an 80-column terminal', () => {
  test.each([
    [
      'a usage error commander finds (an unknown command)',
      ['frobnicate'],
      "error: unknown command 'frobnicate' (commands: status, missing, demo, init, sim, loopback-cloud-run; see backfill-tui --help)",
    ],
    [
      'a usage error of status (--require on a source the job lacks)',
      ['status', '--require', '95', '--source', 'warehouse', '--log', 'bf.log', '--job', JOB],
      `backfill-tui: --require 95 --source warehouse: ${JOB} has no warehouse configured`,
    ],
  ])('%s: wrapped at spaces within 80 columns, exit 2; one line to a pipe', async (_what, args, words) => {
    const { code, out } = await inTerminal(args);
    expect(code).toBe(2);
    const rows = out.split(/\r?\n/).filter((l) => l !== '');
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) expect(row.length, row).toBeLessThanOrEqual(80);
    expect(rows.map((r) => r.trim()).join(' ')).toBe(words);
    const piped = runCli(args, { cwd: dir });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toBe(`${words}\n`);
  });
});
