import { expect, test } from 'vitest';
import { keyForMessage, unsafeKeyProblem } from '../src/key-safety.js';

// Tester V10: a failed entry "2022-04-21" + U+202E (RIGHT-TO-LEFT OVERRIDE) was listed and offered by `r` as if
// clean, went into the keys file, and reversed the row on a terminal that does bidi.
test.each([
  ['a right-to-left override', '2022-04-21\u202e'],
  ['a right-to-left isolate', '\u20672022-04-21'],
  ['a zero-width space', '2022-04\u200b-21'],
  ['a byte order mark', '\ufeff2022-04-21'],
  ['a language tag (outside the BMP)', '2022-04-21\u{e0001}'],
])('a key holding %s is refused, and shown escaped', (_what, key) => {
  expect(unsafeKeyProblem(key)).toBe('holds an invisible format character (a bidi override, a zero-width space...)');
  const shown = keyForMessage(key);
  expect(shown).toMatch(/\\u[0-9a-f{]/);
  expect(shown).not.toMatch(/\p{Cf}/u);
});

test('plain keys, and keys with letters of any script, stay safe', () => {
  for (const key of ['2022-04-21', '0022100001', 'Montréal', '東京-2022', 'שלום']) expect(unsafeKeyProblem(key)).toBeNull();
});

// Tester AC6: a log's key with a byte that is not UTF-8 (`2022-01-0\xff1`) was offered by `r` and written to the keys
// file as `2022-01-0\uFFFD1`, a key its source never had.
test('a key read from bytes that are not UTF-8 is refused', () => {
  const key = Buffer.from([...Buffer.from('2022-01-0'), 0xff, ...Buffer.from('1')]).toString('utf8');
  expect(unsafeKeyProblem(key)).toBe('holds bytes that are not UTF-8 (shown as \uFFFD): not the key its source wrote');
});
