import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { describe, expect, test } from 'vitest';
import { App } from '../components/App.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { currentFigures } from '../src/state/current-figures.js';
import { reduce } from '../src/state/reducer.js';
import { runNotes } from '../src/state/run-notes.js';
import { createStore } from '../src/store.js';
import { banner, logOf, T0 } from './support/log-text.js';
import { gameDates } from './support/screen-states.js';

// Tester Y8's residue: beside a live run of ours (473 keys, 6 workers, timeout 180 s), a second writer's banner
// (`Loaded 200`, 2 workers, timeout 60 s) took over the run panel — its total, settings and ETA — while x offered to
// stop ours. The run stays ours. Tester AA18: the other writer's lines were then mixed into ours, and what came after
// our summary made phantom runs; each run's lines are now its own (the keys each queued tell them apart).
const grammar = compileGrammar();
const KEYS = gameDates(700);
const ours = KEYS.slice(0, 473);
const theirs = KEYS.slice(473, 673);

function batch(at: number, records: string[][]) {
  return { type: 'log/batch' as const, batch: parseText(logOf(at, records), grammar) };
}

/** `[i/N] Queued KEY` for each key, as the script writes them with several workers, up front. */
const queued = (keys: string[]) => keys.map((k, i) => ['INFO', `[${i + 1}/${keys.length}] Queued ${k}`]);

/** Our banner and 40 outcomes, then the other writer's banner and 10 of its outcomes and 10 more of ours. */
function scene(oursLive: boolean): AppState {
  let s = initialState({ job: 'slow', log: '/runs/b.log', now: T0, targets: [95, 98, 100] });
  if (oursLive) s = reduce(s, { type: 'process/update', patch: { runId: 'resume-1', pid: 18_700, attached: true, alive: true } });
  s = reduce(s, batch(T0, [...banner(6, 180, 473), ...queued(ours), ...ours.slice(0, 40).map((k) => ['INFO', `  ✅ Scraped ${k}`])]));
  s = reduce(s, batch(T0 + 600_000, [...banner(2, 60, 200), ...queued(theirs), ...theirs.slice(0, 10).map((k) => ['INFO', `  ✅ Scraped ${k}`]), ...ours.slice(40, 50).map((k) => ['INFO', `  ✅ Scraped ${k}`])]));
  s = reduce(s, { type: 'log/progress', bytesRead: 100, size: 100, historyDone: true });
  s = reduce(s, { type: 'process/update', patch: { external: true, externalPids: [18_755] } });
  return reduce(s, { type: 'clock/tick', now: T0 + 90_000 });
}

describe('a second writer beside our live run (tester Y8)', () => {
  test('the run stays ours: its total and settings, its own lines counted; the other run beside it with its own', () => {
    const s = scene(true);
    const run = s.log.current!;
    expect(run).toMatchObject({ total: 473, workers: 6, timeoutSec: 180, succeeded: 50, foreignStart: true });
    expect(s.log.beside).toMatchObject({ total: 200, workers: 2, timeoutSec: 60, succeeded: 10 });
    expect(s.log.history).toHaveLength(0);
    const f = currentFigures(s);
    expect(f).toMatchObject({ total: 473, done: 50 });
    // 413 keys to go at ~the run's pace: minutes, never `~0 s`.
    expect(f.etaSeconds?.[0]).toBeGreaterThan(60);
  });

  test('the job screen at 80×24: our 473 keys and settings on the run panel, the other run said', () => {
    const store = createStore(scene(true), { frameMs: 0 });
    const screen = stripVTControlCharacters(renderToString(React.createElement(App, { store, onIntent: () => undefined, color: false }), { columns: 80 }));
    expect(screen).toMatch(/50\/473/);
    expect(screen).not.toMatch(/\/200\b/);
    expect(screen).toContain('6 workers');
    expect(screen).toContain('pid 18755, not started here, also writes this log: its run is counted apart');
  });

  test('the other writer not seen (yet): the other run is still said', () => {
    const s = reduce(scene(true), { type: 'process/update', patch: { external: false, externalPids: [] } });
    expect(runNotes(s.log.current, null, [])).toContain('another run started in this log during this one: its run is counted apart');
  });

  test('without a live run of ours (status, a dashboard opened later) the same two runs, each with its own lines', () => {
    const s = scene(false);
    expect(s.log.history).toHaveLength(0);
    // The newer is the one followed; ours, which went on writing after its start, is beside it.
    expect(s.log.current).toMatchObject({ total: 200, workers: 2, timeoutSec: 60, succeeded: 10 });
    expect(s.log.beside).toMatchObject({ total: 473, workers: 6, timeoutSec: 180, succeeded: 50 });
  });
});
