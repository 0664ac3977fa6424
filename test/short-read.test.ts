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
