import { expect, test } from 'vitest';
import { FAILED_KEYS_LIMIT, FailedKeys, FailedStore } from '../src/state/failed-keys.js';
import { hash64 } from '../src/state/key-ledger.js';

const key = (i: number) => `00${22100000 + i}`;

/** Lists key(i) from its bytes, as the fold does for a keyed record (its hash made from the text here). */
function addBytes(store: FailedStore, i: number, failure: string, version: number): void {
  const text = key(i);
  const [h1, h2] = hash64(text);
  store.addBytes(h1, h2, Buffer.from(` ${text} `), 1, 1 + text.length, failure, `${failure} for ${text}`, i, version);
}

test(`past ${FAILED_KEYS_LIMIT.toLocaleString('en')} listed failures the oldest go first, in the order they came, whether or not the index was made`, () => {
  const n = FAILED_KEYS_LIMIT + 30_000;
  const stores = [new FailedStore(), new FailedStore()];
  // The second store is asked for a key early on: its index is made then and kept up through every add and eviction.
  let omitted = [0, 0];
  for (let version = 1, i = 0; i < n; version++) {
    for (const [s, store] of stores.entries()) {
      for (let j = i; j < Math.min(n, i + 10_000); j++) addBytes(store, j, j % 2 ? 'HTTP 500' : 'timeout', version);
      omitted[s] += store.evict(version);
    }
    if (version === 2) expect(stores[1].get(key(5))).toEqual({ failure: 'HTTP 500', error: `HTTP 500 for ${key(5)}`, at: 5 });
    i += 10_000;
  }
  for (const [s, store] of stores.entries()) {
    const view = FailedKeys.of(store, n);
    expect(view.size + omitted[s]).toBe(n);
    expect(view.size).toBeLessThanOrEqual(FAILED_KEYS_LIMIT);
    // Whole chunks of the oldest went: what is listed is the newest, oldest first, each with its own failure.
    const listed = [...view];
    const first = n - listed.length;
    expect(listed.map(([k]) => k)).toEqual(Array.from({ length: listed.length }, (_, j) => key(first + j)));
    expect(listed.every(([k, f], j) => f.error === `${f.failure} for ${k}` && f.at === first + j)).toBe(true);
    expect(view.has(key(first - 1))).toBe(false);
    expect(view.get(key(n - 1))).toMatchObject({ failure: (n - 1) % 2 ? 'HTTP 500' : 'timeout' });
    // A listed key that recovers leaves the list; an evicted one is not there to remove.
    expect(store.remove(key(first), n + 1)).toBe(true);
    expect(store.remove(key(first - 1), n + 1)).toBe(false);
    expect(FailedKeys.of(store, n + 1).has(key(first))).toBe(false);
    expect(FailedKeys.of(store, n + 1).size).toBe(listed.length - 1);
    // The older view still shows it.
    expect(view.has(key(first))).toBe(true);
  }
}, 60_000);

test('keys listed as text and as bytes read back as the same keys, and a key listed again keeps only its newest failure', () => {
  const store = new FailedStore();
  addBytes(store, 1, 'HTTP 500', 1);
  store.add('2021-10-19 ünïcode', { failure: 'HTTP 502', error: 'bad gateway', at: 7 }, 1);
  addBytes(store, 2, 'timeout', 1);
  const long = 'k'.repeat(200);
  store.add(long, { failure: 'HTTP 500', error: '', at: 8 }, 1);
  const before = FailedKeys.of(store, 1);
  // Listed again (a later failure of the same key): its first entry dies, its newest is at the end.
  store.add(key(1), { failure: 'HTTP 503', error: 'again', at: 9 }, 2);
  const view = FailedKeys.of(store, 2);
  expect([...view].map(([k, f]) => [k, f.failure])).toEqual([
    ['2021-10-19 ünïcode', 'HTTP 502'],
    [key(2), 'timeout'],
    [long, 'HTTP 500'],
    [key(1), 'HTTP 503'],
  ]);
  expect(before.get(key(1))?.failure).toBe('HTTP 500');
  expect(view.get('2021-10-19 ünïcode')?.error).toBe('bad gateway');
});
