/**
 * The current run's failed keys for the failures view, without copying them per batch.
 *
 * One mutable store per run, appended to by `applyLines` only; each run snapshot reads it through a
 * `FailedKeys` view pinned to a version, so what an older snapshot shows never changes. Entries carry
 * the version they were born and died in (a later outcome of the key, or eviction); a view of version v
 * shows the entries with born ≤ v < died. Entries live in chunks; a view holds its own list of chunk
 * references (a few hundred pointers at most, copied only when a chunk is added or dropped).
 *
 * Bounded: past `FAILED_KEYS_LIMIT` keys, the oldest chunk is dropped and its keys counted as
 * `omitted` (still failed, counted in the run's totals, not listed). Dead entries also count towards
 * the bound, so a run whose failures keep recovering stays bounded too.
 */

import { FailedIndex } from './failed-index.js';
import { hashKey, lanes, lanesOf } from '../key-hash.js';
import { stringArray } from '../parser/keyed-lines.js';

/** A key the running run reported as failed, as its log said it. */
export interface LiveFailure {
  failure: string;
  error: string;
  at: number;
}

/** Failed keys listed per run; the rest are counted (the failures view says how many). */
export const FAILED_KEYS_LIMIT = 200_000;
const CHUNK = 4096;
/** Entries kept, live or dead, before the oldest chunk goes. */
const ENTRY_LIMIT = FAILED_KEYS_LIMIT + FAILED_KEYS_LIMIT / 4;
/** `died` of an entry still alive. */
const ALIVE = 0x7fffffff;
/** Failure kind and error text pairs a chunk counts as its entries come (see Chunk.pairs). */
const PAIRS_KEPT = 16;
/** Key bytes a chunk starts with room for (the family's keys are about ten). */
const KEY_BYTES = CHUNK * 11;

/**
 * Up to CHUNK entries as columns: an entry is a position, not an object, and its key is its 64-bit hash
 * (the index's, see failed-index.ts) plus its bytes. The text of a key read from the log's bytes is made
 * only when a reader asks for it (the failures view, the summary), once: the fold lists up to 200,000
 * failures of a million-key run and makes no string for them.
 */
class Chunk {
  readonly h1 = new Int32Array(CHUNK);
  readonly h2 = new Int32Array(CHUNK);
  readonly at = new Float64Array(CHUNK);
  readonly born = new Int32Array(CHUNK);
  readonly died = new Int32Array(CHUNK);
  /** Where entry i's key bytes end in `keyBytes` (they start where entry i - 1's end); none for a key given as text. */
  readonly keyEnd = new Int32Array(CHUNK);
  keyBytes = Buffer.allocUnsafe(KEY_BYTES);
  /** Keys as text: given so (a LogLine's key), or made from their bytes on first read. */
  texts: (string | undefined)[] = new Array<string | undefined>(CHUNK);
  // Arrays of strings from the start (see stringArray): the summary's walk over chunks read them through one shape.
  failures: string[] = stringArray();
  errors: string[] = stringArray();
  length = 0;
  /** Bytes of `keyBytes` in use. */
  used = 0;

  /**
   * What countsOf would say of this chunk seen whole, kept as entries come (a million-key run's 162,000 failures were
   * counted again one by one at the end of `status`, ~10 ms of the main thread after the read): every entry per failure
   * kind and error text in the order first met; entries that died by a later outcome (an evicted chunk's entries are
   * alive to every view that still holds it: views made after the eviction hold no such chunk); entries whose key may be
   * a date (given as text, or ten bytes with '-' at 4 and 7), which countsOf must look at; the newest version an entry
   * was born in. A view that sees every entry, none a possible date, reads the counts from here. Past PAIRS_KEPT pairs
   * (error texts that name their key) `pairs` is null and countsOf counts the entries one by one.
   */
  pairs: FailureCounts['pairs'] | null = noPairs();
  private lastPair: FailureCounts['pairs'][number] | null = null;
  deaths = 0;
  mayBeDates = 0;
  newestBorn = 0;

  /** Entries added or died in this chunk so far, and the version of the last such change. */
  changes = 0;
  changedAt = 0;

  constructor(
    /** Number of this chunk in the store's sequence (never reused): entry ids are seq × CHUNK + position. */
    readonly seq: number,
  ) {}

  touch(version: number): void {
    this.changes++;
    this.changedAt = version;
  }

  visible(i: number, version: number): boolean {
    return this.born[i] <= version && version < this.died[i];
  }

  key(i: number): string {
    const text = this.texts[i];
    if (text !== undefined) return text;
    const start = i === 0 ? 0 : this.keyEnd[i - 1];
    const end = this.keyEnd[i];
    const b = this.keyBytes;
    // The family's ten-byte keys (dates, game ids) made from their characters: a third of a Buffer decode.
    const made =
      end - start === 10
        ? String.fromCharCode(b[start], b[start + 1], b[start + 2], b[start + 3], b[start + 4], b[start + 5], b[start + 6], b[start + 7], b[start + 8], b[start + 9])
        : b.toString('latin1', start, end);
    this.texts[i] = made;
    return made;
  }

  /** Counts an entry's failure kind and error text in `pairs` (see there). */
  countPair(failure: string, error: string): void {
    const pairs = this.pairs;
    if (pairs === null) return;
    let pair = this.lastPair;
    if (pair === null || pair.failure !== failure || pair.error !== error) {
      pair = null;
      // A run's failures repeat a few kinds and texts: a short list, looked through only when the pair changes.
      for (const p of pairs) if (p.failure === failure && p.error === error) pair = p;
      if (pair === null) {
        if (pairs.length === PAIRS_KEPT) {
          this.pairs = null;
          return;
        }
        pairs.push((pair = { failure, error, count: 0 }));
      }
      this.lastPair = pair;
    }
    pair.count++;
  }

  failure(i: number): LiveFailure {
    return { failure: this.failures[i], error: this.errors[i], at: this.at[i] };
  }

  /** Room for key bytes up to `end`. */
  roomFor(end: number): void {
    const more = Buffer.allocUnsafe(Math.max(end, this.keyBytes.length * 2));
    this.keyBytes.copy(more, 0, 0, this.used);
    this.keyBytes = more;
  }
}

/**
 * An empty list of pairs whose elements are objects from the start: an empty `[]` is an array of small integers
 * until its first pair, and countPair's optimized code (inlined in the fold's addBytes), made while the store held
 * one chunk whose list had its pairs, met a new chunk's empty list of the other kind at the 4,097th failure (deopt
 * 'wrong map' in countPair's loop over the list, then 'not a Smi' in the code made next): addBytes was compiled three
 * times in every long read, now once (`--trace-deopt`, 80 MB one-run log).
 */
function noPairs(): FailureCounts['pairs'] {
  const a = [{ failure: '', error: '', count: 0 }];
  a.pop();
  return a;
}

/** An empty list of chunks whose elements are objects from the start (see FailedStore.chunks). */
function noChunks(): Chunk[] {
  const a = [{} as Chunk];
  a.pop();
  return a;
}

/** Whether `warmFailedStore` ran in this thread. */
let warmed = false;

/**
 * Runs the store's code for a new chunk and for a chunk's first failure kind a few times, once per thread, so that the
 * fold's optimized addBytes has type feedback for both: a run's first chunk and its first pairs are made by its first
 * failures, before V8 gives those functions their feedback (their 8th call), and addBytes optimized after that threw
 * its code away at the 4,097th failure, where the second chunk is made ('Insufficient type feedback for generic named
 * access' in room's new chunk and in countPair's new pair, inlined), and was compiled again, with push: in most reads
 * of the 80 MB one-run log. For a long read only (parse-worker-client.ts): each chunk here is a full one's memory.
 */
export function warmFailedStore(): void {
  if (warmed) return;
  warmed = true;
  const store = new FailedStore();
  const key = new Uint8Array(10).fill(48);
  for (let i = 0; i < WARM_CHUNKS; i++) {
    store.addBytes(0, 0, key, 0, 10, 'HTTP 500', 'HTTP 500', i, 1);
    // Full: the next failure starts a chunk, with a first pair of its own.
    store.chunks[store.chunks.length - 1].length = CHUNK;
  }
}

/** Whether `warmFailedStore` ran in this thread (tests: a long read warms it). */
export function failedStoreWarmed(): boolean {
  return warmed;
}

/** Chunks `warmFailedStore` makes: past V8's eighth call of room and countPair, where their feedback starts. */
const WARM_CHUNKS = 16;

export class FailedStore {
  // An array of objects from the start: an empty `[]` is an array of small integers until its first chunk, and the
  // fold's optimized code, made while the store held one chunk, met the array of objects at the second (after 4,096
  // failures) and was thrown away (deopt 'wrong map' in room's spread, inlined in addBytes) and made again, every run.
  chunks: Chunk[] = noChunks();
  /**
   * The live entry id of each listed key's hash, as of the newest version; made on first need (a key
   * listed here has a later outcome, a view is asked for a key) and kept from then on. Until then the
   * fold lists failures without it: in a run whose keys each have one outcome (most runs) it is never
   * made, and listing a failure touches only the newest chunk's columns.
   */
  private idx: FailedIndex | null = null;
  /** Keys listed (alive entries). */
  listed = 0;
  entries = 0;
  /** Bumped on every change: a view made after the last one can trust `index` for absent keys. */
  changes = 0;
  private nextSeq = 0;

  /**
   * Lists a failure of the key whose ASCII bytes are b[start, end) and whose hash is `h1:h2` (key-hash.ts),
   * known not to be listed now (its first outcome in the run, or its listing just removed). `h1:h2` may be 0:0,
   * not made (a numbered key: parser/keyed-lines.ts): it is made from the bytes only when the index is (`index`),
   * which a run whose keys each have one outcome never needs (80 MB one-run log: 162,000 hashes, ~50 M instructions).
   */
  addBytes(h1: number, h2: number, b: Uint8Array, start: number, end: number, failure: string, error: string, at: number, version: number): void {
    const c = this.room();
    const i = c.length;
    let e = c.used;
    if (e + end - start > c.keyBytes.length) c.roomFor(e + end - start);
    const out = c.keyBytes;
    for (let p = start; p < end; p++) out[e++] = b[p];
    c.keyEnd[i] = e;
    c.used = e;
    if (end - start === 10 && b[start + 4] === 45 && b[start + 7] === 45) c.mayBeDates++;
    if (this.idx !== null && (h1 | h2) === 0) {
      lanesOf(b, start, end, 0, 0);
      h1 = lanes.h1;
      h2 = lanes.h2;
    }
    this.push(c, i, h1, h2, failure, error, at, version);
  }

  /** `addBytes` for a key given as text (any key a LogLine names), whose hash is `h1:h2`. */
  addText(key: string, h1: number, h2: number, failure: string, error: string, at: number, version: number): void {
    const c = this.room();
    const i = c.length;
    c.keyEnd[i] = c.used;
    c.texts[i] = key;
    c.mayBeDates++;
    this.push(c, i, h1, h2, failure, error, at, version);
  }

  /** Records the key's newest failure; its older entry (if listed) dies. For tools and tests: the fold lists by hash. */
  add(key: string, f: LiveFailure, version: number): void {
    hashKey(key);
    const h1 = lanes.h1;
    const h2 = lanes.h2;
    this.removeHash(h1, h2, version);
    this.addText(key, h1, h2, f.failure, f.error, f.at, version);
  }

  /** The entry id listed for the hash, or -1. */
  find(h1: number, h2: number): number {
    return this.index().get(h1, h2);
  }

  /** The index, made from the chunks' live entries when first asked for (with the hashes not made yet: see `addBytes`). */
  index(): FailedIndex {
    if (this.idx !== null) return this.idx;
    const idx = new FailedIndex();
    for (const c of this.chunks) {
      for (let i = 0; i < c.length; i++) {
        if (c.died[i] !== ALIVE) continue;
        if ((c.h1[i] | c.h2[i]) === 0) {
          lanesOf(c.keyBytes, i === 0 ? 0 : c.keyEnd[i - 1], c.keyEnd[i], 0, 0);
          c.h1[i] = lanes.h1;
          c.h2[i] = lanes.h2;
        }
        idx.set(c.h1[i], c.h2[i], c.seq * CHUNK + i);
      }
    }
    this.idx = idx;
    return idx;
  }

  /** The failure kind of a listed entry. */
  failureOf(id: number): string {
    return this.chunkOf(id).failures[id % CHUNK];
  }

  /** The newest listed failure of the key, or undefined. */
  get(key: string): LiveFailure | undefined {
    hashKey(key);
    const id = this.index().get(lanes.h1, lanes.h2);
    return id < 0 ? undefined : this.chunkOf(id).failure(id % CHUNK);
  }

  /** Unlists the key (it succeeded or was skipped later); true when it was listed. */
  remove(key: string, version: number): boolean {
    hashKey(key);
    return this.removeHash(lanes.h1, lanes.h2, version);
  }

  /** `remove` for a key given as its hash. */
  removeHash(h1: number, h2: number, version: number): boolean {
    const idx = this.index();
    const id = idx.get(h1, h2);
    if (id < 0) return false;
    const chunk = this.chunkOf(id);
    chunk.died[id % CHUNK] = version;
    chunk.deaths++;
    chunk.touch(version);
    idx.delete(h1, h2);
    this.listed--;
    this.changes++;
    return true;
  }

  /** Drops the oldest chunks past the bound; returns how many listed keys went (now only counted). */
  evict(version: number): number {
    let dropped = 0;
    let first = 0;
    while (this.chunks.length - first > 1 && (this.listed > FAILED_KEYS_LIMIT || this.entries > ENTRY_LIMIT)) {
      const c = this.chunks[first];
      c.touch(version);
      for (let i = 0; i < c.length; i++) {
        if (c.died[i] === ALIVE) {
          c.died[i] = version;
          this.idx?.delete(c.h1[i], c.h2[i]);
          this.listed--;
          dropped++;
        }
      }
      this.entries -= c.length;
      first++;
    }
    if (first > 0) {
      this.chunks = this.chunks.slice(first);
      this.changes++;
    }
    return dropped;
  }

  /** The newest chunk, with room for one more entry. */
  private room(): Chunk {
    const last = this.chunks[this.chunks.length - 1];
    if (last !== undefined && last.length < CHUNK) return last;
    const made = new Chunk(this.nextSeq++);
    // A new array: the views made before hold the old one.
    this.chunks = [...this.chunks, made];
    return made;
  }

  private push(c: Chunk, i: number, h1: number, h2: number, failure: string, error: string, at: number, version: number): void {
    c.h1[i] = h1;
    c.h2[i] = h2;
    c.at[i] = at;
    c.born[i] = version;
    c.died[i] = ALIVE;
    c.failures.push(failure);
    c.errors.push(error);
    c.countPair(failure, error);
    c.newestBorn = version;
    c.length = i + 1;
    c.touch(version);
    this.idx?.set(h1, h2, c.seq * CHUNK + i);
    this.listed++;
    this.entries++;
    this.changes++;
  }

  chunkOf(id: number): Chunk {
    // Chunks are dropped only from the front, so the sequence numbers of those kept are consecutive.
    return this.chunks[Math.floor(id / CHUNK) - this.chunks[0].seq];
  }
}

/**
 * A part's listed keys counted as the failures summary reads a run's own failures (failures/summary.ts): per
 * failure kind and error text, and per key that is a date (`isDate`), each in the order first met; `undated`:
 * the other keys. A key's text is made only when its bytes could be a date (ten of them, '-' at 4 and 7).
 */
export interface FailureCounts {
  pairs: { failure: string; error: string; count: number }[];
  dates: Map<string, number>;
  undated: number;
}

function countsOf(chunk: Chunk, version: number, isDate: (key: string) => boolean): FailureCounts {
  // Every entry visible (born by `version`, none died) and none a possible date: the counts kept as they came.
  if (chunk.pairs !== null && chunk.deaths === 0 && chunk.mayBeDates === 0 && chunk.newestBorn <= version) {
    return { pairs: chunk.pairs.map((p) => ({ ...p })), dates: new Map(), undated: chunk.length };
  }
  const out: FailureCounts = { pairs: [], dates: new Map(), undated: 0 };
  const b = chunk.keyBytes;
  // A run's failures repeat one or two kinds and errors: the pair before is compared first.
  let pair: FailureCounts['pairs'][number] | null = null;
  let byPair: Map<string, Map<string, FailureCounts['pairs'][number]>> | null = null;
  for (let i = 0; i < chunk.length; i++) {
    if (!chunk.visible(i, version)) continue;
    const failure = chunk.failures[i];
    const error = chunk.errors[i];
    if (pair === null || pair.failure !== failure || pair.error !== error) {
      byPair ??= new Map();
      let byError = byPair.get(failure);
      if (byError === undefined) byPair.set(failure, (byError = new Map()));
      pair = byError.get(error) ?? null;
      if (pair === null) {
        pair = { failure, error, count: 0 };
        byError.set(error, pair);
        out.pairs.push(pair);
      }
    }
    pair.count++;
    const start = i === 0 ? 0 : chunk.keyEnd[i - 1];
    if (chunk.texts[i] !== undefined || (chunk.keyEnd[i] - start === 10 && b[start + 4] === 45 && b[start + 7] === 45)) {
      const key = chunk.key(i);
      if (isDate(key)) {
        out.dates.set(key, (out.dates.get(key) ?? 0) + 1);
        continue;
      }
    }
    out.undated++;
  }
  return out;
}

/** The failed keys of one run snapshot: read-only, fixed once made. Iterates `[key, failure]` oldest first. */
export class FailedKeys implements Iterable<[string, LiveFailure]> {
  constructor(
    private readonly store: FailedStore | null,
    private readonly version: number,
    private readonly chunks: readonly Chunk[],
    /** Keys listed. */
    readonly size: number,
    private readonly stamp: number,
  ) {}

  static readonly empty = new FailedKeys(null, 0, [], 0, 0);

  /** The store as of `version` (the newest it holds). */
  static of(store: FailedStore, version: number): FailedKeys {
    return new FailedKeys(store, version, store.chunks, store.listed, store.changes);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  get(key: string): LiveFailure | undefined {
    let id = -1;
    if (this.store) {
      hashKey(key);
      id = this.store.find(lanes.h1, lanes.h2);
    }
    if (id >= 0) {
      // The newest entry of the key; this view may be older than it (or have seen it die).
      // The view's chunks are consecutive in the store's sequence (it drops chunks only from the front).
      const chunk = this.chunks.length ? this.chunks[Math.floor(id / CHUNK) - this.chunks[0].seq] : undefined;
      if (chunk && chunk.visible(id % CHUNK, this.version)) return chunk.failure(id % CHUNK);
    }
    // The index is the newest version's: an older view looks through its own entries (once).
    if (!this.store || this.stamp === this.store.changes) return undefined;
    if (!this.own) {
      this.own = new Map();
      for (const [k, f] of this) this.own.set(k, f);
    }
    return this.own.get(key);
  }

  /** An older view's own keys, made on its first lookup the store's index cannot answer. */
  private own: Map<string, LiveFailure> | null = null;

  /**
   * The listed keys chunk by chunk (oldest first), for a reader that keeps a sum per chunk: `part` and
   * `stamp` name what this view shows of the chunk (the same pair, the same keys and failures), or `part`
   * is null when this view is older than the chunk's last change. A long run changes its newest chunk
   * and the few where keys recovered; the others are summed once.
   */
  forEachPart(fn: (part: object | null, stamp: number, walk: (visit: (key: string, failure: string, error: string) => void) => void, counts: (isDate: (key: string) => boolean) => FailureCounts) => void): void {
    for (const chunk of this.chunks) {
      const current = this.version >= chunk.changedAt;
      fn(
        current ? chunk : null,
        chunk.changes,
        (visit) => {
          for (let i = 0; i < chunk.length; i++) if (chunk.visible(i, this.version)) visit(chunk.key(i), chunk.failures[i], chunk.errors[i]);
        },
        (isDate) => countsOf(chunk, this.version, isDate),
      );
    }
  }

  /** Each listed key, oldest first, without making a pair per key (the failures summary reads 200,000 of them). */
  forEachFailure(fn: (key: string, failure: string, error: string) => void): void {
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.length; i++) if (chunk.visible(i, this.version)) fn(chunk.key(i), chunk.failures[i], chunk.errors[i]);
    }
  }

  *keys(): IterableIterator<string> {
    for (const [k] of this) yield k;
  }

  *[Symbol.iterator](): IterableIterator<[string, LiveFailure]> {
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.length; i++) if (chunk.visible(i, this.version)) yield [chunk.key(i), chunk.failure(i)];
    }
  }
}
