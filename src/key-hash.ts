/**
 * A key's 64-bit fingerprint: cyrb53's two 32-bit lanes (public domain, bryc), kept at 64 bits. The run's
 * key store (state/key-ledger.ts) holds keys as these; the parser hashes the keys it reads from bytes
 * (parser/keyed-lines.ts) with `hashBytes`, which gives the same two lanes as `hashKey` on the decoded
 * key for ASCII keys (each byte is its own character), and is only ever called on ASCII bytes.
 * Results go to `lanes.h1` / `lanes.h2` as int32 (no array or object made per key).
 */
export const lanes = { h1: 0, h2: 0 };

/** cyrb53's starting lanes and per-character multipliers (int32), for a caller that hashes as it scans (parser/bytes.ts). */
export const SEED1 = 0xdeadbeef | 0;
export const SEED2 = 0x41c6ce57;
export const MUL1 = -1640531535;
export const MUL2 = 1597334677;

/** The key's two lanes into `lanes` (the constants are cyrb53's, written as int32 so V8 keeps small integers). */
export function hashKey(key: string): void {
  let a = SEED1;
  let b = SEED2;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, MUL1);
    b = Math.imul(b ^ c, MUL2);
  }
  finish(a, b);
}

/** `hashKey` of the ASCII bytes [p, end) of `bytes`, without decoding them. */
export function hashBytes(bytes: Uint8Array, p: number, end: number): void {
  let a = SEED1;
  let b = SEED2;
  for (let i = p; i < end; i++) {
    const c = bytes[i];
    a = Math.imul(a ^ c, MUL1);
    b = Math.imul(b ^ c, MUL2);
  }
  finish(a, b);
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
