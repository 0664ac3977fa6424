import { expect, test } from 'vitest';
import { formatElapsed } from '../src/format.js';
import { currentFigures } from '../src/state/current-figures.js';
import { historyLines } from '../src/state/history-lines.js';
import { runCliAsync, unwrapped } from './support/cli.js';
import { heldRegionEachTest } from './support/cloud-run-job.js';
import { banner } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';

// h67's note on AD12's residue (tester h68): an execution of ours that vanished from the region while it ran, its log
// still in Cloud Logging, had two elapsed figures: the dashboard counted to the region's last look at it running,
// `status` to its last log line; and `h` said `–` for it. One rule on every surface: the latest proof of its life (as
// AD15's for a local run), recorded when the dashboard sees it go.

const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];
const cr = heldRegionEachTest();

test('an execution of ours gone from the region while it runs, its log still read: the dashboard, h and status say one elapsed', async () => {
  // Its task writes its banner and one key, then nothing more until it is stopped: its last line is well before the
  // region's last word on it.
  const { dir, server } = await cr.hold('bt-cr-vanished-', [...banner(1, 30, KEYS.length), ['INFO', `[1/3] Queued ${KEYS[0]}`], ['INFO', `  ✅ Scraped ${KEYS[0]}`]]);
  const { r, id } = await cr.launch({ keys: KEYS, args: ['--keys={keys}'], config: { workers: 1, timeout: 30 }, cloudRun: { logDeadline: 1 } });
  await waitFor(() => (r.store.getState().log.current?.succeeded === 1 && r.store.getState().place?.execution?.state === 'running') || null, 'its key read while it runs', 30_000);
  // The region looked at it running a few seconds after its last line; then it forgets it (a restarted region).
  const lastLine = Math.max(...server.world.entries.map((e) => Date.parse(e.timestamp)));
  await waitFor(() => server.requests.some((q) => q.route === 'execution' && q.at > lastLine + 3000) || null, 'a look at it 3 s after its last line', 30_000);
  server.world.executions.splice(0);
  await waitFor(() => r.store.getState().place?.execution?.unlisted, 'the execution said gone', 30_000);
  const e = r.store.getState().place!.execution!;
  // The header's figure, as the screen writes it.
  const figures = currentFigures(r.store.getState());
  const shown = formatElapsed(figures.startedAt, figures.elapsedMs);
  // The region's last look, not its last line: the latest proof of its life.
  expect(figures.startedAt! + figures.elapsedMs!).toBe(e.completionTime);
  expect(e.completionTime).toBeGreaterThan(lastLine + 3000);
  // status, its log read from Cloud Logging (still there), says the same elapsed.
  const text = unwrapped((await runCliAsync(['status'], { cwd: dir })).stdout);
  expect(text).toContain(`execution end not known · no longer listed by the region · ${id}`);
  expect(text).toMatch(new RegExp(`elapsed ${shown}\\n`));
  const json = JSON.parse((await runCliAsync(['status', '--json'], { cwd: dir })).stdout);
  expect(json.execution).toMatchObject({ id, state: 'unknown', unlisted: 'no longer listed by the region', keptFrom: null });
  expect(formatElapsed(Date.parse(json.run.startedAt), Date.parse(json.run.finishedAt) - Date.parse(json.run.startedAt))).toBe(shown);
  // h's row says it, not `–`.
  const row = await waitFor(() => historyLines(r.store.getState()).map((l) => l.text).find((t) => t.includes('no longer listed by the region')) ?? null, 'its row in h', 20_000);
  expect(row).toMatch(new RegExp(`resume\\s+3 keys ${shown} (✓ 1 ✗ 0 )?· no longer listed by the region`));
}, 90_000);
