import { expect, test } from 'vitest';
import { FailedIndex } from '../src/state/failed-index.js';
import { hash64 } from '../src/state/key-ledger.js';

// The failed-keys store's index (a key's 64-bit hash → entry id) against a Map, through adds, replaces and
// deletions in every order: deletion shifts slots back, so a wrong shift loses keys probed past the hole.
test('answers as a Map would through 60,000 random adds, replaces and deletions, growing from its first size', () => {
  const index = new FailedIndex();
  const reference = new Map<string, number>();
  let s = 7;
  const rnd = (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % n;
  };
  const lanes = (n: number) => hash64(`00221${String(n).padStart(5, '0')}`);
  let ids = 0;
  for (let step = 0; step < 60_000; step++) {
    const [h1, h2] = lanes(rnd(20_000));
    if (rnd(3) === 0) {
      expect(index.delete(h1, h2)).toBe(reference.delete(`${h1}:${h2}`));
    } else {
      index.set(h1, h2, ids);
      reference.set(`${h1}:${h2}`, ids++);
    }
    if (step % 997 === 0) {
      for (const [a, b] of [lanes(0), [h1, h2], lanes(rnd(20_000))]) expect(index.get(a, b)).toBe(reference.get(`${a}:${b}`) ?? -1);
    }
  }
  expect(index.size).toBe(reference.size);
  for (let i = 0; i < 20_000; i++) {
    const [h1, h2] = lanes(i);
    expect(index.get(h1, h2)).toBe(reference.get(`${h1}:${h2}`) ?? -1);
  }
});

test('hashes that share one lane, or all the bits that pick a slot, are told apart: each found, each deleted alone', () => {
  const index = new FailedIndex();
  // Same first lane; same second lane; second lanes equal in their low 20 bits (the same home slot at any size here).
  const pairs: [number, number][] = [
    [5, 1 << 20],
    [5, 2 << 20],
    [6, 1 << 20],
    [7, (3 << 20) | 12],
    [7, (4 << 20) | 12],
    [-8, (5 << 20) | 12],
  ];
  pairs.forEach(([h1, h2], id) => index.set(h1, h2, id));
  expect(pairs.map(([h1, h2]) => index.get(h1, h2))).toEqual([0, 1, 2, 3, 4, 5]);
  expect(index.get(5, 3 << 20)).toBe(-1);
  expect(index.delete(5, 1 << 20)).toBe(true);
  expect(index.delete(5, 1 << 20)).toBe(false);
  expect(index.delete(7, (3 << 20) | 12)).toBe(true);
  expect(pairs.map(([h1, h2]) => index.get(h1, h2))).toEqual([-1, 1, 2, -1, 4, 5]);
  expect(index.size).toBe(4);
});
