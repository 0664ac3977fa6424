import type { LogLine } from '../log-line.js';
import { lanes, NUMBERED_DIGITS } from '../key-hash.js';

/*
 * The outcome lines that name a key (`✅ Scraped KEY`, `❌ Failed KEY: …`, `❌ Timeout scraping KEY`,
 * `⏭️ Skipped KEY`), kept in columns instead of one LogLine object and one key string each: a one-run log
 * of a million keys is a million such lines, and the objects, the strings and their garbage cost more than
 * reading the bytes. Each key travels as its 64-bit hash (key-hash.ts), which is all the run's key store
 * needs; its bytes are kept too (ten bytes a key) for the few outcomes that need the text (a failure to
 * list, a success after a failure). Only ASCII keys up to MAX_KEY_CHARS come here (their bytes are their
 * characters, and they are never cut); any other key is a LogLine as before.
 * A numbered key (`isNumbered`: game ids, player ids) travels unhashed, as 0:0 (key-hash.ts `unhashed`): the
 * key store finds it by its number, and only its failures (and a range of numbers too thin for pages) need
 * its hash, which the fold then makes from its bytes (key-hash.ts `lanesOf`). Hashing every key was about a
 * tenth of the parse of a million-key run.
 */

/**
 * Whether the printable ASCII bytes [p, e) (e > p) are 1 to NUMBERED_DIGITS decimal digits, four at a time:
 * for bytes below 0x80, (w - 0x30…) borrows into the top bit of a byte below '0' (and of none when no byte
 * is), (0x39… - w) into that of a byte above '9'.
 */
export function isNumbered(dv: DataView, b: Uint8Array, p: number, e: number): boolean {
  if (e - p > NUMBERED_DIGITS) return false;
  let bad = 0;
  let i = p;
  for (; i + 4 <= e; i += 4) {
    const w = dv.getInt32(i, true);
    bad |= (w - 0x30303030) | (0x39393939 - w);
  }
  for (; i < e; i++) {
    const x = b[i];
    if (x < 48 || x > 57) return false;
  }
  return (bad & 0x80808080) === 0;
}

/** A KeyedLines' data as plain typed arrays and arrays (what crosses between threads). */
export interface KeyedColumns {
  order: Uint8Array;
  size: number;
  count: number;
  at: Float64Array;
  h1: Int32Array;
  h2: Int32Array;
  keyEnd: Int32Array;
  keyBytes: Uint8Array;
  failures: string[];
  errors: string[];
}

/** What `KeyedLines.keyed` reads of the record being parsed (parser/bytes.ts ChunkBytes). */
export interface KeyedSource {
  readonly b: Uint8Array;
  readonly dv: DataView;
  /** Epoch ms of the record. */
  readonly at: number;
  readonly keyStart: number;
  readonly keyStop: number;
}

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
  /** Per keyed record: its time (epoch ms), its key's hash lanes (0:0 when not made), and where its key's bytes end in `keyBytes`. */
  at: Float64Array;
  h1: Int32Array;
  h2: Int32Array;
  keyEnd: Int32Array;
  keyBytes: Buffer;
  /** `keyBytes` as a DataView (hot-run.ts writes ten-byte keys through it). */
  keyView: DataView;
  /** Bytes of `keyBytes` in use (where the next key's bytes go). */
  bytesUsed = 0;
  /** Failure kind and error text of each KEYED_FAILED record, in their order. */
  failures: string[] = stringArray();
  errors: string[] = stringArray();

  /** Columns made elsewhere (another thread's batch: batch-transfer.ts), as they were. */
  static restore(c: KeyedColumns): KeyedLines {
    const k = new KeyedLines(0);
    k.order = c.order;
    k.size = c.size;
    k.count = c.count;
    k.at = c.at;
    k.h1 = c.h1;
    k.h2 = c.h2;
    k.keyEnd = c.keyEnd;
    k.keyBytes = Buffer.from(c.keyBytes.buffer, c.keyBytes.byteOffset, c.keyBytes.byteLength);
    k.keyView = new DataView(c.keyBytes.buffer, c.keyBytes.byteOffset, c.keyBytes.byteLength);
    k.bytesUsed = c.count === 0 ? 0 : c.keyEnd[c.count - 1];
    k.failures = c.failures;
    k.errors = c.errors;
    return k;
  }

  /** Room for about `records` records; it grows as needed. */
  constructor(records: number) {
    const n = Math.max(16, records);
    // Zeroed: the fold reads a batch's first entry without a look at its size (state/apply-lines.ts).
    this.order = shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n);
    this.at = column(Float64Array, n);
    this.h1 = column(Int32Array, n);
    this.h2 = column(Int32Array, n);
    this.keyEnd = column(Int32Array, n);
    this.keyBytes = keyBytes(n * 12);
    this.keyView = new DataView(this.keyBytes.buffer, this.keyBytes.byteOffset, this.keyBytes.length);
  }

  /** The next record is a LogLine of the batch's `lines`. */
  general(): void {
    if (this.size === this.order.length) this.order = grown(this.order, this.size * 2);
    this.order[this.size++] = GENERAL;
  }

  /**
   * A keyed record of `kind`: the record `c` is reading (its time `c.at`), whose key is the ASCII bytes
   * c.b[c.keyStart, c.keyStop) that `c.keyRange` just found and hashed (key-hash.ts `lanes`, 0:0 for a numbered key). Its index
   * among keyed records.
   */
  keyed(kind: number, c: KeyedSource): number {
    if (this.size === this.order.length) this.order = grown(this.order, this.size * 2);
    this.order[this.size++] = kind;
    const k = this.count++;
    if (k === this.at.length) this.growColumns();
    const p = c.keyStart;
    const n = c.keyStop - p;
    const start = this.bytesUsed;
    const end = start + n;
    if (end > this.keyBytes.length) {
      const more = keyBytes(Math.max(end, this.keyBytes.length * 2));
      this.keyBytes.copy(more, 0, 0, start);
      this.keyBytes = more;
      this.keyView = new DataView(more.buffer, more.byteOffset, more.length);
    }
    if (n === 10) {
      // The family's ten-byte keys as three words (a byte loop costs several times more).
      const from = c.dv;
      const to = this.keyView;
      to.setInt32(start, from.getInt32(p, true), true);
      to.setInt32(start + 4, from.getInt32(p + 4, true), true);
      to.setUint16(start + 8, from.getUint16(p + 8, true), true);
    } else {
      const b = c.b;
      const out = this.keyBytes;
      for (let i = 0; i < n; i++) out[start + i] = b[p + i];
    }
    this.bytesUsed = end;
    this.keyEnd[k] = end;
    this.at[k] = c.at;
    this.h1[k] = lanes.h1;
    this.h2[k] = lanes.h2;
    return k;
  }

  /**
   * Room for `records` more records and `bytes` more key bytes (hot-run.ts writes the columns itself, reading them
   * again after this): each column that is short grows to what is asked or to twice its length, whichever is more.
   */
  reserve(records: number, bytes: number): void {
    if (this.size + records > this.order.length) this.order = grown(this.order, Math.max(this.size + records, this.order.length * 2));
    if (this.count + records > this.at.length) {
      const n = Math.max(this.count + records, this.at.length * 2);
      this.at = grown(this.at, n);
      this.h1 = grown(this.h1, n);
      this.h2 = grown(this.h2, n);
      this.keyEnd = grown(this.keyEnd, n);
    }
    const end = this.bytesUsed + bytes;
    if (end > this.keyBytes.length) {
      const more = keyBytes(Math.max(end, this.keyBytes.length * 2));
      this.keyBytes.copy(more, 0, 0, this.bytesUsed);
      this.keyBytes = more;
      this.keyView = new DataView(more.buffer, more.byteOffset, more.length);
    }
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

/**
 * An empty array whose elements are strings from the start. An empty `[]` starts as an array of small integers
 * and changes kind at its first string; the parser's optimized code, made while the first batch's arrays had
 * already changed, then met each new batch's arrays of the old kind and was thrown away and made again
 * (V8 deopts "not a Smi" / "wrong map" in the parse worker's hottest functions).
 */
export function stringArray(): string[] {
  const a = [''];
  a.pop();
  return a;
}

/**
 * Whether this thread's KeyedLines keep their columns on SharedArrayBuffers (`shareColumns`): the parse worker's do,
 * so its batches reach the folding thread without a transfer (batch-transfer.ts says why).
 */
let shared = false;

/** From here on, every KeyedLines this thread makes (and every column it grows) lives on SharedArrayBuffers. */
export function shareColumns(): void {
  shared = true;
}

/*
 * The shared columns of batches the folding thread is done with, used again for later batches' columns (issue 14,
 * the 80 MB row): a fresh SharedArrayBuffer is zeroed memory from the allocator, and a long read made about 40 MB of
 * them at 80 MB (each new page faulted in, the memory zeroed, then freed once both threads' collectors had dropped
 * it: the peak RSS rose by a few batches' columns). A batch's buffers are lent when it is sent (`lendColumns`) and
 * come back once the folding thread says it has folded that batch (`columnsFolded`): its fold reads them and keeps
 * nothing of them (keys it keeps are copied out: state/failed-keys.ts addBytes, KeyedLines.key). `order` is never
 * reused: the fold reads a batch's first entry without a look at its size, so it must start zeroed.
 */

/** Buffers back from the folding thread, free for any column they are large enough for (at most FREE_KEPT). */
const free: SharedArrayBuffer[] = [];
/** Buffers of the batches sent and not yet folded, in the order sent: [the batch's number in its job, its buffers]. */
const lent: { batch: number; buffers: SharedArrayBuffer[] }[] = [];
/** More than the columns of the batches a parse worker may have in flight (ParseJob.ahead) ever need. */
const FREE_KEPT = 128;
/** Bytes of SharedArrayBuffer this thread made for columns (the pool's test and `status-worker-same`'s figures). */
let sharedMade = 0;

/** Bytes of shared memory made for columns so far in this thread. */
export function sharedColumnBytes(): number {
  return sharedMade;
}

/**
 * A buffer of at least `bytes`: the smallest free one up to twice that (a batch's key bytes are not taken for its
 * shorter time column), else a new one.
 */
function sharedBuffer(bytes: number): SharedArrayBuffer {
  let best = -1;
  for (let i = 0; i < free.length; i++) {
    const n = free[i].byteLength;
    if (n >= bytes && n <= 2 * bytes && (best < 0 || n < free[best].byteLength)) best = i;
  }
  if (best >= 0) {
    const b = free[best];
    free[best] = free[free.length - 1];
    free.pop();
    return b;
  }
  sharedMade += bytes;
  return new SharedArrayBuffer(bytes);
}

/** `keyed`, batch number `batch` of this job, is sent: its columns' buffers are the folding thread's till it is folded. */
export function lendColumns(batch: number, keyed: KeyedLines): void {
  if (!shared) return;
  lent.push({ batch, buffers: [keyed.at.buffer, keyed.h1.buffer, keyed.h2.buffer, keyed.keyEnd.buffer, keyed.keyBytes.buffer] as SharedArrayBuffer[] });
}

/** The folding thread has folded this job's batches before number `folded`: their buffers are free again. */
export function columnsFolded(folded: number): void {
  while (lent.length > 0 && lent[0].batch < folded) {
    for (const b of lent.shift()!.buffers) if (free.length < FREE_KEPT) free.push(b);
  }
}

/** A new job: batches lent in the one before that were not folded never will be (a read ahead dropped). */
export function newColumnsJob(): void {
  lent.length = 0;
}

/**
 * A column of `n` entries, not zeroed: each record's entries are written before anything reads them, and nothing reads
 * past `count`. Zeroing a 1 MiB read's columns (~320 KB) was 2.7 % of the parse worker's instructions (memset). Its
 * own buffer (Buffer.allocUnsafeSlow, never the shared pool), so a batch sent whole takes nothing else with it. A
 * shared column is zeroed (a SharedArrayBuffer always is).
 */
function column<T extends Int32Array | Float64Array>(Type: { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number }, n: number): T {
  const bytes = n * Type.BYTES_PER_ELEMENT;
  return new Type(shared ? (sharedBuffer(bytes) as unknown as ArrayBuffer) : (Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer), 0, n);
}

/** Room for `n` key bytes: shared (see `shared`), or from Buffer's pool when small. */
function keyBytes(n: number): Buffer {
  return shared ? Buffer.from(sharedBuffer(n), 0, n) : Buffer.allocUnsafe(n);
}

function grown<T extends Uint8Array | Int32Array | Float64Array>(a: T, length: number): T {
  // Never called on a Buffer (its constructor is not for this).
  const Type = a.constructor as { new (n: number): T; new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number };
  const b = shared ? new Type(sharedBuffer(length * Type.BYTES_PER_ELEMENT) as unknown as ArrayBuffer, 0, length) : new Type(length);
  b.set(a);
  return b;
}
