import { expect, test } from 'vitest';
import { formatElapsed } from '../src/format.js';
import { currentFigures } from '../src/state/current-figures.js';
import { heldRegionEachTest } from './support/cloud-run-job.js';
import { banner } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';

// Tester AG6 i: an execution cancelled by another dashboard (B `x` `y`) went on counting on the watching one (A: `0:16`,
// `0:17`, `0:18`, `0:19`) until A's next look at it, 5 s later, then snapped back to `stopped · 0:15`, B's figure from
// its `y` on. A reads the cancel at once: B's cancel claim beside runs.jsonl wakes A's look at the execution.

const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];
const cr = heldRegionEachTest();

test('a dashboard watching an execution another dashboard cancels sees it cancelled at once, not at its next look', async () => {
  await cr.hold('bt-cr-cancel-seen-', [...banner(1, 30, KEYS.length), ['INFO', `  ✅ Scraped ${KEYS[0]}`]]);
  // A minute between looks at a running execution: only the cancel's own word can make A look sooner.
  const { r: a, id } = await cr.launch({ keys: KEYS, args: ['--keys={keys}'], config: { workers: 1, timeout: 30 }, cloudRun: { pollSeconds: 60 } });
  await waitFor(() => a.store.getState().log.current?.succeeded === 1 || null, 'A reading its key', 30_000);
  const b = cr.dashboard();
  await waitFor(() => (b.store.getState().place?.execution?.id === id && b.store.getState().place?.execution?.state === 'running') || null, 'B on the running execution', 30_000);
  b.controller.onIntent('stop');
  await waitFor(() => b.store.getState().ui.confirm?.kind === 'stop' || null, 'B\'s cancel box', 10_000);
  const askedAt = Date.now();
  b.controller.onIntent('confirm-yes');
  await waitFor(() => b.store.getState().place?.execution?.state === 'cancelled' || null, 'B seeing it cancelled', 20_000);
  await waitFor(() => a.store.getState().place?.execution?.state === 'cancelled' || null, 'A seeing it cancelled', 20_000);
  // Well within A's minute between looks.
  expect(Date.now() - askedAt).toBeLessThan(20_000);
  // One elapsed on both, to its end.
  const fa = currentFigures(a.store.getState());
  const fb = currentFigures(b.store.getState());
  expect(fa.status).toBe('stopped');
  expect(formatElapsed(fa.startedAt, fa.elapsedMs)).toBe(formatElapsed(fb.startedAt, fb.elapsedMs));
}, 90_000);
