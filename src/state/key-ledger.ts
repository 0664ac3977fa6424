/**
 * Which keys a run has seen, and what each last did, in about 10–16 bytes per key: a set of 64-bit key
 * fingerprints with one state byte each, in typed arrays (a `Map` of strings costs ~100 bytes a key, and
 * a run may hold millions of keys); a numbered key (see below) in about one byte.
 *
 * Layout. A key's 64-bit hash (cyrb53's two 32-bit lanes, `h1:h2`) picks one of 256 segments by the top
 * 8 bits of h1; within the segment a slot is two int32: `hi = h1's low 24 bits · h2's top 8 bits` and
 * `lo = h2's low 24 bits · state byte`. The segment number is implied by where the slot lives, so all
 * 64 bits of the hash take part in equality. Linear probing; a segment grows 1.5× past 80 % load (load
 * stays between 53 % and 80 %: 10–15 bytes a key), one segment at a time, so growth never doubles the
 * whole table at once. When the run says how many keys it has (`expect`, from `Loaded N` or a
 * Progress total), a segment grows up to 4× at a time towards its share of them, so a million-key run
 * moves each key about once instead of about three times, and ends near 80 % load (about 10 bytes a
 * key); a total that overstates the keys costs at most the 4× step, never more memory than its share.
 *
 * Numbered keys. A key that is a decimal number of 1 to 15 digits (game ids, player ids: most backfills
 * number their keys, and run them in order) is kept apart, as one state byte at its number in a page of
 * 4,096 numbers of its width, not in the hash table: no hash, no collision, one byte a key, and keys that
 * come in order touch the same page (a hash table of millions of keys costs a cache and TLB miss per key,
 * which is most of the fold of a million-key run). The width is part of the key: `0022100001` and
 * `22100001` are two keys. A page is made only while pages take at most their first MiB plus 16 bytes per
 * numbered key held (numbers spread thinly go to the hash table instead); a range of numbers that once
 * went to the hash table stays there, so each key has one place.
 *
 * Collisions. Two different keys with the same 64-bit hash are taken for one key: the second one's
 * outcome reads as a repeat of the first's (its count moves, or it is counted as a duplicate line). For
 * a run of n keys the chance that any pair collides is about n² / 2^65: 2.7e-8 for a million keys,
 * 5e-6 for 13.5 million (a 1 GB one-run log). Log keys are not adversarial, so nothing defends against
 * crafted collisions.
 */

import { hashKey, lanes, lanesOf, NUMBERED_DIGITS } from '../key-hash.js';

/** State byte: bits 0–1 outcome, bit 2 queued line seen, bit 3 processing line seen, bits 4–7 failure kind. */
export const OUTCOME_MASK = 0b11;
export const OUTCOME_NONE = 0;
export const OUTCOME_SUCCEEDED = 1;
export const OUTCOME_FAILED = 2;
export const OUTCOME_SKIPPED = 3;
export const SEEN_QUEUED = 0b0100;
export const SEEN_PROCESSING = 0b1000;
const KIND_SHIFT = 4;
/** Failure kinds past the 15th share this index: their kind is then looked up elsewhere. */
export const KIND_OTHER = 15;

const SEGMENTS = 256;
const FIRST_CAPACITY = 16;
const MAX_LOAD = 0.8;
const TWO_POW_24 = 16777216;
/** Largest total `expect` believes (a garbled `Loaded` line must not size tables for billions of keys). */
const MAX_EXPECTED = 1 << 26;
/** Slack over a segment's even share of the expected keys (their spread over segments is about 1 %). */
const SHARE_SLACK = 1.1;

/** Numbered keys: widths up to 15 digits (their numbers stay exact in a double), pages of 4,096 numbers. */
const DENSE_DIGITS = NUMBERED_DIGITS;
const PAGE = 4096;
/** Pages may take this much before they must hold a key per DENSE_BYTES_PER_KEY bytes. */
const DENSE_FREE_BYTES = 1 << 20;
const DENSE_BYTES_PER_KEY = 16;

/** The number a key of digits only is (at most DENSE_DIGITS of them), else -1. */
export function numberOfKey(key: string): number {
  const n = key.length;
  if (n < 1 || n > DENSE_DIGITS) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = key.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** `numberOfKey` of the ASCII bytes b[start, end); `view` is a DataView of the same bytes as `b`. */
export function numberOfBytes(b: Uint8Array, start: number, end: number, view: DataView): number {
  // Two parts, each under V8's bytecode limit for inlining (460 bytes; the two in one were 490): the fold's findBytes
  // calls this for every key of a run, and a call costs as much as the ten digits' arithmetic.
  return end - start === 10 ? numberOfTen(start, view) : numberOfDigits(b, start, end);
}

/** The number of the ten ASCII bytes at `start` of `view`, or -1 when one is not a decimal digit. */
function numberOfTen(start: number, view: DataView): number {
  // The family's ten-digit ids (0022100001) as three words, without a loop: the loop's branch and check per digit
  // were a third of the fold of a million-key run (~225 of its ~630 instructions a key), a load per byte still ~195.
  const w0 = view.getInt32(start, true);
  const w1 = view.getInt32(start + 4, true);
  const w2 = view.getUint16(start + 8, true) | 0x30300000;
  // For bytes below 0x80, (w - 0x30…) borrows into the top bit of a byte below '0', (0x39… - w) into that of a byte
  // above '9'; a byte from 0x80 sets a top bit in one of the two whatever the borrows (keyed-lines.ts isNumbered).
  if ((((w0 - 0x30303030) | (0x39393939 - w0) | (w1 - 0x30303030) | (0x39393939 - w1) | (w2 - 0x30303030) | (0x39393939 - w2)) & 0x80808080) !== 0) return -1;
  // Ten digits 0-9, the first in each word's low byte: pairs of digits side by side (tens and ones in each 16-bit half),
  // then the halves (fewer operations than digit by digit, so the function stays small enough to inline).
  const a = w0 - 0x30303030;
  const c = w1 - 0x30303030;
  const e = w2 - 0x30303030;
  const ap = (a & 0x00ff00ff) * 10 + ((a >>> 8) & 0x00ff00ff);
  const cp = (c & 0x00ff00ff) * 10 + ((c >>> 8) & 0x00ff00ff);
  return ((ap & 0xffff) * 100 + (ap >>> 16)) * 1000000 + ((cp & 0xffff) * 100 + (cp >>> 16)) * 100 + (e & 0xff) * 10 + ((e >>> 8) & 0xff);
}

/** `numberOfKey` of the ASCII bytes b[start, end) of any length. */
function numberOfDigits(b: Uint8Array, start: number, end: number): number {
  if (end - start < 1 || end - start > DENSE_DIGITS) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** The page of a numbered key: its number's page and its width in one exact double. */
function pageKeyOf(v: number, width: number): number {
  return Math.floor(v / PAGE) * 16 + width;
}

let h1 = 0;
let h2 = 0;
/**
 * The keys given to `warmKey` and their hashes, up to one batch's worth (more are not warmed). Shared by
 * every ledger: each entry is a key with its own hash, so a ledger that reads another's entry still gets
 * the right hash for that string.
 */
const WARM_MAX = 8192;
/** Keys the hash table holds before warming its slots pays. */
const WARM_MIN_KEYS = 1 << 14;
const warmKeys: (string | undefined)[] = new Array<string | undefined>(WARM_MAX).fill(undefined);
const warmH1 = new Int32Array(WARM_MAX);
const warmH2 = new Int32Array(WARM_MAX);

/** The key's hash into the module's h1/h2 (see key-hash.ts). */
function hash(key: string): void {
  hashKey(key);
  h1 = lanes.h1;
  h2 = lanes.h2;
}

/** The key's 64-bit hash as two int32 lanes (for tests and tools; the ledger hashes inline). */
export function hash64(key: string): [number, number] {
  hash(key);
  return [h1, h2];
}

export function kindOf(state: number): number {
  return state >>> KIND_SHIFT;
}

export function withKind(state: number, kind: number): number {
  return (state & 0x0f) | (Math.min(kind, KIND_OTHER) << KIND_SHIFT);
}

export class KeyLedger {
  /** Segments are made on first use: a short run (and a log holds hundreds) allocates only what it touches. */
  private readonly slots: (Int32Array | undefined)[] = new Array(SEGMENTS);
  private readonly counts = new Int32Array(SEGMENTS);
  /** Keys held. */
  size = 0;
  /** Slots moved by growth so far (amortised: under 3 per key with 1.5× growth). */
  moved = 0;
  // Where the last `find` looked: `set` writes there without hashing again.
  private seg = 0;
  private pos = 0;
  private hi = 0;
  private loKey = 0;
  private found = false;
  private warmCount = 0;
  /** The next warmed key a `find` may match. */
  private warmNext = 0;
  private warmed = false;
  /** The sum of the last slots `warmUp` read (its loads must have a use). */
  warmth = 0;
  /** Slots a segment may grow to in steps of up to 4× (its share of the expected keys); 0 when unknown. */
  private shareCap = 0;
  /** The hash lanes of the key the last `find` looked up (the failed-keys store lists keys by them). */
  foundH1 = 0;
  foundH2 = 0;
  /** Numbered keys' pages by page key (see pageKeyOf), and the page keys whose numbers went to the hash table. */
  private readonly pages = new Map<number, Uint8Array>();
  private readonly spilled = new Set<number>();
  /** Numbered keys held in pages; all numbered keys held (some may be in the hash table). */
  denseKeys = 0;
  numbered = 0;
  /** Whether the last `find` was of a numbered key. */
  private numberedFind = false;
  // The last page looked up (null: its numbers are in the hash table), and where the last `find` looked in it.
  private lastPageKey = -1;
  private lastPage: Uint8Array | null = null;
  private densePage: Uint8Array | null = null;
  private denseIndex = 0;

  /** The run says it has about `keys` keys (0 or less: unknown): segments grow towards their share in larger steps. */
  expect(keys: number): void {
    const n = Math.min(Math.max(keys, 0), MAX_EXPECTED);
    this.shareCap = Math.ceil((n * SHARE_SLACK) / SEGMENTS / MAX_LOAD);
  }

  /** The key's state byte, 0 when the run has not seen it. Remembers the slot for `set`. */
  find(key: string): number {
    // The key warmUp just warmed, in the same order: its hash is known (the same string, so the same hash).
    const c = this.warmNext;
    if (c < this.warmCount && warmKeys[c] === key) {
      h1 = warmH1[c];
      h2 = warmH2[c];
      this.warmNext = c + 1;
    } else {
      hash(key);
    }
    this.foundH1 = h1;
    this.foundH2 = h2;
    const v = numberOfKey(key);
    if (v >= 0) {
      const state = this.findNumbered(v, key.length);
      return state >= 0 ? state : this.lookup();
    }
    this.densePage = null;
    this.numberedFind = false;
    return this.lookup();
  }

  /**
   * `find` for a key read from the log as its ASCII bytes b[start, end), with its hash (key-hash.ts:
   * `hashBytes` of those bytes, the same lanes `hashKey` gives its text), or 0:0 when it was not made (a
   * numbered key: parser/keyed-lines.ts), then made here only if its range of numbers lives in the hash
   * table: no string is made. Remembers the slot for `set`.
   */
  findBytes(b: Uint8Array, start: number, end: number, lane1: number, lane2: number, view: DataView): number {
    const v = numberOfBytes(b, start, end, view);
    if (v >= 0) {
      const state = this.findNumbered(v, end - start);
      if (state >= 0) return state;
    } else {
      this.densePage = null;
      this.numberedFind = false;
    }
    lanesOf(b, start, end, lane1, lane2);
    h1 = lanes.h1;
    h2 = lanes.h2;
    return this.lookup();
  }

  /**
   * A numbered key's state byte from its page (made when there is room); -1 when its range of numbers lives
   * in the hash table (the caller looks it up there by its hash).
   */
  private findNumbered(v: number, width: number): number {
    this.numberedFind = true;
    // The page number once (pageKeyOf's), for the key and the index in it: a division costs tens of cycles.
    const pageNumber = Math.floor(v / PAGE);
    const pk = pageNumber * 16 + width;
    let page = this.lastPage;
    if (pk !== this.lastPageKey) {
      page = this.pages.get(pk) ?? null;
      if (page === null && !this.spilled.has(pk)) {
        if ((this.pages.size + 1) * PAGE <= DENSE_FREE_BYTES + DENSE_BYTES_PER_KEY * this.numbered) {
          page = new Uint8Array(PAGE);
          this.pages.set(pk, page);
        } else {
          // Too thin for a page: this range of numbers lives in the hash table from now on.
          this.spilled.add(pk);
        }
      }
      this.lastPageKey = pk;
      this.lastPage = page;
    }
    if (page === null) {
      this.densePage = null;
      return -1;
    }
    // Stored only when it changes (once per page of keys, not per key): a pointer stored into this long-lived object
    // goes through V8's write barrier, and while the heap is being marked that is a call each time (~60 M instructions
    // of an 80 MB fold).
    if (this.densePage !== page) this.densePage = page;
    this.denseIndex = v - pageNumber * PAGE;
    return page[this.denseIndex];
  }

  /** The slot of the hash in h1/h2: its state byte (0: not seen), remembered for `set`. */
  private lookup(): number {
    this.seg = h1 >>> 24;
    this.hi = (h1 << 8) | (h2 >>> 24);
    this.loKey = h2 & 0xffffff;
    const a = (this.slots[this.seg] ??= new Int32Array(FIRST_CAPACITY * 2));
    const cap = a.length >>> 1;
    let i = Math.floor(((h1 & 0xffffff) * cap) / TWO_POW_24);
    for (;;) {
      const lo = a[2 * i + 1];
      if (lo === 0) break;
      if (a[2 * i] === this.hi && lo >>> 8 === this.loKey) {
        this.pos = i;
        this.found = true;
        return lo & 0xff;
      }
      i = i + 1 === cap ? 0 : i + 1;
    }
    this.pos = i;
    this.found = false;
    return 0;
  }

  /** The key's state byte, 0 when the run has not seen it: a pure read (makes no slots, remembers nothing for `set`). */
  peek(key: string): number {
    const v = numberOfKey(key);
    if (v >= 0) {
      const pk = pageKeyOf(v, key.length);
      const page = this.pages.get(pk);
      if (page !== undefined) return page[v - Math.floor(v / PAGE) * PAGE];
      if (!this.spilled.has(pk)) return 0;
    }
    hash(key);
    const a = this.slots[h1 >>> 24];
    if (a === undefined) return 0;
    const hi = (h1 << 8) | (h2 >>> 24);
    const loKey = h2 & 0xffffff;
    const cap = a.length >>> 1;
    let i = Math.floor(((h1 & 0xffffff) * cap) / TWO_POW_24);
    for (;;) {
      const lo = a[2 * i + 1];
      if (lo === 0) return 0;
      if (a[2 * i] === hi && lo >>> 8 === loKey) return lo & 0xff;
      i = i + 1 === cap ? 0 : i + 1;
    }
  }

  /** Sets the state (never 0) of the key the last `find` looked up. */
  set(state: number): void {
    const page = this.densePage;
    if (page !== null) {
      if (page[this.denseIndex] === 0) {
        this.size++;
        this.denseKeys++;
        this.numbered++;
      }
      page[this.denseIndex] = state & 0xff;
      return;
    }
    const a = this.slots[this.seg]!;
    a[2 * this.pos] = this.hi;
    a[2 * this.pos + 1] = (this.loKey << 8) | (state & 0xff);
    if (this.found) return;
    this.found = true;
    this.size++;
    if (this.numberedFind) this.numbered++;
    if (++this.counts[this.seg] > (a.length >>> 1) * MAX_LOAD) this.grow(this.seg);
  }

  /**
   * Brings the first slot each of the batch's keys will probe into the cache, all before any lookup:
   * a lookup in a table of millions of keys misses the cache, and one at a time each waits for its miss
   * (0.2–0.8 µs); a loop of loads that do not depend on each other has many misses in flight at once.
   * `warmKey` each key in the order they will be looked up, then `warmUp`; a `find` of the next warmed
   * key (the same string) then uses the hash already made. Changes nothing a lookup answers.
   */
  warmKey(key: string): void {
    if (this.warmed) {
      // A new batch: forget the last one's keys.
      warmKeys.fill(undefined, 0, this.warmCount);
      this.warmCount = 0;
      this.warmNext = 0;
      this.warmed = false;
    }
    if (this.warmCount === WARM_MAX) return;
    hash(key);
    const n = this.warmCount++;
    warmKeys[n] = key;
    warmH1[n] = h1;
    warmH2[n] = h2;
  }

  /** Touches the slots of the keys given to `warmKey` since the last call. */
  warmUp(): void {
    this.warmHashes(warmH1, 0, this.warmCount);
    this.warmed = true;
  }

  /**
   * Touches the first slot of each hash whose first lane is in `lane1s[from, to)`, for keys about to be
   * looked up with `findHash` (see `warmUp`). Changes nothing a lookup answers.
   */
  warmHashes(lane1s: Int32Array, from: number, to: number): void {
    // A hash table this small stays in the cache (numbered keys leave it empty): nothing to warm.
    if (this.size - this.denseKeys < WARM_MIN_KEYS) return;
    const slots = this.slots;
    let sum = 0;
    for (let k = from; k < to; k++) {
      const x = lane1s[k];
      const a = slots[x >>> 24];
      if (a === undefined) continue;
      sum += a[2 * Math.floor(((x & 0xffffff) * (a.length >>> 1)) / TWO_POW_24) + 1];
    }
    // Kept, so the loads are not dead code.
    this.warmth = sum;
  }

  /** Bytes held by the slot arrays and the numbered keys' pages. */
  bytes(): number {
    let n = this.pages.size * PAGE;
    for (const a of this.slots) n += a?.byteLength ?? 0;
    return n;
  }

  private grow(seg: number): void {
    const old = this.slots[seg]!;
    const was = old.length >>> 1;
    let cap = Math.ceil(was * 1.5);
    if (this.shareCap > cap) cap = Math.min(this.shareCap, was * 4);
    const a = new Int32Array(cap * 2);
    for (let j = 0; j < old.length; j += 2) {
      const lo = old[j + 1];
      if (lo === 0) continue;
      const hi = old[j];
      let i = Math.floor(((hi >>> 8) * cap) / TWO_POW_24);
      while (a[2 * i + 1] !== 0) i = i + 1 === cap ? 0 : i + 1;
      a[2 * i] = hi;
      a[2 * i + 1] = lo;
      this.moved++;
      // The remembered slot moves with its key.
      if (hi === this.hi && lo >>> 8 === this.loKey) this.pos = i;
    }
    this.slots[seg] = a;
  }
}
