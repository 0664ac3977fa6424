import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { collectSnapshot } from '../src/app/snapshot.js';
import { statusJson } from '../src/app/status-json.js';
import { statusText } from '../src/app/status-text.js';
import { loadConfig } from '../src/config.js';
import type { WritersScan } from '../src/runner/log-writers.js';
import { currentFigures } from '../src/state/current-figures.js';

// Tester Z11: a copy of a dead run's log whose last line is a whole number of quarter hours before the copy. The copy's
// modification time is now, so the zone guess reads the log in the offset that makes its last line now: the guess
// may be said, but a line's time (read in a guessed zone, or on a clock that is off) never proves a writer. With no
// process writing the file and no write since the look at who writes it, the run is `ended`.
// vitest pins TZ=UTC: this machine's zone is UTC.
const dir = mkdtempSync(join(tmpdir(), 'dead-copy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MIN = 60_000;
const HOUR = 60 * MIN;

/** Nobody writes the log (as /proc says of a copy). */
const noWriter: WritersScan = { external: async () => [], asks: 0, walks: 0, waiting: false };

/** A run killed after 20 keys, its last line at `last` (wall time in this machine's zone, UTC), one line per 2 s. */
function deadRun(last: number): string {
  const wall = (t: number) => new Date(t).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
  const start = last - 40_000;
  const key = (i: number) => new Date(Date.UTC(2021, 9, 19) + i * 86_400_000).toISOString().slice(0, 10);
  const out = [`${wall(start)} - INFO - Starting backfill`, `${wall(start)} - INFO - Loaded 60 dates from k.csv`, `${wall(start)} - INFO - Workers: 2`, `${wall(start)} - INFO - Timeout: 60s`];
  for (let i = 1; i <= 60; i++) out.push(`${wall(start)} - INFO - [${i}/60] Queued ${key(i)}`);
  for (let k = 1; k <= 20; k++) out.push(`${wall(start + k * 2000)} - INFO -   ✅ Scraped ${key(k)}`);
  return `${out.join('\n')}\n`;
}

async function statusOf(name: string, lastLineAgo: number, copiedAt: number, writers: WritersScan = noWriter) {
  const file = join(dir, `${name}.log`);
  writeFileSync(file, deadRun(copiedAt - lastLineAgo));
  utimesSync(file, copiedAt / 1000, copiedAt / 1000);
  const config = join(dir, `${name}.json`);
  writeFileSync(config, JSON.stringify({ job: 'copy', log: `${name}.log`, timeout: 60 }));
  return collectSnapshot(loadConfig({ file: config, cwd: dir }), { now: () => copiedAt + 5_000, writers, sources: false });
}

describe('tester Z11: a dead run\'s log copied now reads ended, whatever zone its times are guessed in', () => {
  // Copied (cp, rsync, a download) 5 s before this test; the look at who writes it comes after the copy. The look is
  // timed by the machine's clock (as the file's modification time it is compared with), so the copy is too.
  const copiedAt = Math.floor(Date.now() / 1000) * 1000 - 5_000;
  test.each([
    // The guess makes the last line 110 s after the copy (within the guess's 2 min), so after the look: the tester's shape.
    ['2 h before, 110 s short', 2 * HOUR - 110_000, 'UTC-02:00'],
    ['exactly 5 h before', 5 * HOUR, 'UTC-05:00'],
    ['3 h ahead (a copy from a machine east of here)', -3 * HOUR - 110_000, 'UTC+03:00'],
    // No zone fits 40 minutes: read on its own clock (clockBehindMs), 40 min ahead of ours.
    ['40 min ahead (a clock set wrong)', -40 * MIN, null],
  ])('last line %s the copy: ended, not running', async (name, ago, zone) => {
    const state = await statusOf(`z11-${ago}`, ago, copiedAt);
    expect(state.log.zoneGuess?.zone ?? null).toBe(zone);
    expect(currentFigures(state).status).toBe('ended');
    expect(statusJson(state).run?.state).toBe('ended');
    expect(statusText(state)).toMatch(/^copy: ended/);
    // Its time is its lines' span, not the clock's.
    expect(currentFigures(state).elapsedMs).toBe(40_000);
    void name;
  });

  test('a process writing it is what makes it running (the guess then reads its times)', async () => {
    const state = await statusOf('z11-writer', 2 * HOUR - MIN, copiedAt, { ...noWriter, external: async () => [424242] });
    expect(currentFigures(state).status).toBe('running');
  });

  test('a write after the look proves a writer the look missed: not ended (not known who)', async () => {
    // The file written a minute after this look (the machine's clock: the look's time is the machine's, as the
    // file's modification time it is compared with).
    const later = Date.now() + MIN;
    const state = await statusOf('z11-after', 2 * HOUR - MIN, later);
    expect(currentFigures(state).status).not.toBe('ended');
  });
});
