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

/**
 * Up to CHUNK entries as columns: an entry is a position, not an object. A million-key run lists up to
 * 200,000 failures, and as objects each cost about 100 bytes (the object, and its time and versions as
 * heap numbers); here about 40.
 */
class Chunk {
  readonly keys: string[] = [];
  readonly failures: string[] = [];
  readonly errors: string[] = [];
  readonly at = new Float64Array(CHUNK);
  readonly born = new Int32Array(CHUNK);
  readonly died = new Int32Array(CHUNK);

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

  get length(): number {
    return this.keys.length;
  }

  visible(i: number, version: number): boolean {
    return this.born[i] <= version && version < this.died[i];
  }

  failure(i: number): LiveFailure {
    return { failure: this.failures[i], error: this.errors[i], at: this.at[i] };
  }
}

export class FailedStore {
  chunks: Chunk[] = [];
  /** The live entry id of each listed key, as of the newest version. */
  readonly index = new FailedIndex((id) => this.chunkOf(id).keys[id % CHUNK]);
  entries = 0;
  /** Bumped on every change: a view made after the last one can trust `index` for absent keys. */
  changes = 0;
  private nextSeq = 0;

  /** Records the key's newest failure; its older entry (if listed) dies. */
  add(key: string, f: LiveFailure, version: number): void {
    this.remove(key, version);
    this.append(key, f, version);
  }

  /** `add` for a key known not to be listed (its first outcome in the run): no lookup first. */
  addNew(key: string, f: LiveFailure, version: number): void {
    this.append(key, f, version);
  }

  /** The newest listed failure of the key, or undefined. */
  get(key: string): LiveFailure | undefined {
    const id = this.index.get(key);
    return id === undefined ? undefined : this.chunkOf(id).failure(id % CHUNK);
  }

  /** Unlists the key (it succeeded or was skipped later); true when it was listed. */
  remove(key: string, version: number): boolean {
    const id = this.index.get(key);
    if (id === undefined) return false;
    const chunk = this.chunkOf(id);
    chunk.died[id % CHUNK] = version;
    chunk.touch(version);
    this.index.delete(key);
    this.changes++;
    return true;
  }

  /** Drops the oldest chunks past the bound; returns how many listed keys went (now only counted). */
  evict(version: number): number {
    let dropped = 0;
    let first = 0;
    while (this.chunks.length - first > 1 && (this.index.size > FAILED_KEYS_LIMIT || this.entries > ENTRY_LIMIT)) {
      const c = this.chunks[first];
      c.touch(version);
      for (let i = 0; i < c.length; i++) {
        if (c.died[i] === ALIVE) {
          c.died[i] = version;
          this.index.delete(c.keys[i]);
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

  private append(key: string, f: LiveFailure, version: number): void {
    let last = this.chunks[this.chunks.length - 1];
    if (!last || last.length === CHUNK) {
      last = new Chunk(this.nextSeq++);
      this.chunks = [...this.chunks, last];
    }
    const i = last.length;
    last.keys.push(key);
    last.failures.push(f.failure);
    last.errors.push(f.error);
    last.at[i] = f.at;
    last.born[i] = version;
    last.died[i] = ALIVE;
    last.touch(version);
    this.index.set(key, last.seq * CHUNK + i);
    this.entries++;
    this.changes++;
  }

  chunkOf(id: number): Chunk {
    // Chunks are dropped only from the front, so the sequence numbers of those kept are consecutive.
    return this.chunks[Math.floor(id / CHUNK) - this.chunks[0].seq];
  }
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
    return new FailedKeys(store, version, store.chunks, store.index.size, store.changes);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  get(key: string): LiveFailure | undefined {
    const id = this.store?.index.get(key);
    if (id !== undefined) {
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
  forEachPart(fn: (part: object | null, stamp: number, walk: (visit: (key: string, failure: string, error: string) => void) => void) => void): void {
    for (const chunk of this.chunks) {
      const current = this.version >= chunk.changedAt;
      fn(current ? chunk : null, chunk.changes, (visit) => {
        for (let i = 0; i < chunk.length; i++) if (chunk.visible(i, this.version)) visit(chunk.keys[i], chunk.failures[i], chunk.errors[i]);
      });
    }
  }

  /** Each listed key, oldest first, without making a pair per key (the failures summary reads 200,000 of them). */
  forEachFailure(fn: (key: string, failure: string, error: string) => void): void {
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.length; i++) if (chunk.visible(i, this.version)) fn(chunk.keys[i], chunk.failures[i], chunk.errors[i]);
    }
  }

  *keys(): IterableIterator<string> {
    for (const [k] of this) yield k;
  }

  *[Symbol.iterator](): IterableIterator<[string, LiveFailure]> {
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.length; i++) if (chunk.visible(i, this.version)) yield [chunk.keys[i], chunk.failure(i)];
    }
  }
}
