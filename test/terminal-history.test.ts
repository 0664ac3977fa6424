import { removeDir } from './support/remove-dir.js';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import stringWidth from 'string-width';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { CLI } from './support/cli.js';
import { logOf, banner } from './support/log-text.js';
import { startTerminal, type Terminal } from './support/tmux.js';

// Tester F34: 40 complete runs in one log; `h` showed the newest 7, said nothing of the rest, could not
// scroll, and left 12 rows empty at 80×24.
let dir: string;
let term: Terminal | null = null;
const RUNS = 40;
const T = Date.UTC(2025, 10, 5, 12, 22, 0);
const H = 3_600_000;
// Runs of November 2025, a year and more before the clock this runs at: `h` says their year (tester AI10 i).
const stamp = (i: number) => new Date(T + i * 3 * H).toISOString().slice(0, 10);

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-hist-'));
  let log = '';
  for (let i = 0; i < RUNS; i++) {
    const keys = Array.from({ length: 5 }, (_, k) => `2022-0${1 + (i % 9)}-${String(10 + k).padStart(2, '0')}`);
    const records = [
      ...banner(1, 60, 5),
      ...keys.map((k) => ['INFO', `  ✅ Scraped ${k}`]),
      ['INFO', '='.repeat(70)], ['INFO', 'BACKFILL COMPLETE'], ['INFO', 'Total dates: 5'], ['INFO', '✅ Processed: 5'], ['INFO', '⏭️  Skipped: 0'], ['INFO', '❌ Failed: 0'],
    ];
    log += logOf(T + i * 3 * H, records);
  }
  writeFileSync(path.join(dir, 'h.log'), log);
  // A log of runs that ended then: its modification time is a minute into its last run (its lines a second apart), not
  // this test's (a file written a moment ago with year-old lines reads as a writer's clock a year behind, and h says
  // so above its list; hours after its last line reads as a zone that many hours behind).
  const ended = new Date(T + (RUNS - 1) * 3 * H + 60_000);
  utimesSync(path.join(dir, 'h.log'), ended, ended);
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'hist', log: 'h.log', keepAwake: false }));
});
afterEach(() => {
  term?.close();
  term = null;
  removeDir(dir);
});

const POSITION = /^lines (\d+)–(\d+) of (\d+)/;

test('h at 80×24 with 40 runs in the log: every row used, the count and the position said, ↑↓ and PgUp/PgDn scroll to the oldest', async () => {
  term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir, env: { TZ: 'UTC' } });
  const t = term;
  await t.waitScreen((_, s) => s.includes('complete'), 'the log read');
  t.keys('h');
  const first = await t.waitScreen((rows) => (rows.some((r) => POSITION.test(r)) ? rows : null), 'the history, scrolled to its top');
  expect(first.length).toBeLessThanOrEqual(24);
  expect(first.every((r) => stringWidth(r) <= 80)).toBe(true);
  expect(first.at(-1)).toContain('q quit');
  // Newest first, the count said; no empty row between the header and the key bar.
  const heading = first.findIndex((r) => r.startsWith(`Runs in the log: ${RUNS}, newest first`));
  expect(heading).toBeGreaterThan(0);
  expect(first[heading + 1]).toMatch(new RegExp(`^${stamp(RUNS - 1)}\\s+5 keys`));
  expect(first.slice(1, -1).every((r) => r.trim() !== '')).toBe(true);
  expect(first.length).toBe(23);
  const position = first.at(-2)!;
  const [, from, to, total] = POSITION.exec(position)!.map(Number);
  expect([from, total]).toEqual([1, RUNS + 4]);
  expect(position).toContain(`${total - to} more below`);
  const page = to - from + 1;
  // j: one line; PgDn: a page less one line (the line kept for context).
  t.keys('j');
  await t.waitScreen((rows) => rows.at(-2)!.startsWith(`lines 2–${page + 1} of ${total}`), 'one line down');
  t.keys('NPage');
  await t.waitScreen((rows) => rows.at(-2)!.startsWith(`lines ${page + 1}–${2 * page} of ${total}`), 'a page down');
  // To the end: the oldest run is the last line, and nothing more is below.
  t.keys('NPage', 'NPage', 'NPage');
  const end = await t.waitScreen((rows) => (rows.at(-2)!.startsWith(`lines ${total - page + 1}–${total} of ${total}`) ? rows : null), 'the end of the list');
  expect(end.at(-3)).toMatch(new RegExp(`^${stamp(0)}\\s+5 keys`));
  expect(end.at(-2)).not.toContain('more below');
  // Back up: the first key up moves at once (the position never runs past the end).
  t.keys('k');
  await t.waitScreen((rows) => rows.at(-2)!.startsWith(`lines ${total - page}–${total - 1} of ${total}`), 'one line up from the end');
  t.keys('PPage', 'PPage', 'PPage', 'PPage', 'PPage');
  await t.waitScreen((rows) => rows.at(-2)!.startsWith(`lines 1–${page} of ${total}`), 'back at the top');
  // End and Home go all the way in one key (tester U10: they did nothing).
  t.keys('End');
  await t.waitScreen((rows) => rows.at(-2)!.startsWith(`lines ${total - page + 1}–${total} of ${total}`), 'End: the end of the list');
  t.keys('Home');
  await t.waitScreen((rows) => rows.at(-2)!.startsWith(`lines 1–${page} of ${total}`), 'Home: the top');
});
