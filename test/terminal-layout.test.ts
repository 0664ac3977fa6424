import { removeDir } from './support/remove-dir.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import stringWidth from 'string-width';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CLI } from './support/cli.js';
import { startFakeGcs, type FakeGcs } from './support/fake-gcs-server.js';
import { logOf, banner } from './support/log-text.js';
import { gameDates } from './support/screen-states.js';
import { startTerminal, type Terminal } from './support/tmux.js';

// The real dashboard in a real terminal under stress: a stalled run written by a process it did not
// start, a storage source gone stale with a long 403, failures, help, at 80×24, 120×40 and 60×16.
let dir: string;
let term: Terminal | null = null;
let gcs: FakeGcs | null = null;
let writer: ChildProcess | null = null;
const JOB = 'nbac-player-boxscores-retry-after-rate-limit-with-a-long-name';
const KEYS = gameDates(300);

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-layout-'));
  writeFileSync(path.join(dir, 'expected.txt'), KEYS.join('\n') + '\n');
  const failed = KEYS.slice(200, 230).map((k, i) => ({ game_date: k, status: i % 3 ? 'failed' : 'timeout', error: i % 3 ? 'HTTP 500 Internal Server Error from https://nba-scrapers-abcdefgh-wl.a.run.app/scrape' : 'Timeout after 180s' }));
  writeFileSync(path.join(dir, 'failed_dates_20251126_231710.json'), JSON.stringify({ timestamp: '2025-11-26T23:49:49', total_failed: failed.length, failed_dates: failed }));
  // A run that went quiet 20 minutes ago, its log still held open by a writer this dashboard did not start.
  const start = Date.now() - 25 * 60_000;
  const records = [...banner(6, 180, 300), ...KEYS.slice(0, 150).map((k) => ['INFO', `  ✅ Scraped ${k}`])];
  writeFileSync(path.join(dir, 'backfill.log'), logOf(start, records));
  // Quiet since its newest line: the file was last written then (the dashboard reads the log's clock from it).
  const newest = new Date(start + (records.length - 1) * 1000);
  utimesSync(path.join(dir, 'backfill.log'), newest, newest);
  writer = spawn(process.execPath, ['-e', `require('fs').openSync(${JSON.stringify(path.join(dir, 'backfill.log'))}, 'a'); setInterval(() => {}, 1000)`], { stdio: 'ignore' });
  gcs = await startFakeGcs({ bucket: 'nba-scraped-data', objects: KEYS.slice(0, 150).map((k) => `nba-com/player-boxscores/${k}/a.json`) });
  const config = {
    job: JOB,
    log: 'backfill.log',
    expected: 'expected.txt',
    failed: 'failed_dates_*.json',
    storage: { url: 'gs://nba-scraped-data/nba-com/player-boxscores/', apiEndpoint: gcs.url, projectId: 'nba-props-platform', pollSeconds: 1 },
    keepAwake: false,
  };
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify(config));
});
afterEach(async () => {
  term?.close();
  term = null;
  writer?.kill('SIGKILL');
  await gcs?.close();
  removeDir(dir);
});

/** No row wider than the terminal (tmux joins a wrapped row back, so a wrap shows as too wide), none past its height. */
function fits(rows: string[], cols: number, height: number): boolean {
  return rows.length <= height && rows.every((r) => stringWidth(r) <= cols);
}

describe('the real dashboard in tmux under stress', () => {
  test('stalled (external), storage stale with a long 403, failures and help: every screen fits, header first and keys last', async () => {
    term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir, env: { METADATA_SERVER_DETECTION: 'none', TZ: 'UTC' } });
    const t = term;
    await t.waitScreen((rows) => rows.some((r) => r.startsWith('storage') && r.includes('150/300')), 'a first storage listing');
    gcs!.setFault({ status: 403 });
    const check = async (cols: number, height: number, what: string, ready: (s: string) => boolean) => {
      const rows = await t.waitScreen((r, s) => (ready(s) ? r : null), what);
      expect(fits(rows, cols, height), `${what} at ${cols}×${height}:\n${rows.join('\n')}`).toBe(true);
      expect(rows[0]).toContain(JOB.slice(0, 6));
      return rows;
    };
    const dash = await check(80, 24, 'stalled (external) with stale storage', (s) => s.includes('stalled (external)') && s.includes('stale') && s.includes('403'));
    expect(dash.at(-1)).toContain('q quit');
    expect(dash.some((r) => r.startsWith('Run '))).toBe(true);
    t.keys('?');
    await check(80, 24, 'help', (s) => s.includes('Keys') && s.includes('Quitting never stops'));
    t.keys('Escape', 'f');
    await check(80, 24, 'failures', (s) => s.includes('30 keys'));
    t.chunk('/zzz\r');
    await check(80, 24, 'failures without a match', (s) => s.includes('No failure matches "zzz"'));
    t.keys('d');
    t.resize(120, 40);
    await check(120, 40, 'the dashboard at 120×40', (s) => s.includes('stale') && !s.includes('small terminal'));
    t.resize(60, 16);
    const small = await check(60, 16, 'the dashboard at 60×16', (s) => s.includes('small terminal 60×16'));
    expect(small.some((r) => r.startsWith('Run '))).toBe(true);
    expect(small.some((r) => r.startsWith('storage'))).toBe(true);
  }, 90_000);
});
