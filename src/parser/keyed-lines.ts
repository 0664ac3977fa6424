import type { LogLine } from '../log-line.js';
import { hashBytes, lanes } from '../key-hash.js';

/*
 * The outcome lines that name a key (`✅ Scraped KEY`, `❌ Failed KEY: …`, `❌ Timeout scraping KEY`,
 * `⏭️ Skipped KEY`), kept in columns instead of one LogLine object and one key string each: a one-run log
 * of a million keys is a million such lines, and the objects, the strings and their garbage cost more than
 * reading the bytes. Each key travels as its 64-bit hash (key-hash.ts), which is all the run's key store
 * needs; its bytes are kept too (ten bytes a key) for the few outcomes that need the text (a failure to
 * list, a success after a failure). Only ASCII keys up to MAX_KEY_CHARS come here (their bytes are their
 * characters, and they are never cut); any other key is a LogLine as before.
 */

/** The next record is the next of the batch's `lines`. */
export const GENERAL = 0;
export const KEYED_SUCCEEDED = 1;
export const KEYED_FAILED = 2;
export const KEYED_SKIPPED = 3;

/** A batch's records in file order: its LogLines and its keyed outcome lines, interleaved by `order`. */
export class KeyedLines {
  /** Per record in file order: GENERAL (the next of `lines`) or the kind of the next keyed record. */
  order: Uint8Array;
  /** Records in `order`. */
  size = 0;
  /** Keyed records. */
  count = 0;
  /** Per keyed record: its time (epoch ms), its key's hash lanes, and where its key's bytes end in `keyBytes`. */
  at: Float64Array;
  h1: Int32Array;
  h2: Int32Array;
  keyEnd: Int32Array;
  keyBytes: Buffer;
  /** Failure kind and error text of each KEYED_FAILED record, in their order. */
  readonly failures: string[] = [];
  readonly errors: string[] = [];

  /** Room for about `records` records; it grows as needed. */
  constructor(records: number) {
    const n = Math.max(16, records);
    this.order = new Uint8Array(n);
    this.at = new Float64Array(n);
    this.h1 = new Int32Array(n);
    this.h2 = new Int32Array(n);
    this.keyEnd = new Int32Array(n);
    this.keyBytes = Buffer.allocUnsafe(n * 12);
  }

  /** The next record is a LogLine of the batch's `lines`. */
  general(): void {
    if (this.size === this.order.length) this.order = grown(this.order, this.size * 2);
    this.order[this.size++] = GENERAL;
  }

  /** A keyed record of `kind` at `at` whose key is the ASCII bytes b[p, e). Its index among keyed records. */
  keyed(kind: number, at: number, b: Uint8Array, p: number, e: number): number {
    if (this.size === this.order.length) this.order = grown(this.order, this.size * 2);
    this.order[this.size++] = kind;
    const k = this.count++;
    if (k === this.at.length) this.growColumns();
    const start = k === 0 ? 0 : this.keyEnd[k - 1];
    const end = start + e - p;
    if (end > this.keyBytes.length) {
      const more = Buffer.allocUnsafe(Math.max(end, this.keyBytes.length * 2));
      this.keyBytes.copy(more, 0, 0, start);
      this.keyBytes = more;
    }
    const out = this.keyBytes;
    for (let i = p, j = start; i < e; i++, j++) out[j] = b[i];
    this.keyEnd[k] = end;
    this.at[k] = at;
    hashBytes(b, p, e);
    this.h1[k] = lanes.h1;
    this.h2[k] = lanes.h2;
    return k;
  }

  /** Keyed record k's key as text. */
  key(k: number): string {
    const start = k === 0 ? 0 : this.keyEnd[k - 1];
    const end = this.keyEnd[k];
    const b = this.keyBytes;
    // The family's ten-byte keys (dates, game ids) made from their characters: a third of a Buffer decode.
    if (end - start === 10) {
      return String.fromCharCode(b[start], b[start + 1], b[start + 2], b[start + 3], b[start + 4], b[start + 5], b[start + 6], b[start + 7], b[start + 8], b[start + 9]);
    }
    return b.toString('latin1', start, end);
  }

  /**
   * Every record as a LogLine, in file order: `general` (the batch's `lines`) with the keyed records
   * made into the LogLines the general parser gives for them (the same fields, in the same order).
   */
  lines(general: readonly LogLine[]): LogLine[] {
    const out: LogLine[] = [];
    let g = 0;
    let k = 0;
    let f = 0;
    for (let r = 0; r < this.size; r++) {
      const kind = this.order[r];
      if (kind === GENERAL) {
        out.push(general[g++]);
        continue;
      }
      const at = this.at[k];
      const key = this.key(k++);
      if (kind === KEYED_SUCCEEDED) out.push({ kind: 'succeeded', at, key });
      else if (kind === KEYED_SKIPPED) out.push({ kind: 'skipped', at, key });
      else {
        out.push({ kind: 'failed', at, key, failure: this.failures[f], error: this.errors[f] });
        f++;
      }
    }
    return out;
  }

  private growColumns(): void {
    const n = this.at.length * 2;
    this.at = grown(this.at, n);
    this.h1 = grown(this.h1, n);
    this.h2 = grown(this.h2, n);
    this.keyEnd = grown(this.keyEnd, n);
  }
}

function grown<T extends Uint8Array | Int32Array | Float64Array>(a: T, length: number): T {
  // Never called on a Buffer (its constructor is not for this).
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}
