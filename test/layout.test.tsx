import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import stringWidth from 'string-width';
import { describe, expect, test } from 'vitest';
import { App } from '../components/App.js';
import { createStore } from '../src/store.js';
import { screenStates } from './support/screen-states.js';

/** The frame the dashboard draws for `state`, as text (no color), one string per row. */
function frame(state: Parameters<typeof createStore>[0], width: number): string[] {
  const store = createStore(state, { frameMs: 0 });
  const out = renderToString(<App store={store} onIntent={() => undefined} color={false} />, { columns: width });
  store.close();
  return stripVTControlCharacters(out).split('\n');
}

const SIZES: [number, number][] = [
  [80, 24],
  [100, 30],
  [120, 40],
];

describe.each(SIZES)('every state fits %i×%i', (width, height) => {
  test.each(screenStates(width, height).map((s) => [s.name, s] as const))('%s', (_name, { state }) => {
    const rows = frame(state, width);
    const wide = rows.filter((r) => stringWidth(r) > width);
    expect(wide, `rows wider than ${width}:\n${rows.join('\n')}`).toEqual([]);
    expect(rows.length, `frame taller than ${height}:\n${rows.join('\n')}`).toBeLessThanOrEqual(height);
    // The header is always the first row and the key bar the last, whatever notices or errors there are.
    // The job's name first, cut in the middle where the row is short (its start kept).
    expect(rows[0]).toContain(state.job.slice(0, 4));
    expect(rows.at(-1)).toMatch(/quit|go|keep|cancel/);
    if (state.ui.view === 'dashboard' && !state.ui.help && !state.ui.confirm && state.log.current) expect(rows.some((r) => r.startsWith('Run '))).toBe(true);
  });
});

describe('a small terminal (60×16) shows the essentials and says it is small', () => {
  test.each(screenStates(60, 16).map((s) => [s.name, s] as const))('%s', (_name, { state }) => {
    const rows = frame(state, 60);
    expect(rows.filter((r) => stringWidth(r) > 60), rows.join('\n')).toEqual([]);
    expect(rows.length, rows.join('\n')).toBeLessThanOrEqual(16);
    // The job's name first, cut in the middle where the row is short (its start kept).
    expect(rows[0]).toContain(state.job.slice(0, 4));
    if (!state.ui.filtering) expect(rows.at(-1)).toContain('small terminal 60×16');
    if (state.ui.view === 'dashboard' && !state.ui.help && !state.ui.confirm && state.log.current) {
      // Essentials: the run bar with its counts, and one bar per configured source.
      expect(rows.some((r) => r.startsWith('Run ') && r.includes('50/244'))).toBe(true);
      expect(rows.some((r) => r.includes('scraped'))).toBe(true);
      for (const source of ['storage', 'warehouse'] as const) if (state.coverage[source]) expect(rows.some((r) => r.startsWith(source))).toBe(true);
    }
  });
});
