import { expect, test } from 'vitest';
import { hashBytes, hashKey, hashView, lanes, lanesOf } from '../src/key-hash.js';
import { ChunkBytes } from '../src/parser/bytes.js';
import { isNumbered } from '../src/parser/keyed-lines.js';

// A key read from the log's bytes and the same key as text (an expected-keys list, a line read as text) must be
// one key to the run's key store: the same 64 bits from every way of hashing it.
const of = (f: () => void): [number, number] => {
  f();
  return [lanes.h1, lanes.h2];
};

test('an ASCII key hashes alike as text, as bytes and through a DataView, at every length and offset', () => {
  let s = 11;
  const rnd = (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % n;
  };
  for (let n = 0; n <= 40; n++) {
    for (let round = 0; round < 20; round++) {
      let key = '';
      for (let i = 0; i < n; i++) key += String.fromCharCode(33 + rnd(94));
      const at = rnd(5);
      const b = Buffer.from(`${'#'.repeat(at)}${key} tail`, 'latin1');
      const dv = new DataView(b.buffer, b.byteOffset, b.length);
      const text = of(() => hashKey(key));
      expect(of(() => hashBytes(b, at, at + n)), key).toEqual(text);
      expect(of(() => hashView(dv, b, at, at + n)), key).toEqual(text);
      // The parser's general path (the token up to a space, its colon left out) gives the same key.
      const c = new ChunkBytes(Buffer.from(`${key}: x`, 'latin1'), []);
      if (n > 0 && !key.includes(' ') && !key.endsWith(':')) {
        expect(c.keyRange(0, c.b.length, true), key).toBe(true);
        // A numbered key comes unhashed (0:0); the fold makes its hash from its bytes (lanesOf).
        const numbered = /^\d{1,15}$/.test(key);
        expect([lanes.h1, lanes.h2], key).toEqual(numbered ? [0, 0] : text);
        expect(of(() => lanesOf(c.b, 0, n, numbered ? 0 : text[0], numbered ? 0 : text[1])), key).toEqual(text);
      }
    }
  }
});

test('keys that pack into the same words are still different keys; other keys hash by character', () => {
  const h = (k: string) => of(() => hashKey(k)).join(':');
  // A shorter key is not the longer one with zero bytes: the length is hashed too.
  expect(h('ab')).not.toBe(h('ab\u0000'));
  expect(h('')).not.toBe(h('\u0000'));
  expect(h('abcd')).not.toBe(h('abcd\u0000\u0000\u0000\u0000'));
  // Characters past ASCII are never packed four to a word (they would overlap).
  expect(h('\u0100')).not.toBe(h('\u0000\u0001'));
  expect(h('é1')).toBe(h('é1'));
  const distinct = new Set<string>();
  for (let i = 0; i < 100_000; i++) distinct.add(h(String(22100000 + i).padStart(10, '0')));
  expect(distinct.size).toBe(100_000);
});

test('a numbered key (1 to 15 digits) is told apart from every other key, four bytes at a time', () => {
  // Every printable byte at every place of keys of 1 to 17 bytes, the rest digits: only digits throughout, and
  // no more than 15 of them, make a numbered key (the word test must not let a byte just below '0' or above '9' by).
  for (let n = 1; n <= 17; n++) {
    for (let at = 0; at < n; at++) {
      for (let x = 33; x < 127; x++) {
        // Non-digits around the key: a test that read past its bytes would see them.
        const bytes = Buffer.alloc(n + 5, 0x78);
        bytes.fill(0x35, 1, 1 + n);
        bytes[at + 1] = x;
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
        const key = bytes.toString('latin1', 1, 1 + n);
        expect(isNumbered(dv, bytes, 1, 1 + n), key).toBe(/^\d{1,15}$/.test(key));
      }
    }
  }
});
