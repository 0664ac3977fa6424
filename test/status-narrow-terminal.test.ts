import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { CLI, runCli } from './support/cli.js';
import { banner, logOf, T0 } from './support/log-text.js';
import { removeDir } from './support/remove-dir.js';
import { startTerminal, type Terminal } from './support/tmux.js';

let dir: string;
let term: Terminal | null = null;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-narrow-status-'));
  // A finished run that failed keys in three phases of 2021-22 (the tester's AI10 e: its kinds and phases lines).
  const failed = ['2022-02-18', '2022-02-19', '2022-04-12', '2022-04-13', '2022-04-20', '2022-04-21', '2022-05-02'];
  const records: string[][] = [...banner(2, 180, failed.length)];
  for (const d of failed) records.push(['ERROR', `  ❌ Failed ${d}: HTTP 500`]);
  records.push(['INFO', '='.repeat(70)], ['INFO', 'BACKFILL COMPLETE'], ['INFO', `Total dates: ${failed.length}`], ['INFO', '✅ Processed: 0'], ['INFO', '⏭️  Skipped: 0'], ['INFO', `❌ Failed: ${failed.length}`]);
  writeFileSync(path.join(dir, 'bf.log'), logOf(T0, records));
  writeFileSync(path.join(dir, 'keys.txt'), `${failed.join('\n')}\n`);
  mkdirSync(path.join(dir, 'st'));
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'narrow', log: 'bf.log', expected: 'keys.txt', storage: { url: 'st' }, keepAwake: false }));
});
afterEach(() => {
  term?.close();
  term = null;
  removeDir(dir);
});

// Tester AI10 e: in a 40-column pane text `status` was laid out for 50 (its floor), and the terminal broke `↷ 0` /
// `skipped`, `Play` / `offs 15`, `th` / `at tried` mid-word. It is laid out for the terminal's own width; piped, 80.
test('text status in a 40-column terminal fits it, broken only at spaces; piped it is laid out for 80 columns', async () => {
  // The pane outlives the command (a shell waits after it), so its last screen can be read.
  const quoted = [process.execPath, CLI, 'status'].map((a) => `'${a}'`).join(' ');
  term = startTerminal(['sh', '-c', `${quoted}; echo STATUS-END; exec sleep 60`], { cols: 40, rows: 40, cwd: dir, env: { NO_COLOR: '1' } });
  const rows = await term.waitScreen((r) => (r.includes('STATUS-END') ? r : null), 'status to end', 30_000);
  const shown = rows.slice(0, rows.indexOf('STATUS-END'));
  expect(shown.join('\n')).toContain('narrow: complete');
  // capture-pane joins a row the terminal wrapped to the next: such a row is wider than 40.
  for (const r of shown) expect(r.length, r).toBeLessThanOrEqual(40);
  expect(shown.join(' ')).toMatch(/✗ 7 failed/);
  // Broken between items, never inside one (h88 on f2c59ea: `↷ 0` / `skipped`, a row of a lone `·`, a count alone).
  expect(shown.some((r) => r.includes('↷ 0 skipped'))).toBe(true);
  for (const r of shown) expect(r.trim(), r).not.toMatch(/^(·|\d+)$/);

  const piped = runCli(['status'], { cwd: dir, env: { NO_COLOR: '1' } }).stdout.trimEnd().split('\n');
  expect(piped.some((r) => r.length > 40)).toBe(true);
  for (const r of piped) expect(r.length, r).toBeLessThanOrEqual(80);
}, 60_000);
