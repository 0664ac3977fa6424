import { expect, test } from 'vitest';
import { collectSnapshot } from '../src/app/snapshot.js';
import { loadConfig } from '../src/config.js';
import { formatElapsed } from '../src/format.js';
import { currentFigures } from '../src/state/current-figures.js';
import { heldRegionEachTest } from './support/cloud-run-job.js';
import { banner } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';

// h79's note (tester AH8, beside it): an execution that ended by itself kept counting its elapsed time to the next 5 s
// look at the Run API, then snapped back: `running · 1:05`, `1:06`, then `incomplete · 1:04`. Its time is shown to the
// newest look that found it running (or a later line of its log), never on with the clock past an end not yet seen.

const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];
const cr = heldRegionEachTest();

test('an execution that ends by itself: its elapsed on screen never goes back, and ends at its completion', async () => {
  const { dir, release } = await cr.hold('bt-cr-elapsed-end-', [...banner(1, 30, KEYS.length), ['INFO', `  ✅ Scraped ${KEYS[0]}`]], (say) => {
    for (const text of [`  ✅ Scraped ${KEYS[1]}`, `  ✅ Scraped ${KEYS[2]}`, 'BACKFILL COMPLETE', '  ✅ Processed: 3', '  ❌ Failed: 0']) say('INFO', text);
  });
  // Looks 4 s apart: each frame between them would have counted on with the clock.
  const { r, id } = await cr.launch({ keys: KEYS, args: ['--keys={keys}'], config: { workers: 1, timeout: 30 }, cloudRun: { pollSeconds: 4 } });
  const state = () => r.store.getState();
  // Every frame drawn from here on: the elapsed it shows.
  const shown: { at: number; elapsed: string; status: string }[] = [];
  const unsubscribe = r.store.subscribe(() => {
    const f = currentFigures(state());
    shown.push({ at: Date.now(), elapsed: formatElapsed(f.startedAt, f.elapsedMs), status: f.status });
  });
  try {
    await waitFor(() => (state().log.current?.succeeded === 1 && state().place?.execution?.id === id && state().place?.seenRunningAt) || null, 'its first key read, a look that saw it running', 30_000);
    // The clock a look behind now (4 s and a second), never past the newest look that found it running or its newest line.
    const s = await waitFor(() => {
      const now = state();
      return now.now >= (now.place?.seenRunningAt ?? Infinity) + 2_000 ? now : null;
    }, 'the clock 2 s past a look', 20_000);
    const f = currentFigures(s);
    const run = s.log.current!;
    expect(f.status).toBe('running');
    const proof = Math.max(s.place!.seenRunningAt!, s.place!.logNewestAt ?? 0);
    expect(f.startedAt! + f.elapsedMs!).toBe(Math.max(run.lastActivityAt ?? 0, s.place!.logNewestAt ?? 0, Math.min(s.now - 5_000, proof)));
    expect(f.startedAt! + f.elapsedMs!).toBeLessThanOrEqual(Math.max(proof, run.lastActivityAt ?? 0));
    // status by the same rule, its listing the look: a look and a second behind its now (or its newest line).
    const at = state().now;
    const st = await collectSnapshot(loadConfig({ cwd: dir }), { now: () => at, sources: false });
    const sf = currentFigures(st);
    expect(sf.status).toBe('running');
    expect(sf.startedAt! + sf.elapsedMs!).toBe(Math.max(st.log.current!.lastActivityAt ?? 0, st.place!.logNewestAt ?? 0, at - 5_000));

    release();
    await waitFor(() => (state().place?.execution?.state === 'succeeded' && currentFigures(state()).status === 'complete') || null, 'it succeeded, its summary read', 30_000);
    const e = state().place!.execution!;
    const end = currentFigures(state());
    // Its end: the execution's completion (its summary a moment before), never less than what a look proved.
    expect(end.startedAt! + end.elapsedMs!).toBe(Math.max(e.completionTime!, state().place!.seenRunningAt ?? 0, state().log.current!.finishedAt ?? 0));
  } finally {
    unsubscribe();
  }
  // On screen, frame after frame: never a second back.
  const seconds = (t: string) => t.split(':').reduce((a, x) => a * 60 + Number(x), 0);
  const live = shown.filter((x) => x.elapsed !== '–');
  for (let i = 1; i < live.length; i++) expect(seconds(live[i].elapsed), JSON.stringify(live.slice(Math.max(0, i - 3), i + 1))).toBeGreaterThanOrEqual(seconds(live[i - 1].elapsed));
}, 90_000);
