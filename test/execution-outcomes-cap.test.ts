import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { loadOutcomes, OUTCOMES_LIMIT, outcomesDir, saveOutcomes, type ExecutionOutcomes } from '../src/cloud-run/execution-outcomes.js';
import { HISTORY_LIMIT } from '../src/state/apply-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'outcomes-cap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 0, 1);
const JOB = 'projects/p/locations/r/jobs/job';
const outcome = (n: number): ExecutionOutcomes => ({ id: `job-x${String(n).padStart(4, '0')}`, job: JOB, startedAt: T0 + n * 86_400_000, endedAt: T0 + n * 86_400_000 + 3_600_000, failed: [], tried: null, whole: true });

test('executions/ keeps the newest outcomes by start, as many as the runs of a log, and removes only the oldest', async () => {
  expect(OUTCOMES_LIMIT).toBe(HISTORY_LIMIT);
  const limit = 5;
  // Another job's, kept in the same folder (two configs side by side: tester AH3), older than all: never this job's to prune.
  await saveOutcomes(dir, { ...outcome(-1), id: 'other-aaaaa', job: 'projects/p/locations/r/jobs/other' }, limit);
  // Saved out of order (an older execution's log is read after a newer one's): the oldest by start go.
  for (const n of [3, 1, 7, 2, 6, 5, 4]) await saveOutcomes(dir, outcome(n), limit);
  expect(readdirSync(outcomesDir(dir)).sort()).toEqual(['job-x0003.json', 'job-x0004.json', 'job-x0005.json', 'job-x0006.json', 'job-x0007.json', 'other-aaaaa.json']);
  expect((await loadOutcomes(dir, JOB)).map((o) => o.id)).toEqual(['job-x0003', 'job-x0004', 'job-x0005', 'job-x0006', 'job-x0007']);
  // Saving an older one than all kept puts it in and takes it out again: the newest five stay.
  await saveOutcomes(dir, outcome(0), limit);
  expect((await loadOutcomes(dir, JOB)).map((o) => o.id)).toEqual(['job-x0003', 'job-x0004', 'job-x0005', 'job-x0006', 'job-x0007']);
  expect(existsSync(join(outcomesDir(dir), 'other-aaaaa.json'))).toBe(true);
});
