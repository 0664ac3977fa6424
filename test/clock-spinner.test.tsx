import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, expect, test, vi } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../components/App.js';
import { spinnerFrame } from '../components/ClockSpinner.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { createStore } from '../src/store.js';
import { banner, logOf, T0 } from './support/log-text.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

// Tester X17: beside a live run waiting on one slow key, an 80 ms spinner timer redrew the whole screen about six
// times a second. The spinner turns with the state's clock (a tick a second): no tick, no frame.
test('a quiet live run draws nothing between clock ticks; each tick turns the spinner one step', async () => {
  vi.useFakeTimers();
  const now = T0 + 60_000;
  const store = createStore(initialState({ job: 'quiet', log: '/x.log', now, targets: [95] }), { frameMs: 0 });
  const records = [...banner(2, 600, 10), ['INFO', '  ✅ Scraped 2022-01-03']];
  store.dispatch({ type: 'log/batch', batch: parseText(logOf(now - 5_000, records), compileGrammar()) });
  store.dispatch({ type: 'log/progress', bytesRead: 1, size: 1, historyDone: true });
  store.dispatch({ type: 'process/update', patch: { external: true, externalPids: [4242], writersChecked: true, writersCheckedAt: now } });
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  await vi.advanceTimersByTimeAsync(100);
  const header = () => stripVTControlCharacters(app.lastFrame() ?? '').split('\n')[0];
  expect(header()).toContain(`quiet ${spinnerFrame(now)} running`);
  const frames = app.frames.length;
  // Three seconds with no event: not one frame more.
  await vi.advanceTimersByTimeAsync(3_000);
  expect(app.frames.length).toBe(frames);
  // The clock's tick: one step on.
  store.dispatch({ type: 'clock/tick', now: now + 1_000 });
  await vi.advanceTimersByTimeAsync(100);
  expect(spinnerFrame(now + 1_000)).not.toBe(spinnerFrame(now));
  expect(header()).toContain(`quiet ${spinnerFrame(now + 1_000)} running`);
});
