import { setFlagsFromString } from 'node:v8';
import { expect, test } from 'vitest';
import { compileGrammar, LogClock, parseChunk } from '../src/parser/index.js';
import { applyLines } from '../src/state/apply-lines.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import type { AppEvent } from '../src/state/events.js';
import { reduce } from '../src/state/reducer.js';

// A file of its own: applyLines' optimized code depends on the type feedback of this file's calls alone.
test("applyLines keeps its optimized code whatever hidden class the log state has (the reducer hands it the runs in an object of their own)", () => {
  // V8's own answers, with the natives syntax allowed only while these probes are compiled.
  setFlagsFromString('--allow-natives-syntax');
  const prepare = new Function('f', '%PrepareFunctionForOptimization(f)') as (f: unknown) => void;
  const optimizeOnNextCall = new Function('f', '%OptimizeFunctionOnNextCall(f)') as (f: unknown) => void;
  const status = new Function('f', 'return %GetOptimizationStatus(f)') as (f: unknown) => number;
  const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: unknown, b: unknown) => boolean;
  setFlagsFromString('--no-allow-natives-syntax');
  const TURBOFANNED = 1 << 6; // V8 11.3's OptimizationStatus::kTurboFanned
  const turbofanned = () => (status(applyLines) & TURBOFANNED) !== 0;

  // One run of game-id keys as a long read meets it (bench/one-run.js's shape): batches of 100 outcomes, 15 % failed,
  // a Progress line every 50; each batch as the parse worker or the follower hands it over, then its progress.
  const grammar = compileGrammar(undefined, 'UTC');
  const clock = new LogClock('UTC');
  let at = Date.UTC(2025, 10, 26, 8);
  let keys = 0;
  const stamp = () => new Date((at += 137)).toISOString().replace('T', ' ').replace('.', ',').slice(0, 23);
  const batch = (): AppEvent => {
    const lines: string[] = [];
    if (keys === 0) lines.push(`${stamp()} - INFO - NBA.com Team Boxscore Scraper Backfill (v2) initialized`, `${stamp()} - INFO - Loaded 100000 games from game_ids_to_scrape.csv`);
    for (let i = 0; i < 100; i++, keys++) {
      const id = String(22100000 + keys).padStart(10, '0');
      if (keys % 20 === 3) lines.push(`${stamp()} - WARNING -   ❌ Failed ${id}: HTTP 500`);
      else if (keys % 20 === 11) lines.push(`${stamp()} - WARNING -   ❌ Timeout scraping ${id}`);
      else lines.push(`${stamp()} - INFO -   ✅ Scraped ${id} (2021-10-19)`);
      if (keys % 50 === 49) lines.push(`${stamp()} - INFO - 📊 Progress: ${keys + 1}/100000 (0.1%) | ✅ 0 | ⏭️ 0 | ❌ 0 | ETA: 5min`);
    }
    return { type: 'log/batch', batch: parseChunk(Buffer.from(`${lines.join('\n')}\n`), grammar, 0, clock, true) };
  };
  let state: AppState = initialState({ job: 'backfill', log: '/var/log/backfill.log', now: Date.UTC(2025, 10, 27), targets: [95, 98, 100] });
  let bytes = 0;
  const dispatch = (e: AppEvent) => void (state = reduce(state, e));
  const readOn = (batches: number) => {
    for (let i = 0; i < batches; i++) {
      dispatch(batch());
      dispatch({ type: 'log/progress', bytesRead: (bytes += 7_300), size: 80_000_000, historyDone: false });
    }
  };

  prepare(applyLines);
  readOn(12);
  optimizeOnNextCall(applyLines);
  readOn(1);
  expect(turbofanned()).toBe(true);
  // The log state takes other hidden classes as it goes: here by what a followed log's events add to it (the file's
  // write time, a gap's span, a line too long, a guessed zone), in a long read by V8 itself generalizing its fields
  // between the spreads of progress and batch events (round 15: in 1 of 5 reads at 80 MB, applyLines' code thrown
  // away partway through).
  const before = state.log;
  dispatch({ type: 'log/written', at: null, modifiedAt: Date.UTC(2025, 10, 27) });
  readOn(2);
  dispatch({ type: 'log/lost', bytes: 4096 });
  readOn(2);
  dispatch({ type: 'log/overlong', bytes: 70_000 });
  dispatch({ type: 'log/zone-guess', guess: null });
  readOn(2);
  expect(sameMap(before, state.log)).toBe(false);
  expect(turbofanned()).toBe(true);
  // Everything was folded: 19 batches of 100 keys, 10 % failed.
  expect(state.log.current).toMatchObject({ succeeded: 1710, failed: 190 });
});
