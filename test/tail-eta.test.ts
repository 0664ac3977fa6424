import { describe, expect, test } from 'vitest';
import { statusJson } from '../src/app/status-json.js';
import { statusText } from '../src/app/status-text.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { currentFigures } from '../src/state/current-figures.js';
import { etaText } from '../src/state/run-notes.js';
import { emptyRun } from '../src/state/run.js';
import { runFigures } from '../src/state/run-view.js';
import { reduce } from '../src/state/reducer.js';
import { logLine, T0 } from './support/log-text.js';

// Tester AI1: 60 keys, 4 workers, a 200 s timeout; 59 scraped in 5.9 s, the first key's request takes 150 s. The ETA
// read `~0 s`, then `2–5 s` with that key in flight for 1:35, and `status --json` `etaSeconds: [2, 5]`.
const grammar = compileGrammar(undefined, 'UTC');
const key = (i: number) => `2021-10-${String(19 + Math.floor(i / 4)).padStart(2, '0')}-${i}`;
const LAST = T0 + 5_900;

function slowLastKey(timeout: string | null, total = 60, scraped = 59) {
  const lines = [logLine(T0, 'INFO', `Workers: 4${timeout === null ? '' : ` | Timeout: ${timeout}`}`)];
  for (let i = 0; i < total; i++) lines.push(logLine(T0, 'INFO', `[${i + 1}/${total}] Queued ${key(i)}`));
  for (let i = 1; i <= scraped; i++) lines.push(logLine(LAST - (scraped - i) * 100, 'INFO', `  ✅ Scraped ${key(i)}`));
  let state = initialState({ job: 'j', log: 'x.log', now: LAST, targets: [95] });
  state = reduce(state, { type: 'log/batch', batch: parseText(lines.join('\n'), grammar) });
  state = reduce(state, { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true });
  return reduce(state, { type: 'process/update', patch: { external: true } });
}
const at = (state: ReturnType<typeof slowLastKey>, now: number) => reduce(state, { type: 'clock/tick', now });

describe('the ETA of keys left that are all in flight longer than the rate allowed (tester AI1)', () => {
  test('one key in flight 1:35 of a 200 s timeout: at most the 1:45 left of it, said why, in status and its JSON', () => {
    const state = at(slowLastKey('200s'), LAST + 95_000);
    const f = currentFigures(state);
    expect(f).toMatchObject({ status: 'running', remaining: 1, inFlight: 1, etaSeconds: [0, 105], tail: { inFlight: 1, forMs: 95_000, timeoutMs: 200_000 } });
    expect(etaText(f)).toBe('≤ 2 min (1 key in flight ≥ 1:35 of its 200 s timeout)');
    expect(statusText(state)).toContain('ETA ≤ 2 min (1 key in flight ≥ 1:35 of its 200 s timeout)');
    expect(statusJson(state).run).toMatchObject({ etaSeconds: [0, 105], inFlightForSeconds: 95 });
  });

  test('past its timeout, or with no timeout stated, the ETA is not known, never seconds', () => {
    const past = currentFigures(at(slowLastKey('200s'), LAST + 250_000));
    expect(past.etaSeconds).toBeNull();
    expect(etaText(past)).toBe('not known (1 key in flight ≥ 4:10, past its 200 s timeout)');
    const none = at(slowLastKey(null), LAST + 95_000);
    expect(currentFigures(none).etaSeconds).toBeNull();
    expect(etaText(currentFigures(none))).toBe('not known (1 key in flight ≥ 1:35, no timeout stated)');
    expect(statusJson(none).run).toMatchObject({ etaSeconds: null, inFlightForSeconds: 95 });
  });

  test('the rate\'s ETA stands while it is not yet disproved, and while keys left wait for a worker', () => {
    // 3 keys left, 4 workers, one key a minute: about 3 min from the newest line; 30 s in, that still holds.
    const lines = [logLine(T0, 'INFO', 'Workers: 4 | Timeout: 200s')];
    for (let i = 0; i < 20; i++) lines.push(logLine(T0, 'INFO', `[${i + 1}/20] Queued ${key(i)}`));
    for (let i = 0; i < 17; i++) lines.push(logLine(T0 + (i + 1) * 60_000, 'INFO', `  ✅ Scraped ${key(i)}`));
    let state = initialState({ job: 'j', log: 'x.log', now: T0 + 17 * 60_000, targets: [95] });
    state = reduce(state, { type: 'log/batch', batch: parseText(lines.join('\n'), grammar) });
    state = reduce(state, { type: 'process/update', patch: { external: true } });
    const soon = currentFigures(at(state, T0 + 17 * 60_000 + 30_000));
    expect(soon.tail).toBeUndefined();
    expect(soon.etaSeconds![0]).toBeGreaterThan(30);
    expect(statusJson(at(state, T0 + 17 * 60_000 + 30_000)).run.inFlightForSeconds).toBeNull();
    // 10 keys left for 4 workers: some wait their turn, the rate's ETA holds however long the wait (1:35 here).
    const waiting = currentFigures(at(slowLastKey('200s', 60, 50), LAST + 95_000));
    expect(waiting.tail).toBeUndefined();
    expect(waiting.etaSeconds![1]).toBeGreaterThan(0);
  });
});

test('the job screen\'s run panel says the same words whole at 80 columns', async () => {
  const [{ RunPanel }, React, { renderToString }] = await Promise.all([import('../components/RunPanel.js'), import('react'), import('ink')]);
  const state = at(slowLastKey('200s'), LAST + 95_000);
  const panel = renderToString(React.createElement(RunPanel, { run: state.log.current!, figures: currentFigures(state), width: 80 }), { columns: 80 });
  expect(panel).toContain('ETA ≤ 2 min (1 key in flight ≥ 1:35 of its 200 s timeout)');
});

// h84's pre-check: a Cloud Run execution's two last keys (300 s timeouts) read `ETA 4–5 s` for minutes beside a `log
// delay` growing to 2:16: the rate's window ends at the newest entry read, so the tail never showed. Read late, it is
// judged up to now, and said as what is known: no key seen ending since.
test('a log read late (Cloud Run): the keys left none seen ending for 2:10, bound by their timeout', () => {
  const completions = Array.from({ length: 80 }, (_, i) => T0 + i * 2000);
  const last = completions.at(-1)!;
  const run = { ...emptyRun(), startedAt: T0, lastActivityAt: last, hasActivity: true, total: 82, succeeded: 80, completions, workers: 2, timeoutSec: 300 };
  const cloudRun = { alive: true, tasksRunning: true, readUntil: last, tasks: 1 };
  const soon = runFigures(run, last + 3_000, cloudRun);
  expect(soon.tail).toBeUndefined();
  expect(soon.etaSeconds![1]).toBeGreaterThan(3);
  const f = runFigures(run, last + 130_000, cloudRun);
  expect(f).toMatchObject({ etaSeconds: [0, 170], tail: { inFlight: 2, forMs: 130_000, read: 'late' } });
  expect(etaText(f)).toBe('≤ 3 min (2 keys left, none seen ending for 2:10; 300 s timeout)');
  expect(etaText(runFigures(run, last + 310_000, cloudRun))).toBe('not known (2 keys left, none seen ending for 5:10; past its 300 s timeout)');
});
