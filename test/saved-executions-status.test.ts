import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { outcomesDir, saveOutcomes } from '../src/cloud-run/execution-outcomes.js';
import { loadConfig } from '../src/config.js';
import { runCliAsync } from './support/cli.js';
import { startJobRegion, writeCloudRunJobConfig } from './support/cloud-run-job.js';

let dir: string;
let server: LoopbackServer;
let closed = false;
const [K1, K2, K3, K4] = ['2022-01-03', '2022-01-04', '2022-01-05', '2022-01-06'];
const T = Date.UTC(2026, 10, 30, 22, 0);

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-cr-saved-'));
  server = await startJobRegion(dir);
  closed = false;
});
afterEach(async () => {
  if (!closed) await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const fail = (key: string) => ({ key, status: 'failed', error: 'HTTP 500' });

/**
 * Three executions a dashboard kept, none listed by the region now (it was restarted, or is down): A over the four
 * keys (K3, K4 failed); B a retry of K3 and K4 cancelled after K3 (failed), saved before tester Y4's fix with
 * both keys as tried — more than its log's one outcome; C a retry of K4 (failed). K1 and K2 are in storage.
 */
async function savedExecutions(): Promise<void> {
  writeCloudRunJobConfig(dir, server, { keys: [K1, K2, K3, K4], args: ['--keys={keys}'], present: [K1, K2] });
  const { stateDir } = loadConfig({ cwd: dir });
  await saveOutcomes(stateDir, { id: 'bdl-boxscore-backfill-aaaaa', startedAt: T, endedAt: T + 60_000, failed: [fail(K3), fail(K4)], tried: [K1, K2, K3, K4], whole: true, counts: { succeeded: 2, failed: 2, skipped: 0 } });
  // As written before the fix (a1c55f5): the file itself, not through today's outcomesOf.
  mkdirSync(outcomesDir(stateDir), { recursive: true });
  writeFileSync(path.join(outcomesDir(stateDir), 'bdl-boxscore-backfill-bbbbb.json'), `${JSON.stringify({ id: 'bdl-boxscore-backfill-bbbbb', startedAt: T + 120_000, endedAt: T + 150_000, failed: [fail(K3)], tried: [K3, K4], whole: true, counts: { succeeded: 0, failed: 1, skipped: 0 } })}\n`);
  await saveOutcomes(stateDir, { id: 'bdl-boxscore-backfill-ccccc', startedAt: T + 200_000, endedAt: T + 230_000, failed: [fail(K4)], tried: [K4], whole: true, counts: { succeeded: 0, failed: 1, skipped: 0 } });
}

// Tester Y4 residue: after the region was restarted (its executions gone from its listing) status said `failing 0`
// beside the dashboard's `failing 10`; and an old file's inflated `tried` made a never-reached key `2 of 3 missing`.
test('a region that lists none of the saved executions: status and missing count them, and an old file\'s inflated tried proves nothing', async () => {
  await savedExecutions();
  const status = await runCliAsync(['status', '--json'], { cwd: dir });
  const failures = JSON.parse(status.stdout).failures;
  // K4: failed by A and C; B, cancelled before it, never reached it: 2 of 2, persistent (not "2 of 3 missing").
  expect(failures).toMatchObject({ failing: 2, recovered: 0, persistent: 2 });
  const persistent = await runCliAsync(['missing', '--from', 'failures', '--persistent'], { cwd: dir });
  expect(persistent.code).toBe(0);
  expect(persistent.stdout).toBe(`${K3}\n${K4}\n`);
}, 60_000);

// Tester Z3: with the region unreachable, `missing --from failures` printed nothing and exited 0, and `status --json`
// said `failing 0`, though saved executions held the failed keys.
// Tester AD10's addendum: status then counted the saved executions' failures as the whole while missing said the newest
// one's were not known: one answer for both, not known with the reason.
test('a region that does not answer: the newest execution\'s failures are not known to status and missing alike', async () => {
  await savedExecutions();
  await server.close();
  closed = true;
  const status = await runCliAsync(['status', '--json'], { cwd: dir });
  const json = JSON.parse(status.stdout);
  expect(json.failures).toMatchObject({ failing: null, persistent: null, persistentUnknown: 'executions not listed' });
  expect(json.problems.join('\n')).toMatch(/Cloud Run/);
  const missing = await runCliAsync(['missing', '--from', 'failures'], { cwd: dir });
  expect(missing.code).toBe(1);
  expect(missing.stdout).toBe('');
  expect(missing.stderr).toContain("not listed: the newest execution's failing keys are not known; nothing is printed");
}, 60_000);

// Tester AH3: two configs side by side (this job's and one on Cloud Run job mt-job) share `.backfill-tui`; each took
// the other's kept executions and launches for its own (`r`: `Retry 257 failed keys` where the job had failed 5).
test("another job's executions kept in the same state folder are not this job's failures", async () => {
  await savedExecutions();
  const { stateDir } = loadConfig({ cwd: dir });
  // mt-job's: one kept as today's dashboards keep it (naming its job), one from before they did (its id alone).
  const mt = 'projects/nba-props-platform/locations/us-west2/jobs/mt-job';
  await saveOutcomes(stateDir, { id: 'mt-job-ddddd', job: mt, startedAt: T + 300_000, endedAt: T + 360_000, failed: [fail(K1)], tried: [K1, K2], whole: true, counts: { succeeded: 1, failed: 1, skipped: 0 } });
  writeFileSync(path.join(outcomesDir(stateDir), 'mt-job-eeeee.json'), `${JSON.stringify({ id: 'mt-job-eeeee', startedAt: T + 400_000, endedAt: T + 460_000, failed: [fail(K2)], tried: [K2], whole: true, counts: { succeeded: 0, failed: 1, skipped: 0 } })}\n`);
  // And its launch, as its dashboard recorded it.
  writeFileSync(path.join(stateDir, 'runs.jsonl'), `${JSON.stringify({ type: 'launch', id: 'resume-mt', label: 'resume', argv: [`--keys=${K1},${K2}`], cwd: '', keysFile: null, keyCount: 2, pid: null, procStart: null, log: `cloud-run:${mt}/executions/mt-job-eeeee`, startedAt: T + 400_000, execution: `${mt}/executions/mt-job-eeeee` })}\n`);
  const status = await runCliAsync(['status', '--json'], { cwd: dir });
  const json = JSON.parse(status.stdout);
  // As in the first case: K3 and K4 are this job's, failed in every execution of it that tried them.
  expect(json.failures).toMatchObject({ failing: 2, recovered: 0, persistent: 2 });
  expect(json.runs ?? []).not.toContainEqual(expect.objectContaining({ id: 'resume-mt' }));
  const missing = await runCliAsync(['missing', '--from', 'failures'], { cwd: dir });
  expect(missing.stdout).toBe(`${K3}\n${K4}\n`);
}, 60_000);
