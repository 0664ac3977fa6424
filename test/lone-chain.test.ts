import { removeDir } from './support/remove-dir.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import stringWidth from 'string-width';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { CLI, runCli } from './support/cli.js';
import { banner, logOf } from './support/log-text.js';
import { gameDates } from './support/screen-states.js';
import { HAS_TMUX, startTerminal, type Terminal } from './support/tmux.js';

// Issue 11 leftover: a lone-job config with a `chain` showed its funnel in `status` but not on its dashboard.
let dir: string;
let term: Terminal | null = null;
const KEYS = gameDates(200);

/** `n` of the keys as folders with one non-empty file (the local source's present rule). */
function present(folder: string, n: number) {
  for (const k of KEYS.slice(0, n)) {
    mkdirSync(path.join(dir, folder, k), { recursive: true });
    writeFileSync(path.join(dir, folder, k, 'a.json'), '{}\n');
  }
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-lone-chain-'));
  writeFileSync(path.join(dir, 'keys.txt'), KEYS.join('\n') + '\n');
  present('storage', 180);
  present('raw', 150);
  present('analytics', 120);
  writeFileSync(path.join(dir, 'backfill.log'), logOf(Date.now() - 3 * 3_600_000, [...banner(6, 180, 200), ...KEYS.slice(0, 180).map((k) => ['INFO', `  ✅ Scraped ${k}`]), ['INFO', 'BACKFILL COMPLETE']]));
  const chain = {
    expected: 'keys.txt',
    stages: [
      { name: 'Phase 1', storage: { url: 'storage', pollSeconds: 60 } },
      { name: 'Phase 2', warehouse: { table: 'p.raw.t', column: 'game_date', dir: 'raw', pollSeconds: 60 } },
      { name: 'Phase 3', warehouse: { table: 'p.analytics.t', column: 'game_date', dir: 'analytics', pollSeconds: 60 } },
    ],
  };
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'solo', log: 'backfill.log', expected: 'keys.txt', storage: { url: 'storage', pollSeconds: 60 }, keepAwake: false, chain }));
});
afterEach(() => {
  term?.close();
  term = null;
  removeDir(dir);
});

test.runIf(HAS_TMUX)('a lone job with a chain shows the funnel on its dashboard, as status does, within 80×24', async () => {
  // What `status` says of the chain: the dashboard must say the same figures.
  const status = runCli(['status'], { cwd: dir, env: { TZ: 'UTC' } });
  expect(status.stdout).toMatch(/Phase 3\s+120\/200/);
  term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir, env: { TZ: 'UTC' } });
  const t = term;
  const screen = await t.waitScreen((r, s) => (/Phase 3 .*120\/200/.test(s) && /Phase 2 .*150\/200/.test(s) && /Phase 1 .*180\/200/.test(s) && s.includes('complete') ? r : null), 'the funnel on the dashboard');
  const text = screen.join('\n');
  expect(text).toContain('chain · 200 expected keys');
  expect(text).toMatch(/Phase 1 .*180\/200 · 90\.0 %/);
  expect(text).toMatch(/Phase 2 .*150\/200 · 75\.0 %.*30 lost/);
  expect(text).toMatch(/Phase 3 .*120\/200 · 60\.0 %.*30 lost/);
  expect(screen.length).toBeLessThanOrEqual(24);
  for (const l of screen) expect(stringWidth(l)).toBeLessThanOrEqual(80);
  // The job's own screen: its header first, the keys last; Esc goes nowhere (there is no overview).
  expect(screen[0]).toMatch(/^solo /);
  t.keys('Escape');
  t.keys('q');
  await t.waitScreen(() => t.exited(), 'q to leave');
}, 60_000);
