/**
 * Failed key → entry id, for the failed-keys store: an open-addressing table of (32-bit key hash, id + 1)
 * in one Int32Array, about 16 bytes a listed key, where a `Map` of strings took about 50 and most of
 * the time of listing a failure (a long run lists up to 200,000). The hash only narrows the search: a
 * slot matches when its entry's key, read back through `keyOf`, is the key, so two keys that share a
 * hash are never taken for one. Linear probing; deletion shifts the following slots back (no tombstones),
 * so a table whose keys keep recovering stays as fast as a fresh one.
 */
export class FailedIndex {
  /** Slot i at 2i (hash) and 2i + 1 (id + 1; 0 when empty). */
  private slots = new Int32Array(2 * 1024);
  size = 0;

  constructor(
    /** The key of an entry id (the store's columns hold it). */
    private readonly keyOf: (id: number) => string,
  ) {}

  get(key: string): number | undefined {
    const h = hashOf(key);
    const a = this.slots;
    const mask = (a.length >>> 1) - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = a[2 * i + 1];
      if (v === 0) return undefined;
      if (a[2 * i] === h && this.keyOf(v - 1) === key) return v - 1;
    }
  }

  /** Lists `key` at `id`; replaces its id when it is listed. */
  set(key: string, id: number): void {
    const h = hashOf(key);
    const a = this.slots;
    const mask = (a.length >>> 1) - 1;
    let i = h & mask;
    for (; a[2 * i + 1] !== 0; i = (i + 1) & mask) {
      if (a[2 * i] === h && this.keyOf(a[2 * i + 1] - 1) === key) {
        a[2 * i + 1] = id + 1;
        return;
      }
    }
    a[2 * i] = h;
    a[2 * i + 1] = id + 1;
    // At most 3/4 full: probes stay short.
    if (++this.size * 4 > (mask + 1) * 3) this.grow();
  }

  /** Unlists `key`; true when it was listed. */
  delete(key: string): boolean {
    const h = hashOf(key);
    const a = this.slots;
    const mask = (a.length >>> 1) - 1;
    let i = h & mask;
    for (; ; i = (i + 1) & mask) {
      const v = a[2 * i + 1];
      if (v === 0) return false;
      if (a[2 * i] === h && this.keyOf(v - 1) === key) break;
    }
    // Shift back every following slot whose home is not between the hole and itself.
    for (let j = (i + 1) & mask; a[2 * j + 1] !== 0; j = (j + 1) & mask) {
      const home = a[2 * j] & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      a[2 * i] = a[2 * j];
      a[2 * i + 1] = a[2 * j + 1];
      i = j;
    }
    a[2 * i] = 0;
    a[2 * i + 1] = 0;
    this.size--;
    return true;
  }

  private grow(): void {
    const old = this.slots;
    const a = new Int32Array(old.length * 2);
    const mask = (a.length >>> 1) - 1;
    for (let j = 0; j < old.length; j += 2) {
      if (old[j + 1] === 0) continue;
      let i = old[j] & mask;
      while (a[2 * i + 1] !== 0) i = (i + 1) & mask;
      a[2 * i] = old[j];
      a[2 * i + 1] = old[j + 1];
    }
    this.slots = a;
  }
}

/** FNV-1a over the UTF-16 code units, then a murmur3 finish (low bits pick the slot). */
export function hashOf(key: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
