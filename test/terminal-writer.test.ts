import { removeDir } from './support/remove-dir.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CLI } from './support/cli.js';
import { banner, logOf } from './support/log-text.js';
import { startTerminal, type Terminal } from './support/tmux.js';

// What is shown is current: a writer that exits is seen within 10 s, in a real terminal.
let dir: string;
let term: Terminal | null = null;
let writer: ChildProcess | null = null;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-writer-'));
  // A run quiet for 20 minutes (stalled), its log held open by a process this dashboard did not start.
  const start = Date.now() - 20 * 60_000;
  const records = [...banner(2, 60, 10), ['INFO', '  ✅ Scraped 2022-01-03']];
  writeFileSync(path.join(dir, 'backfill.log'), logOf(start, records));
  // Quiet since its newest line: the file was last written then (the dashboard reads the log's clock from it).
  const newest = new Date(start + (records.length - 1) * 1000);
  utimesSync(path.join(dir, 'backfill.log'), newest, newest);
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'writer', log: 'backfill.log', keepAwake: false, alerts: { bell: false, desktop: false } }));
  writer = spawn(process.execPath, ['-e', `require('fs').openSync(${JSON.stringify(path.join(dir, 'backfill.log'))}, 'a'); console.log('open'); setInterval(() => {}, 1000)`], { stdio: ['ignore', 'pipe', 'ignore'] });
  // The dashboard must find the log held open: on a loaded machine the writer's Node starts after the dashboard
  // looked, and the run read `ended` at once (a full suite under load failed so).
  const w = writer;
  return new Promise<void>((resolve, reject) => {
    w.stdout!.once('data', () => resolve());
    w.once('exit', (code) => reject(new Error(`the writer exited (${code}) before opening the log`)));
  });
});
afterEach(() => {
  term?.close();
  term = null;
  writer?.kill('SIGKILL');
  removeDir(dir);
});

describe('the writer of the log', () => {
  test('stalled (external) becomes ended within 10 s of the writer exiting', async () => {
    term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 100, rows: 30, cwd: dir });
    await term.waitScreen((rows) => rows[0].includes('stalled (external)'), 'stalled (external)', 20_000);
    const exited = new Promise((r) => writer!.once('exit', r));
    writer!.kill('SIGTERM');
    await exited;
    const gone = Date.now();
    await term.waitScreen((rows) => rows[0].includes('ended'), 'ended', 10_000);
    expect(Date.now() - gone).toBeLessThan(10_000);
  }, 60_000);
});
