import { describe, expect, test } from 'vitest';
import { initialState, type AppState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { statusText } from '../src/app/status-text.js';
import { wrap } from '../src/text-width.js';
import { fitStatusLines } from '../src/app/status-text.js';

// Tester AJ5's note: at 33 columns text status wrapped `storage   648/856  75.7 %  95 %:` over `166 more`, the
// target's words apart. Its items go on rows of their own as the width asks, each whole.
const keys = Array.from({ length: 856 }, (_, i) => `k${String(i).padStart(4, '0')}`);

function job(present: number): AppState {
  let s = initialState({ job: 'j', log: '/x/bf.log', now: Date.UTC(2026, 2, 1), targets: [95, 98, 100] });
  s = reduce(s, { type: 'log/progress', bytesRead: 0, size: 0, historyDone: true });
  s = reduce(s, { type: 'expected/loaded', expected: { keys, format: 'id', blank: 0, duplicates: 0, invalid: [], file: '/x/keys.csv' } });
  s = reduce(s, { type: 'coverage/configured', source: 'storage', label: '/x/st' });
  return reduce(s, { type: 'coverage/result', source: 'storage', result: { keys: new Set([...keys.slice(0, present), 'stray']), bytesBilled: null, method: 'directory', requests: 1 }, at: s.now });
}

/** The text as `status` prints it at `width` columns (lines longer than the width wrapped as the command wraps them). */
const shown = (s: AppState, width: number) => fitStatusLines(statusText(s, { width }).trimEnd().split('\n'), width, wrap);

describe('a source line at the width of the terminal', () => {
  test('80 columns: one line', () => {
    expect(shown(job(648), 80).filter((l) => /^storage/.test(l))).toEqual(['storage   648/856  75.7 %  95 %: 166 more  (+1 not expected)']);
  });

  test.each([33, 40])('%i columns: the target on a row of its own, whole', (width) => {
    const lines = shown(job(648), width);
    const at = lines.findIndex((l) => l.startsWith('storage'));
    expect(lines[at]).toBe('storage   648/856  75.7 %');
    expect(lines[at + 1]).toBe('          95 %: 166 more');
    expect(lines.every((l) => [...l].length <= width)).toBe(true);
    expect(lines.some((l) => /%:$/.test(l))).toBe(false);
  });

  test('45 columns: the target beside the figures, the note on the row under them', () => {
    const lines = shown(job(648), 45);
    const at = lines.findIndex((l) => l.startsWith('storage'));
    expect(lines.slice(at, at + 2)).toEqual(['storage   648/856  75.7 %  95 %: 166 more', '          (+1 not expected)']);
  });

  test('a 98 % target: `98 %: 18 more` whole at 33 columns', () => {
    const lines = shown(job(821), 33);
    expect(lines).toContain('          98 %: 18 more');
    expect(lines.some((l) => /%:$/.test(l))).toBe(false);
  });
});
