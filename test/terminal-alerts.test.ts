import { removeDir } from './support/remove-dir.js';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CLI } from './support/cli.js';
import { banner, logOf } from './support/log-text.js';
import { startTerminal, type Terminal } from './support/tmux.js';
import { waitFor } from './support/wait-for.js';

// The bytes the real dashboard writes to its terminal when a run it watches completes, captured by tmux.
let dir: string;
let term: Terminal | null = null;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-talerts-'));
  const start = Date.now() - 60_000;
  writeFileSync(path.join(dir, 'backfill.log'), logOf(start, [...banner(2, 60, 3), ['INFO', '  ✅ Scraped 2022-01-03'], ['INFO', '  ✅ Scraped 2022-01-04']]));
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'alerts', log: 'backfill.log', keepAwake: false, alerts: { bell: true, desktop: 'osc9' } }));
});
afterEach(() => {
  term?.close();
  term = null;
  removeDir(dir);
});

const SUMMARY = [['INFO', '  ✅ Scraped 2022-01-05'], ['INFO', '='.repeat(70)], ['INFO', 'BACKFILL COMPLETE'], ['INFO', 'Total dates: 3'], ['INFO', '✅ Processed: 3'], ['INFO', '⏭️  Skipped: 0'], ['INFO', '❌ Failed: 0']];

async function completeUnder(args: string[]): Promise<string> {
  const out = path.join(dir, 'terminal-bytes');
  writeFileSync(out, '');
  term = startTerminal([process.execPath, CLI, '--no-color', ...args], { cols: 100, rows: 30, cwd: dir, env: { TZ: 'UTC' } });
  term.pipeTo(out);
  await term.waitScreen((_, s) => s.includes('2/3'), 'the run read');
  appendFileSync(path.join(dir, 'backfill.log'), logOf(Date.now(), SUMMARY));
  await term.waitScreen((_, s) => s.includes('complete'), 'the run complete on screen');
  return out;
}

describe('alerts reach the terminal', () => {
  test('a run completing rings the bell and sends OSC 9 wrapped for tmux passthrough; alerts.jsonl gets the line; h shows it', async () => {
    const out = await completeUnder([]);
    const bytes = await waitFor(() => (readFileSync(out, 'latin1').includes('\x1bPtmux;') ? readFileSync(out, 'utf8') : null), 'the alert bytes');
    expect(bytes).toContain('\x07\x1bPtmux;\x1b\x1b]9;backfill-tui: alerts: run complete: 3 scraped, 0 failed, 0 skipped\x07\x1b\\');
    const file = path.join(dir, '.backfill-tui', 'alerts.jsonl');
    // The file appears before its line is in it: wait for a whole line.
    const line = await waitFor(() => (existsSync(file) && readFileSync(file, 'utf8').endsWith('\n') ? readFileSync(file, 'utf8').trim() : null), 'a line in alerts.jsonl');
    expect(JSON.parse(line)).toMatchObject({ kind: 'completed', job: 'alerts', text: 'alerts: run complete: 3 scraped, 0 failed, 0 skipped' });
    term!.keys('h');
    await term!.waitScreen((_, s) => s.includes('alerts: run complete: 3 scraped'), 'the alert in the history view');
  }, 60_000);

  test('--no-alerts: no bell, no OSC, no alerts.jsonl', async () => {
    const out = await completeUnder(['--no-alerts']);
    term!.keys('h');
    await term!.waitScreen((_, s) => s.includes('Runs in the log'), 'the history view');
    const bytes = readFileSync(out, 'latin1');
    expect(bytes).not.toContain('\x1bPtmux;');
    expect(bytes).not.toContain(']9;');
    expect(existsSync(path.join(dir, '.backfill-tui', 'alerts.jsonl'))).toBe(false);
  }, 60_000);
});
