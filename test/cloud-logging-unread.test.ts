import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { freePort } from '../src/app/demo-cloud-run.js';
import { startLoopbackServer, type LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { runCliAsync } from './support/cli.js';
import { removeDir } from './support/remove-dir.js';

// Tester AD10: with Cloud Logging refused, an ended execution that had failed keys read `failing 0`, `missing --from
// failures` printed nothing and exited 0, and status exited 0: a script's `missing … > retry.csv || exit` got an
// empty list and success. With the region down too, status still counted the kept executions' failures as the whole.
const PROJECT = 'nba-props-platform';
const REGION = 'us-west2';
const JOB = 'bdl-boxscore-backfill';
const LINES = [
  '2025-11-26 23:00:00,000 - INFO - Loaded 3 dates from /tmp/dates.txt',
  '2025-11-26 23:00:01,000 - INFO -   ✅ Scraped 2022-01-03',
  '2025-11-26 23:00:02,000 - WARNING -   ❌ Failed 2022-04-17: HTTP 500',
  '2025-11-26 23:00:03,000 - WARNING -   ❌ Timeout 2022-04-18',
];
let dir: string;
let server: LoopbackServer;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-log-unread-'));
  server = await startLoopbackServer({
    project: PROJECT,
    region: REGION,
    jobs: [{ name: JOB, timeoutSeconds: 3600 }],
    runTask: async (ctx) => {
      for (const l of LINES) ctx.log(l);
      return 0;
    },
  });
  await server.world.run(server.world.opts.jobs[0]).done;
});
afterEach(async () => {
  await server.close();
  removeDir(dir);
});

function config(endpoints: { api: string; logging: string }) {
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'bdl-boxscores', cloudRun: { project: PROJECT, region: REGION, job: JOB, args: ['--dates={keys}'], apiEndpoint: endpoints.api, loggingEndpoint: endpoints.logging } }));
}

test('the execution\'s log not read (Cloud Logging refused): failures not known in status, --json and missing, exit 1', async () => {
  // Read, the log says 2 failing: the figure the refused read must never replace by 0.
  config({ api: server.url, logging: server.url });
  expect(JSON.parse((await runCliAsync(['status', '--json', '--timeout', '10'], { cwd: dir })).stdout).failures).toMatchObject({ failing: 2, persistentUnknown: 'no storage configured' });

  config({ api: server.url, logging: `http://127.0.0.1:${await freePort()}` });
  const json = await runCliAsync(['status', '--json', '--timeout', '10'], { cwd: dir });
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout).failures).toMatchObject({ failing: null, recovered: null, persistent: null, persistentUnknown: 'execution log not read' });
  const text = await runCliAsync(['status', '--timeout', '10'], { cwd: dir });
  expect(text.code).toBe(1);
  expect(text.stdout).toContain("failures  not known: the execution's log could not be read (see problem below)");
  const missing = await runCliAsync(['missing', '--from', 'failures', '--timeout', '10'], { cwd: dir });
  expect([missing.code, missing.stdout]).toEqual([1, '']);
  expect(missing.stderr).toMatch(/the log of execution \S+ could not be read to its end: its failing keys are not known; nothing is printed/);
});

test('the executions not listed (the region down): failures not known in status --json, as missing says', async () => {
  const down = `http://127.0.0.1:${await freePort()}`;
  config({ api: down, logging: down });
  const json = await runCliAsync(['status', '--json', '--timeout', '10'], { cwd: dir });
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout).failures).toMatchObject({ failing: null, persistentUnknown: 'executions not listed' });
  const missing = await runCliAsync(['missing', '--from', 'failures', '--timeout', '10'], { cwd: dir });
  expect([missing.code, missing.stdout]).toEqual([1, '']);
});

test('r and R wait for what the execution failed while its log cannot be read, never "no key has failed"', async () => {
  const { failuresStillReading } = await import('../src/app/when-known.js');
  const { initialState } = await import('../src/state/app-state.js');
  const { initialPlaceState } = await import('../src/state/place-state.js');
  const execution = { id: 'bf-1', name: 'projects/p/locations/r/jobs/j/executions/bf-1', state: 'succeeded' } as never;
  const place = { ...initialPlaceState('Cloud Run job j (r)', 7_200_000), execution, listedAt: 1, logCaughtUp: false, error: 'Cloud Logging: connection refused' };
  const s = initialState({ job: 'j', log: 'cloud-run', now: 0, targets: [95], place });
  expect(failuresStillReading(s)).toBe("the execution's log could not be read, so its failures are not known");
  // Read to its end once: what it failed is known, a later failed read notwithstanding.
  expect(failuresStillReading(initialState({ job: 'j', log: 'cloud-run', now: 0, targets: [95], place: { ...place, logCaughtUp: true } }))).toBeNull();
  expect(failuresStillReading(initialState({ job: 'j', log: 'cloud-run', now: 0, targets: [95], place: { ...place, execution: null, listedAt: null } }))).toBe("the executions could not be listed, so the newest one's failures are not known");
  // Tester AE12: the dashboard that launched the execution (no history to read: done at the launch) said `nothing to
  // retry: no key has failed` after `x` `y` while Cloud Logging was down.
  const launched = initialState({ job: 'j', log: 'cloud-run', now: 0, targets: [95], place });
  expect(failuresStillReading({ ...launched, log: { ...launched.log, historyDone: true } })).toBe("the execution's log could not be read, so its failures are not known");
});

test('the overview says `–` failed for a job whose failures are not known, never 0 (tester AD10\'s nit)', async () => {
  const { overviewRows } = await import('../src/overview/overview-rows.js');
  const { initialState } = await import('../src/state/app-state.js');
  const { initialPlaceState } = await import('../src/state/place-state.js');
  const execution = { id: 'bf-1', name: 'projects/p/locations/r/jobs/j/executions/bf-1', state: 'succeeded' } as never;
  const place = { ...initialPlaceState('Cloud Run job j (r)', 7_200_000), execution, listedAt: 1, logCaughtUp: false, error: 'Cloud Logging: connection refused' };
  const [row] = overviewRows([initialState({ job: 'j', log: 'cloud-run', now: 0, targets: [95], place })]);
  expect(row.failedUnknown).toBe(true);
  const [read] = overviewRows([initialState({ job: 'j', log: 'cloud-run', now: 0, targets: [95], place: { ...place, logCaughtUp: true } })]);
  expect(read.failedUnknown).toBeUndefined();
});
