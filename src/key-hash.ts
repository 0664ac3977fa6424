/**
 * A key's 64-bit fingerprint: cyrb53's two 32-bit lanes and mixing (public domain, bryc), kept at 64 bits,
 * fed a word of four characters at a time. The run's key store (state/key-ledger.ts) holds keys as these;
 * the parser hashes the keys it reads from bytes (parser/keyed-lines.ts) with `hashBytes` / `hashView`,
 * which give the same two lanes as `hashKey` on the decoded key for ASCII keys (each byte is its own
 * character), and are only ever called on ASCII bytes. Never written anywhere: only this process compares them.
 * Results go to `lanes.h1` / `lanes.h2` as int32 (no array or object made per key).
 */
export const lanes = { h1: 0, h2: 0 };

/**
 * Keys of 1 to this many decimal digits are numbered keys (game ids, player ids): the run's key store keeps them
 * by their number, not their hash (state/key-ledger.ts), so the parser leaves them unhashed (`unhashed`).
 */
export const NUMBERED_DIGITS = 15;

/**
 * `lanes` 0:0, which keyed columns (parser/keyed-lines.ts) hold for a key whose hash was not made: a reader that
 * needs it makes it from the key's bytes (`lanesOf`). A key whose real hash is 0:0 (a 2^-64 chance) is then
 * only hashed again, to the same lanes.
 */
export function unhashed(): void {
  lanes.h1 = 0;
  lanes.h2 = 0;
}

/** Into `lanes`: the hash `h1:h2` of the ASCII key bytes [start, end), made from them when it is 0:0 (not made: see `unhashed`). */
export function lanesOf(bytes: Uint8Array, start: number, end: number, h1: number, h2: number): void {
  if ((h1 | h2) === 0) {
    hashBytes(bytes, start, end);
    return;
  }
  lanes.h1 = h1;
  lanes.h2 = h2;
}

/** cyrb53's starting lanes and multipliers (int32). */
export const SEED1 = 0xdeadbeef | 0;
export const SEED2 = 0x41c6ce57;
export const MUL1 = -1640531535;
export const MUL2 = 1597334677;

/**
 * The key's two lanes into `lanes`. ASCII keys (every key the parser hashes from bytes) go four characters
 * at a time, as the little-endian words of their bytes (`hashView`), then their length: a quarter of the
 * multiplications of one step per character, in the parse worker's hottest loop. Other keys go a character
 * at a time (never equal to an ASCII key's but by the 2^-64 chance).
 */
export function hashKey(key: string): void {
  const n = key.length;
  let a = SEED1;
  let b = SEED2;
  let i = 0;
  for (; i < n; i++) if (key.charCodeAt(i) >= 0x80) break;
  if (i < n) {
    for (i = 0; i < n; i++) {
      const c = key.charCodeAt(i);
      a = Math.imul(a ^ c, MUL1);
      b = Math.imul(b ^ c, MUL2);
    }
    return finish(a, b);
  }
  for (i = 0; i + 4 <= n; i += 4) {
    const w = key.charCodeAt(i) | (key.charCodeAt(i + 1) << 8) | (key.charCodeAt(i + 2) << 16) | (key.charCodeAt(i + 3) << 24);
    a = Math.imul(a ^ w, MUL1);
    b = Math.imul(b ^ w, MUL2);
  }
  if (i < n) {
    let w = key.charCodeAt(i);
    if (i + 1 < n) w |= key.charCodeAt(i + 1) << 8;
    if (i + 2 < n) w |= key.charCodeAt(i + 2) << 16;
    a = Math.imul(a ^ w, MUL1);
    b = Math.imul(b ^ w, MUL2);
  }
  finish(a ^ n, b ^ n);
}

/** `hashKey` of the ASCII bytes [p, end) of `bytes`, without decoding them. */
export function hashBytes(bytes: Uint8Array, p: number, end: number): void {
  let a = SEED1;
  let b = SEED2;
  let i = p;
  for (; i + 4 <= end; i += 4) {
    const w = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    a = Math.imul(a ^ w, MUL1);
    b = Math.imul(b ^ w, MUL2);
  }
  tail(bytes, i, end, a, b, end - p);
}

/** `hashBytes` through a DataView `dv` of the same bytes `bytes` (four at a time in one load). */
export function hashView(dv: DataView, bytes: Uint8Array, p: number, end: number): void {
  let a = SEED1;
  let b = SEED2;
  let i = p;
  for (; i + 4 <= end; i += 4) {
    const w = dv.getInt32(i, true);
    a = Math.imul(a ^ w, MUL1);
    b = Math.imul(b ^ w, MUL2);
  }
  tail(bytes, i, end, a, b, end - p);
}

/** The last one to three bytes [i, end) as one word, then the length, into `lanes`. */
function tail(bytes: Uint8Array, i: number, end: number, a: number, b: number, n: number): void {
  if (i < end) {
    let w = bytes[i];
    if (i + 1 < end) w |= bytes[i + 1] << 8;
    if (i + 2 < end) w |= bytes[i + 2] << 16;
    a = Math.imul(a ^ w, MUL1);
    b = Math.imul(b ^ w, MUL2);
  }
  finish(a ^ n, b ^ n);
}

/** The lanes `a`, `b` after the last character, mixed into `lanes`. */
export function finish(a: number, b: number): void {
  a = Math.imul(a ^ (a >>> 16), -2048144789);
  a ^= Math.imul(b ^ (b >>> 13), -1028477387);
  b = Math.imul(b ^ (b >>> 16), -2048144789);
  b ^= Math.imul(a ^ (a >>> 13), -1028477387);
  lanes.h1 = a;
  lanes.h2 = b;
}
