import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { startPlatform } from '../src/app/platform-runtime.js';
import { PACE_GRACE_MS } from '../src/app/runtime.js';
import { manualTimers } from './support/manual-timers.js';
import { createSourceHub, IDLE_POLL_MS } from '../src/coverage/source-hub.js';
import { loadRegistry } from '../src/jobs/registry.js';
import { banner, logOf } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';

// Tester U18: the five-job demo idled at ~8.6 % of a core: its config looks at ~22,000 local folders every 5-10 s,
// for rows where nothing could change. Coverage now keeps the configured pace only while it can change in view (a
// run live or just ended, the job's own screen open) and is looked at every IDLE_POLL_MS otherwise.

const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-idle-pace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('coverage is looked at every IDLE_POLL_MS on an idle overview, at the configured 5 s while the job is on screen, its run live, or just ended', async () => {
  mkdirSync(path.join(dir, 'storage', '2024-01-02'), { recursive: true });
  writeFileSync(path.join(dir, 'storage', '2024-01-02', 'a.json'), '{}\n');
  writeFileSync(path.join(dir, 'keys.csv'), '2024-01-02\n2024-01-03\n');
  // Logs there from the start (empty): the run below is appended to a file the follower already follows.
  for (const name of ['a', 'b']) writeFileSync(path.join(dir, `${name}.log`), '');
  // Two jobs (an overview first) and a chain stage on one storage folder: one listing, one poller, whose next look
  // the test reads. The stage keeps the configured pace while any job does.
  const jobs = ['a', 'b'].map((name) => ({ name, log: `${name}.log`, failed: `${name}/failed_dates_*.json`, expected: 'keys.csv', storage: { url: 'storage', pollSeconds: 5 } }));
  const chain = { expected: 'keys.csv', stages: [{ name: 'Phase 1', storage: { url: 'storage', pollSeconds: 5 } }] };
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ jobs, chain }));
  const clock = manualTimers();
  let now = Date.UTC(2025, 10, 26, 8);
  const hub = createSourceHub({ mode: 'live', timers: clock.timers, random: () => 0.5, now: () => now });
  const platform = startPlatform(loadRegistry({ cwd: dir }), { exit: () => undefined, hub, now: () => now });
  const nextLook = async (what: string) => waitFor(() => (clock.delays().length === 1 ? clock.delays()[0] : null), what);
  try {
    // The first look is at once; the overview with nothing running then waits the idle interval.
    await waitFor(() => hub.lists.size === 1 && platform.jobs[0].store.getState().coverage.storage?.keys && platform.chain!.getState().looks.get('Phase 1')?.keys, 'the first look');
    expect(await nextLook('the idle wait')).toBe(IDLE_POLL_MS);
    expect(platform.jobs.map((j) => j.fast())).toEqual([false, false]);

    // Job a's own screen opens: its figures are read there, the next look comes at the configured pace.
    now += 2_000;
    platform.ui.set({ screen: 'job', selected: 'a' });
    expect(platform.jobs.map((j) => j.fast())).toEqual([true, false]);
    // Due 5 s after the last look ended, 2 s ago.
    expect(await nextLook('the on-screen wait')).toBe(3_000);

    // Back on the overview the slower pace starts with the next look (the one already due stays).
    platform.ui.set({ screen: 'overview' });
    now += 3_000;
    clock.fireAll();
    await waitFor(() => (hub.lists.values().next().value ?? 0) >= 2, 'the second look');
    expect(await nextLook('idle again')).toBe(IDLE_POLL_MS);

    // A run of job b writes its log (lines of a moment ago): fast at once, and for PACE_GRACE_MS after it ends.
    const b = platform.jobs[1];
    const start = now - 12_000;
    appendFileSync(path.join(dir, 'b.log'), logOf(start, [...banner(6, 180, 2), ['INFO', '  ✅ Scraped 2024-01-02']]));
    await waitFor(() => b.fast(), 'b fast while its run is live', 60_000);
    expect(await nextLook('the live wait')).toBe(5_000);
    expect(platform.jobs[0].fast()).toBe(false);
    now += 1_000;
    appendFileSync(path.join(dir, 'b.log'), logOf(now - 500, [['INFO', 'BACKFILL COMPLETE']]));
    await waitFor(() => b.store.getState().log.current?.complete, 'the run complete', 60_000);
    b.store.flush(); // its listeners hear the end now, at this clock time
    expect(b.fast()).toBe(true);
    // Anything that makes the runtime look at its pace again (a store change, the screen) after the grace.
    now += PACE_GRACE_MS - 1_000;
    b.setOnScreen(false);
    expect(b.fast()).toBe(true);
    now += 2_000;
    b.setOnScreen(false);
    expect(b.fast()).toBe(false);
  } finally {
    await platform.close();
    hub.close();
  }
}, 150_000);
