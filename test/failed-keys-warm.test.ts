import { setFlagsFromString } from 'node:v8';
import { expect, test } from 'vitest';
import { FailedStore, warmFailedStore } from '../src/state/failed-keys.js';

// A file of its own: what V8 optimizes addBytes with depends on the type feedback of this file's calls alone.
test("addBytes keeps its optimized code past a run's 4,096th failure once the store was warmed (a new chunk, its first pairs)", () => {
  // V8's own answers, with the natives syntax allowed only while these probes are compiled.
  setFlagsFromString('--allow-natives-syntax');
  const prepare = new Function('f', '%PrepareFunctionForOptimization(f)') as (f: unknown) => void;
  const optimizeOnNextCall = new Function('f', '%OptimizeFunctionOnNextCall(f)') as (f: unknown) => void;
  const status = new Function('f', 'return %GetOptimizationStatus(f)') as (f: unknown) => number;
  setFlagsFromString('--no-allow-natives-syntax');
  const TURBOFANNED = 1 << 6; // V8 11.3's OptimizationStatus::kTurboFanned
  const addBytes = FailedStore.prototype.addBytes;
  const turbofanned = () => (status(addBytes) & TURBOFANNED) !== 0;

  // What parse-worker-client.ts does before a long read's first batch.
  warmFailedStore();
  // A run's failures as the fold lists them: ten-digit game ids, two kinds of error.
  const store = new FailedStore();
  const key = new Uint8Array(10);
  const fail = (n: number) => {
    for (let d = 9, v = 22100000 + n; d >= 0; d--, v = Math.floor(v / 10)) key[d] = 48 + (v % 10);
    const error = n % 5 === 0 ? 'timeout' : 'HTTP 500';
    store.addBytes(0, 0, key, 0, 10, error, error, n, 1);
  };
  prepare(addBytes);
  for (let n = 0; n < 100; n++) fail(n);
  optimizeOnNextCall(addBytes);
  fail(100);
  expect(turbofanned()).toBe(true);
  // Past the first chunk of 4,096: the second chunk and its first pairs are made in the optimized code.
  for (let n = 101; n < 4200; n++) fail(n);
  expect(store.chunks.length).toBe(2);
  expect(turbofanned()).toBe(true);
  expect(store.listed).toBe(4200);
});
