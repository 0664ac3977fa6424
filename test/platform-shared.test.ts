import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { startPlatform } from '../src/app/platform-runtime.js';
import { loadRegistry } from '../src/jobs/registry.js';
import { CAN_SEE_WRITERS } from '../src/app/process-info.js';
import { waitFor } from './support/wait-for.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-platform-shared-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.runIf(CAN_SEE_WRITERS)('five jobs share one look at who writes their logs: a walk of /proc serves them all', async () => {
  const names = ['team-boxscores', 'player-boxscores', 'bdl-standings', 'play-by-play', 'espn-boxscores'];
  for (const n of names) {
    mkdirSync(path.join(dir, n));
    writeFileSync(path.join(dir, n, 'backfill.log'), '');
  }
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ jobs: names.map((name) => ({ name, log: `${name}/backfill.log`, failed: `${name}/failed_dates_*.json` })) }));
  const platform = startPlatform(loadRegistry({ cwd: dir }), { exit: () => undefined });
  try {
    // Each job looks twice at start (the snapshot that finds a run to re-attach to, then the first look of its own cadence).
    await waitFor(() => (platform.writers.asks >= 10 && !platform.writers.waiting) || null, 'ten looks asked and walked');
    expect(platform.writers.walks).toBeGreaterThanOrEqual(1);
    // Ten looks, walked as at most three (the two kinds of look land in different windows).
    expect(platform.writers.walks).toBeLessThanOrEqual(3);
  } finally {
    await platform.close();
  }
});
