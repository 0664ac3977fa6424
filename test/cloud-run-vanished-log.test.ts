import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { startLoopbackServer } from '../src/cloud-run/loopback/server.js';
import { formatElapsed } from '../src/format.js';
import { overviewRow } from '../src/overview/overview-rows.js';
import { overviewCells } from '../src/overview/overview-text.js';
import { currentFigures } from '../src/state/current-figures.js';
import { placeLines } from '../src/state/place-view.js';
import { runCliAsync, unwrapped } from './support/cli.js';
import { heldRegionEachTest, writeCloudRunJobConfig } from './support/cloud-run-job.js';
import { banner } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';

// Tester AF1: an execution of ours whose region was killed mid-run and started again without it (a region keeps what it
// runs in memory): its entries went with it. The dashboard that had read 21 outcomes said `incomplete`, `log incomplete:
// last entries not yet in Cloud Logging` for 4 minutes (they could never come) and ended it at the region's last look,
// before its last entry read; `status` beside it said `ended`, `elapsed 0:00`, `finishedAt` = its launch instant, and a
// dashboard opened later `ended · 0:00` over `0/342` and `✓ 0` under "run and failures not known".

const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];
const cr = heldRegionEachTest();

test('a region restarted without the running execution: the dashboard keeps what it read, awaits no last entries, and status says its one state and elapsed', async () => {
  // Its task writes its banner and two keys, then nothing until it is stopped.
  const { dir, server } = await cr.hold('bt-cr-lost-log-', [...banner(1, 30, KEYS.length), ['INFO', `[1/3] Queued ${KEYS[0]}`], ['INFO', `  ✅ Scraped ${KEYS[0]}`], ['INFO', `[2/3] Queued ${KEYS[1]}`], ['WARNING', `  ❌ Failed ${KEYS[1]}: HTTP 500`]]);
  // A deadline far off: what ends the wait for its last entries is their loss, never the deadline.
  const { r, id } = await cr.launch({ keys: KEYS, args: ['--keys={keys}'], config: { workers: 1, timeout: 30 }, cloudRun: { logDeadline: 600 } });
  await waitFor(() => (r.store.getState().log.current?.failed === 1 && r.store.getState().place?.execution?.state === 'running') || null, 'its two keys read while it runs', 30_000);
  const lastEntry = Math.max(...server.world.entries.map((e) => Date.parse(e.timestamp)));
  // Every log-incomplete mark from the moment it is shown gone.
  const marks: (string | null)[] = [];
  r.store.subscribe(() => {
    const p = r.store.getState().place;
    if (p?.execution?.unlisted) marks.push(p.logIncomplete);
  });
  // The region restarts keeping nothing of it: neither the execution nor its entries.
  server.world.executions.splice(0);
  server.world.entries.splice(0);
  await waitFor(() => r.store.getState().place?.execution?.unlisted, 'the execution said gone', 30_000);
  const kept = path.join(dir, '.backfill-tui', 'executions', `${id}.json`);
  await waitFor(() => (existsSync(kept) && r.store.getState().place?.logGone) || null, 'what it read kept, its log said gone', 30_000);
  // Never `incomplete`: its last entries are not awaited, they are gone.
  expect(marks.filter((m) => m !== null)).toEqual([]);
  const s = r.store.getState();
  const figures = currentFigures(s);
  expect(figures.status).toBe('ended');
  const e = s.place!.execution!;
  // It ended no earlier than its last entry read (nor than the region's last look at it).
  expect(e.completionTime!).toBeGreaterThanOrEqual(lastEntry);
  expect(figures.startedAt! + figures.elapsedMs!).toBe(e.completionTime);
  const shown = formatElapsed(figures.startedAt, figures.elapsedMs);
  expect(placeLines(s).map((l) => l.text)).toContain('figures from .backfill-tui/executions/ (its log is gone from Cloud Logging)');
  expect(placeLines(s).map((l) => l.text).join('\n')).not.toMatch(/log incomplete/);
  // status beside it: one state, one elapsed, the figures it read.
  const text = unwrapped((await runCliAsync(['status'], { cwd: dir })).stdout);
  expect(text).toContain('bdl-boxscores: ended');
  expect(text).toContain('figures from .backfill-tui/executions/ (its log is gone from Cloud Logging)');
  expect(text).toMatch(new RegExp(`run\\s+2/3\\s+66\\.\\d %\\s+elapsed ${shown}\\n`));
  expect(text).toMatch(/✓ 1 scraped\s+✗ 1 failed/);
}, 90_000);

test('an execution of ours gone with its log and no end recorded: elapsed and counts not known on the dashboard, in status and on the overview, never 0:00 or 0/3', async () => {
  const dir = cr.folder('bt-cr-lost-launch-');
  // A region that lists none of it (restarted), and a runs.jsonl with its launch alone: no dashboard saw it end.
  const server = cr.serve(await startLoopbackServer({ project: 'nba-props-platform', region: 'us-west2', jobs: [{ name: 'bdl-boxscore-backfill', timeoutSeconds: 1800 }], runTask: async () => 0 }));
  writeCloudRunJobConfig(dir, server, { keys: KEYS, args: ['--keys={keys}'], config: { workers: 1, timeout: 30 } });
  const launchedAt = Date.parse('2026-12-01T19:25:10.000Z');
  const name = 'projects/nba-props-platform/locations/us-west2/jobs/bdl-boxscore-backfill/executions/bdl-boxscore-backfill-x7k2p';
  const launch = { type: 'launch', id: 'resume-20261201-192510-abc123', label: 'resume', argv: [`--keys=${KEYS.join(',')}`], cwd: '', keysFile: null, keyCount: 3, workers: 1, timeout: 30, pid: null, procStart: null, log: 'cloud-run:projects/nba-props-platform/locations/us-west2/jobs/bdl-boxscore-backfill', startedAt: launchedAt, storageBefore: 0 };
  mkdirSync(path.join(dir, '.backfill-tui'), { recursive: true });
  writeFileSync(path.join(dir, '.backfill-tui', 'runs.jsonl'), `${JSON.stringify(launch)}\n${JSON.stringify({ ...launch, log: `cloud-run:${name}`, execution: name })}\n`);
  const text = unwrapped((await runCliAsync(['status'], { cwd: dir })).stdout);
  expect(text).toContain('its log has no entries in Cloud Logging (kept 30 days): run and failures not known');
  expect(text).toMatch(/run\s+–\/3\s+elapsed not known\n/);
  expect(text).toMatch(/✓ – scraped\s+✗ – failed\s+↷ – skipped/);
  const json = JSON.parse((await runCliAsync(['status', '--json'], { cwd: dir })).stdout);
  expect(json.run.startedAt).toBe(new Date(launchedAt).toISOString());
  // No end invented at the launch instant.
  expect(json.run.finishedAt).toBeNull();
  expect(json.execution).toMatchObject({ state: 'unknown', completedAt: null, logIncomplete: null });
  // A dashboard opened on it says the same, and so does its overview row.
  const r = cr.dashboard();
  await waitFor(() => (r.store.getState().place?.execution?.unlisted && r.store.getState().place?.logReadAt !== null && r.store.getState().place?.logIncomplete === null) || null, 'its log read by name', 30_000);
  const f = currentFigures(r.store.getState());
  expect(f).toMatchObject({ status: 'ended', elapsedMs: null, countsUnknown: true });
  expect(overviewCells(overviewRow(r.store.getState())).run).toBe('not known');
}, 60_000);
