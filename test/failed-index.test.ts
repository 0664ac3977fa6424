import { expect, test } from 'vitest';
import { FailedIndex, hashOf } from '../src/state/failed-index.js';

// The failed-keys store's index (key → entry id) against a Map, through adds, replaces and deletions
// in every order: deletion shifts slots back, so a wrong shift loses keys that were probed past the hole.
test('answers as a Map would through 60,000 random adds, replaces and deletions, growing from its first size', () => {
  const keys: string[] = [];
  const index = new FailedIndex((id) => keys[id]);
  const reference = new Map<string, number>();
  let s = 7;
  const rnd = (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % n;
  };
  for (let step = 0; step < 60_000; step++) {
    const key = `00221${String(rnd(20_000)).padStart(5, '0')}`;
    if (rnd(3) === 0) {
      expect(index.delete(key)).toBe(reference.delete(key));
    } else {
      keys.push(key);
      index.set(key, keys.length - 1);
      reference.set(key, keys.length - 1);
    }
    if (step % 997 === 0) for (const k of ['0022100000', key, `00221${String(rnd(20_000)).padStart(5, '0')}`]) expect(index.get(k)).toBe(reference.get(k));
  }
  expect(index.size).toBe(reference.size);
  for (let i = 0; i < 20_000; i++) {
    const k = `00221${String(i).padStart(5, '0')}`;
    expect(index.get(k)).toBe(reference.get(k));
  }
});

test('two keys with the same hash are two keys: each found, each deleted alone', () => {
  const seen = new Map<number, string>();
  let pair: [string, string] | null = null;
  for (let i = 0; !pair; i++) {
    const key = `k${i}`;
    const other = seen.get(hashOf(key));
    if (other !== undefined) pair = [other, key];
    seen.set(hashOf(key), key);
  }
  const keys = [...pair, 'x', 'y'];
  const index = new FailedIndex((id) => keys[id]);
  index.set(pair[0], 0);
  index.set(pair[1], 1);
  expect([index.get(pair[0]), index.get(pair[1])]).toEqual([0, 1]);
  expect(index.delete(pair[0])).toBe(true);
  expect([index.get(pair[0]), index.get(pair[1]), index.size]).toEqual([undefined, 1, 1]);
  expect(index.delete(pair[0])).toBe(false);
});
