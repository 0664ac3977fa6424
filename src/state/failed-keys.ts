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

/** A key the running run reported as failed, as its log said it. */
export interface LiveFailure {
  failure: string;
  error: string;
  at: number;
}

interface Entry extends LiveFailure {
  key: string;
  born: number;
  died: number;
}

/** Failed keys listed per run; the rest are counted (the failures view says how many). */
export const FAILED_KEYS_LIMIT = 200_000;
const CHUNK = 4096;
/** Entries kept, live or dead, before the oldest chunk goes. */
const ENTRY_LIMIT = FAILED_KEYS_LIMIT + FAILED_KEYS_LIMIT / 4;

export class FailedStore {
  chunks: Entry[][] = [];
  /** The live entry of each listed key, as of the newest version. */
  readonly index = new Map<string, Entry>();
  entries = 0;
  /** Bumped on every change: a view made after the last one can trust `index` for absent keys. */
  changes = 0;

  /** Records the key's newest failure; its older entry (if listed) dies. */
  add(key: string, f: LiveFailure, version: number): void {
    this.remove(key, version);
    let last = this.chunks[this.chunks.length - 1];
    if (!last || last.length === CHUNK) {
      last = [];
      this.chunks = [...this.chunks, last];
    }
    const e: Entry = { key, failure: f.failure, error: f.error, at: f.at, born: version, died: Infinity };
    last.push(e);
    this.index.set(key, e);
    this.entries++;
    this.changes++;
  }

  /** Unlists the key (it succeeded or was skipped later); true when it was listed. */
  remove(key: string, version: number): boolean {
    const e = this.index.get(key);
    if (!e) return false;
    e.died = version;
    this.index.delete(key);
    this.changes++;
    return true;
  }

  /** Drops the oldest chunks past the bound; returns how many listed keys went (now only counted). */
  evict(version: number): number {
    let dropped = 0;
    let first = 0;
    while (this.chunks.length - first > 1 && (this.index.size > FAILED_KEYS_LIMIT || this.entries > ENTRY_LIMIT)) {
      for (const e of this.chunks[first]) {
        if (e.died === Infinity) {
          e.died = version;
          this.index.delete(e.key);
          dropped++;
        }
      }
      this.entries -= this.chunks[first].length;
      first++;
    }
    if (first > 0) {
      this.chunks = this.chunks.slice(first);
      this.changes++;
    }
    return dropped;
  }
}

/** The failed keys of one run snapshot: read-only, fixed once made. Iterates `[key, failure]` oldest first. */
export class FailedKeys implements Iterable<[string, LiveFailure]> {
  constructor(
    private readonly store: FailedStore | null,
    private readonly version: number,
    private readonly chunks: readonly Entry[][],
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
    const e = this.store?.index.get(key);
    if (e && this.visible(e)) return { failure: e.failure, error: e.error, at: e.at };
    // The index is the newest version's: an older view looks through its own entries.
    if (!this.store || this.stamp === this.store.changes) return undefined;
    for (const [k, f] of this) if (k === key) return f;
    return undefined;
  }

  *keys(): IterableIterator<string> {
    for (const [k] of this) yield k;
  }

  *[Symbol.iterator](): IterableIterator<[string, LiveFailure]> {
    for (const chunk of this.chunks) {
      for (const e of chunk) if (this.visible(e)) yield [e.key, { failure: e.failure, error: e.error, at: e.at }];
    }
  }

  private visible(e: Entry): boolean {
    return e.born <= this.version && this.version < e.died;
  }
}
