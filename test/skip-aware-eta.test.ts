import { describe, expect, test } from 'vitest';
import { statusJson } from '../src/app/status-json.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { currentFigures, pendingInStorage } from '../src/state/current-figures.js';
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
});
