import { expect, test } from 'vitest';
import { runUnknown } from '../src/overview/row-problem.js';
import { currentFigures } from '../src/state/current-figures.js';
import { heldRegionEachTest } from './support/cloud-run-job.js';
import { banner } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';

// Tester AF5's glimpse: the region killed under a running execution read `error` (last seen running) as it should; right
// after it answered again, one frame read `⠴ running · 0:56` (the clock since the launch, the spinner back) before the
// execution was said gone: a failed log read had put Cloud Logging's error over the region's, and the next good log read
// cleared it, so nothing said the region had not answered about the execution since.

const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];
const cr = heldRegionEachTest();

test('an execution last seen running stays so while the region does not answer about it, whatever Cloud Logging answers', async () => {
  const { server } = await cr.hold('bt-cr-region-back-', [...banner(1, 30, KEYS.length), ['INFO', `  ✅ Scraped ${KEYS[0]}`]]);
  const { r } = await cr.launch({ keys: KEYS, args: ['--keys={keys}'], config: { workers: 1, timeout: 30 } });
  await waitFor(() => (r.store.getState().log.current?.succeeded === 1 && r.store.getState().place?.execution?.state === 'running') || null, 'its key read while it runs', 30_000);
  // The region and Cloud Logging both stop answering.
  server.setFault({ route: 'any', status: 503, times: 1_000_000 });
  await waitFor(() => runUnknown(r.store.getState()) || null, 'the execution last seen running, not answered about', 30_000);
  // From here on, every state the dashboard takes.
  const seen: { unknown: boolean; status: string }[] = [];
  r.store.subscribe(() => {
    const s = r.store.getState();
    seen.push({ unknown: runUnknown(s), status: currentFigures(s).status });
  });
  const failedReads = () => server.requests.filter((q) => q.route === 'entries').length;
  const before = failedReads();
  await waitFor(() => failedReads() > before || null, 'a log read failing after it', 30_000);
  // Cloud Logging answers again; the region still does not answer about the execution.
  const readAt = r.store.getState().place!.logReadAt!;
  server.setFault({ route: 'execution', status: 503, times: 1_000_000 });
  await waitFor(() => (r.store.getState().place!.logReadAt ?? 0) > readAt || null, 'a good log read', 30_000);
  expect(seen.length).toBeGreaterThan(0);
  // Never a stale `running` (the spinner, the clock since the launch) in between.
  expect(seen.filter((x) => !x.unknown)).toEqual([]);
}, 90_000);
