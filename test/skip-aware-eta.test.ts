import { describe, expect, test } from 'vitest';
import { statusJson } from '../src/app/status-json.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { currentFigures, pendingInStorage, skipsAhead } from '../src/state/current-figures.js';
import { reduce } from '../src/state/reducer.js';
import { logLine, T0 } from './support/log-text.js';

const grammar = compileGrammar(undefined, 'UTC');
const MIN = 60_000;
const key = (i: number) => `2022-01-${String(i + 1).padStart(2, '0')}`;

/** 30 keys queued at once, the first 12 scraped a minute apart; the run is live at the last one + 1 s. */
function liveRun() {
  const lines = [logLine(T0, 'INFO', 'Workers: 6 | Timeout: 180s')];
  for (let i = 0; i < 30; i++) lines.push(logLine(T0, 'INFO', `[${i + 1}/30] Queued ${key(i)}`));
  for (let i = 0; i < 12; i++) lines.push(logLine(T0 + (i + 1) * MIN, 'INFO', `  ✅ Scraped ${key(i)}`));
  let state = initialState({ job: 'j', log: 'x.log', now: T0 + 12 * MIN + 1000, targets: [95] });
  state = reduce(state, { type: 'log/batch', batch: parseText(lines.join('\n'), grammar) });
  state = reduce(state, { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true });
  return reduce(state, { type: 'process/update', patch: { external: true } });
}

function withStorage(state: ReturnType<typeof liveRun>, keys: string[]) {
  state = reduce(state, { type: 'coverage/configured', source: 'storage', label: 'storage' });
  return reduce(state, { type: 'coverage/result', source: 'storage', result: { keys: new Set(keys), requests: 1, bytesBilled: null, method: 'directory' }, at: state.now });
}

describe('the ETA leaves out keys the script will skip', () => {
  test('without storage: 18 keys at 1/min, about 18 min', () => {
    const f = currentFigures(liveRun());
    expect(f.status).toBe('running');
    expect(f.ratePerMin).toBeCloseTo(1, 6);
    expect(f.etaSeconds).toEqual([972, 1188]);
  });

  test('storage holds 9 of the 18 left (and the 12 done, and keys of no run): 9 keys of work, about 9 min', () => {
    const inStorage = [...Array.from({ length: 12 }, (_, i) => key(i)), ...Array.from({ length: 9 }, (_, i) => key(12 + i * 2)), '2030-01-01'];
    const state = withStorage(liveRun(), inStorage);
    expect(pendingInStorage(state.log.current, state.coverage.storage!.keys)).toBe(9);
    expect(currentFigures(state).etaSeconds).toEqual([486, 594]);
    expect(statusJson(state).run.etaSeconds).toEqual([486, 594]);
    // What is left is still counted as left: only the time changes.
    expect(currentFigures(state).remaining).toBe(18);
  });

  test('every key left already in storage: no work, the ETA is near zero', () => {
    const state = withStorage(liveRun(), Array.from({ length: 30 }, (_, i) => key(i)));
    expect(currentFigures(state).etaSeconds).toEqual([0, 0]);
  });

  test('skips already counted by a Progress line are behind the run, not ahead of it', () => {
    // Storage holds the 12 done and 9 of the 18 left; the script has skipped 5 of those 9 (at DEBUG, so
    // no line per key) and says so in a Progress line: 17 done, 13 left, 4 of them still to be skipped.
    const inStorage = [...Array.from({ length: 12 }, (_, i) => key(i)), ...Array.from({ length: 9 }, (_, i) => key(12 + i * 2))];
    let state = withStorage(liveRun(), inStorage);
    const progress = logLine(T0 + 12 * MIN + 500, 'INFO', '📊 Progress: 17/30 (56.7%) | ✅ 12 | ⏭️ 5 | ❌ 0 | ETA: 3min');
    state = reduce(state, { type: 'log/batch', batch: parseText(progress, grammar) });
    expect(currentFigures(state).remaining).toBe(13);
    expect(skipsAhead(state.log.current, state.coverage.storage!.keys)).toBe(4);
    // 9 keys of work at 1/min.
    expect(currentFigures(state).etaSeconds).toEqual([486, 594]);
  });

  test('skips logged per key (the retry script) are not taken off twice', () => {
    const lines = [logLine(T0, 'INFO', 'Workers: 1 | Timeout: 180s'), logLine(T0, 'INFO', 'Loaded 20 dates from keys.txt')];
    for (let i = 0; i < 20; i++) lines.push(logLine(T0, 'INFO', `[${i + 1}/20] Queued ${key(i)}`));
    let t = T0;
    for (let i = 0; i < 10; i++) {
      lines.push(logLine((t += MIN), 'INFO', `[${i + 1}/20] Processing ${key(i)}`));
      lines.push(logLine(t, 'INFO', i < 3 ? '  ⏭️  Skipped (already in GCS)' : '  ✅ Scraped successfully (attempt 1)'));
    }
    let state = initialState({ job: 'j', log: 'x.log', now: t + 1000, targets: [95] });
    state = reduce(state, { type: 'log/batch', batch: parseText(lines.join('\n'), grammar) });
    state = reduce(state, { type: 'process/update', patch: { external: true } });
    // Storage: the three skipped keys and four keys still ahead of the run.
    state = withStorage(state, [key(0), key(1), key(2), key(10), key(11), key(12), key(13)]);
    expect(state.log.current!.skipped).toBe(3);
    // The three skipped keys are done and have their outcome line: only the four ahead are left to skip.
    expect(skipsAhead(state.log.current, state.coverage.storage!.keys)).toBe(4);
    expect(currentFigures(state).remaining).toBe(10);
  });
});

// Tester W13: `27/300 9.0 %` beside `ETA ~1 s`: the bar and percent leave out the keys the script is skipping (known
// from storage), the ETA counts them. What the ETA knows is said on the job screen and in status.
describe('the keys the script will skip are said beside the bar', () => {
  test('storage holds 9 of the 18 left: `~9 of its keys already in storage` on the job screen and in status; none without storage', async () => {
    const [React, { renderToString }, { stripVTControlCharacters }, { App }, { createStore }, { statusText }] = await Promise.all([import('react'), import('ink'), import('node:util'), import('../components/App.js'), import('../src/store.js'), import('../src/app/status-text.js')]);
    const inStorage = [...Array.from({ length: 12 }, (_, i) => key(i)), ...Array.from({ length: 9 }, (_, i) => key(12 + i * 2))];
    const read = reduce(withStorage(liveRun(), inStorage), { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true });
    const state = { ...read, ui: { ...read.ui, width: 80, height: 24 } };
    const note = '~9 of its keys already in storage: the script skips them';
    const screen = stripVTControlCharacters(renderToString(React.createElement(App, { store: createStore(state, { frameMs: 0 }), onIntent: () => undefined, color: false }), { columns: 80 }));
    expect(screen).toContain(note);
    expect(statusText(state)).toContain(note);
    expect(statusText(liveRun())).not.toContain('already in storage');
  });

  // Tester W13's note on Cloud Run: keys this execution scraped whose entries had not arrived yet (log delay 0:10)
  // were said to be skipped by the script: they are in storage, not yet reported, until the execution ends.
  test('a Cloud Run execution still running: the same keys are `not yet reported in its log`, never "skipped"', async () => {
    const [React, { renderToString }, { stripVTControlCharacters }, { App }, { createStore }, { statusText }, { decodeExecution }, { initialPlaceState }] = await Promise.all([import('react'), import('ink'), import('node:util'), import('../components/App.js'), import('../src/store.js'), import('../src/app/status-text.js'), import('../src/cloud-run/execution.js'), import('../src/state/place-state.js')]);
    const inStorage = [...Array.from({ length: 12 }, (_, i) => key(i)), ...Array.from({ length: 9 }, (_, i) => key(12 + i * 2))];
    const read = reduce(withStorage(liveRun(), inStorage), { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true });
    const execution = decodeExecution({ name: 'projects/p/locations/us-west2/jobs/j/executions/j-ab12c', createTime: new Date(T0).toISOString(), startTime: new Date(T0).toISOString(), taskCount: 1, runningCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_PENDING' }], template: { timeout: '604800s' } });
    const state = { ...read, ui: { ...read.ui, width: 80, height: 24 }, place: { ...initialPlaceState('Cloud Run job j (us-west2)', 7_200_000), execution, ours: true }, process: { ...read.process, external: false } };
    const note = '~9 of its keys in storage, not yet reported in its log (entries arrive late)';
    const screen = stripVTControlCharacters(renderToString(React.createElement(App, { store: createStore(state, { frameMs: 0 }), onIntent: () => undefined, color: false }), { columns: 80 }));
    expect(screen).toContain(note);
    expect(screen).not.toContain('skips them');
    expect(statusText(state)).toContain(note);
    // While Cloud Logging cannot be read they are unreported for that, not for the log's delay (tester AG6 e).
    const unread = { ...state, place: { ...state.place, error: 'Cloud Logging: connection refused at 127.0.0.1:39877: nothing listens there', errorAt: T0 } };
    expect(statusText(unread)).toContain('~9 of its keys in storage, not yet reported in its log (it cannot be read now)');
    expect(statusText(unread)).not.toContain('entries arrive late');
  });
});
