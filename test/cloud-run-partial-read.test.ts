import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { outcomesFile, saveOutcomes } from '../src/cloud-run/execution-outcomes.js';
import { readRuns } from '../src/runner/runs-file.js';
import { failuresUnknown } from '../src/state/failures-known.js';
import { heldRegionEachTest } from './support/cloud-run-job.js';
import { banner } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';

// Tester AG3 (high) and AG2: a dashboard whose Cloud Logging stopped answering part way through an execution gave up on
// its last entries at logDeadline and kept the part it had read as the execution's outcomes `whole` (67 of its 279
// failures), over the file another dashboard had kept whole, and appended an end record whose tallies replaced the whole
// read's; `status`, `missing --from failures` and the persistent keys lost 212 failures for good. Meanwhile its `r`
// offered the keys read as all the failures, where `status` said they were not known, and it never took the kept file.

const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];
const cr = heldRegionEachTest();

test('Cloud Logging failing part way: the part read is never kept whole, never over a whole file, and its tallies never recorded; failures not known meanwhile', async () => {
  // Its task scrapes one key and fails one, waits, then fails the third and says its summary: a succeeded execution.
  const { dir, server, release: finish } = await cr.hold('bt-cr-partial-', [...banner(1, 30, KEYS.length), ['INFO', `  ✅ Scraped ${KEYS[0]}`], ['WARNING', `  ❌ Failed ${KEYS[1]}: HTTP 500`]], (say) => {
    say('WARNING', `  ❌ Failed ${KEYS[2]}: HTTP 500`);
    for (const text of ['BACKFILL COMPLETE', '  ✅ Processed: 1', '  ❌ Failed: 2']) say('INFO', text);
  });
  const { r, exec, id } = await cr.launch({ keys: KEYS, args: ['--keys={keys}'], config: { workers: 1, timeout: 30 }, cloudRun: { logDeadline: 2 } });
  await waitFor(() => r.store.getState().log.current?.failed === 1 || null, 'its first two keys read', 30_000);
  // Cloud Logging stops answering; the execution then fails its third key and succeeds.
  server.setFault({ route: 'entries', status: 503, times: 1_000_000 });
  await waitFor(() => r.store.getState().place?.error?.startsWith('Cloud Logging') || null, 'a failed read said', 30_000);
  // What it failed is not known while its log cannot be read to its end, as status says (AG2).
  expect(failuresUnknown(r.store.getState())).toBe('execution log not read');
  finish();
  await waitFor(() => r.store.getState().place?.execution?.state === 'succeeded' || null, 'the execution succeeded', 30_000);
  // Another dashboard read its log whole and kept it: 2 failures.
  const whole = { id, startedAt: exec.createTime, endedAt: Date.now(), failed: [KEYS[1], KEYS[2]].map((key) => ({ key, status: 'failed', error: 'HTTP 500' })), tried: KEYS, whole: true, counts: { succeeded: 1, failed: 2, skipped: 0 }, complete: true };
  await saveOutcomes(path.join(dir, '.backfill-tui'), whole);
  const file = outcomesFile(path.join(dir, '.backfill-tui'), id);
  const before = readFileSync(file, 'utf8');
  // Its last entries given up on, the outcomes kept whole stand for it on this dashboard too, as status takes them.
  await waitFor(() => r.store.getState().log.current?.keptFrom || null, 'the kept outcomes standing for it', 30_000);
  const s = r.store.getState();
  expect(s.log.current).toMatchObject({ succeeded: 1, failed: 2 });
  expect(s.place?.logIncomplete).toBeNull();
  expect(failuresUnknown(s)).toBeNull();
  // Closing waits for what it does after giving up (its keep, its end record).
  cr.runtimes.splice(0);
  await r.close();
  expect(readFileSync(file, 'utf8')).toBe(before);
  const rec = (await readRuns(path.join(dir, '.backfill-tui'), null)).find((x) => x.execution === exec.name);
  // Its end with the execution's task counts, never the part read as the log's tallies.
  expect(rec?.end?.counts?.tasksSucceeded).toBe(1);
  expect(rec?.end?.counts?.succeeded).toBeUndefined();
}, 90_000);

test('saveOutcomes never writes over outcomes kept whole', async () => {
  const dir = cr.folder('bt-cr-kept-whole-');
  const o = { id: 'x-1', startedAt: 1, endedAt: 2, failed: [{ key: KEYS[0], status: 'failed' as const, error: 'HTTP 500' }], tried: KEYS, whole: true };
  expect(await saveOutcomes(dir, o)).toBe(true);
  expect(await saveOutcomes(dir, { ...o, failed: [], whole: true })).toBe(false);
  expect(await saveOutcomes(dir, { ...o, failed: [], whole: false })).toBe(false);
  expect(JSON.parse(readFileSync(outcomesFile(dir, 'x-1'), 'utf8')).failed).toHaveLength(1);
  // A part kept before (a log followed no longer) gives way to a whole read.
  expect(await saveOutcomes(dir, { ...o, id: 'x-2', whole: false })).toBe(true);
  expect(await saveOutcomes(dir, { ...o, id: 'x-2', failed: [], whole: true })).toBe(true);
});
