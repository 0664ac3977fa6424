import { setFlagsFromString } from 'node:v8';
import { expect, test } from 'vitest';
import { baselineOnly, mayCapTiers } from '../src/app/short-read.js';

// A short log is read with TurboFan switched off (src/app/short-read.ts). V8 says whether its optimiser is on
// for a function through %GetOptimizationStatus (bit 2, "never optimise", when it is off): read here with the
// natives syntax allowed only for this one probe.
setFlagsFromString('--allow-natives-syntax');
const optimizationStatus = new Function('f', 'return %GetOptimizationStatus(f)') as (f: () => unknown) => number;
setFlagsFromString('--no-allow-natives-syntax');
const NEVER_OPTIMIZE = 2;
const optimizerOn = () => (optimizationStatus(() => 0) & NEVER_OPTIMIZE) === 0;

test('TurboFan is off while a short read runs and on again after it, returned or thrown', () => {
  expect(optimizerOn()).toBe(true);
  expect(baselineOnly(() => optimizerOn())).toBe(false);
  expect(optimizerOn()).toBe(true);
  expect(() =>
    baselineOnly(() => {
      throw new Error('a read that fails');
    }),
  ).toThrow('a read that fails');
  expect(optimizerOn()).toBe(true);
  expect(baselineOnly(() => 42)).toBe(42);
});

test('tiers are capped only when Node runs with no flags of its own (one may have switched TurboFan off)', () => {
  expect(mayCapTiers('')).toBe(true);
  expect(mayCapTiers('--jitless')).toBe(false);
  expect(mayCapTiers('--no-opt')).toBe(false);
  expect(mayCapTiers('--max-old-space-size=4096')).toBe(false);
});

// Inside the cap Sparkplug compiles a function as soon as it is warm; outside, V8's default batches them (a warm
// function waits until ~4 KB of bytecode is queued). V8's "baseline" bit of %GetOptimizationStatus is 1 << 15.
const BASELINE = 1 << 15;
/** Calls of `f` until V8 ran it in baseline code (checked every 100), or Infinity past `max`. */
const callsToBaseline = (f: (n: number) => number, max: number): number => {
  for (let i = 1; i <= max; i++) {
    f(i);
    if (i % 100 === 0 && (optimizationStatus(f as () => unknown) & BASELINE) !== 0) return i;
  }
  return Infinity;
};
/** Six functions of their own (new Function: no feedback shared), each warmed alone for up to 1,000 calls. */
const sixWarmed = () => [1, 2, 3, 4, 5, 6].map((k) => callsToBaseline(new Function('n', `return (n * ${k}) % 13;`) as (n: number) => number, 1000));

test('inside the cap each warm function is compiled to baseline code at once; after it, batches again', () => {
  expect(baselineOnly(sixWarmed).every((calls) => calls <= 1000)).toBe(true);
  // Back to V8's default: lone warm functions wait for their batch to fill (far more than 1,000 calls each).
  expect(sixWarmed().some((calls) => calls === Infinity)).toBe(true);
});
