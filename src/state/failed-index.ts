/**
 * Failed key → entry id, for the failed-keys store: an open-addressing table of (the key's 64-bit hash
 * as its two int32 lanes, id + 1) in one Int32Array, 12 bytes a slot, at most 3/4 full. Keys are their
 * hashes here as in the run's key store (key-ledger.ts, which says what a shared hash means): the fold
 * has the two lanes of every keyed record already, so listing, finding or unlisting a failure makes no
 * key string and compares none. Linear probing; deletion shifts the following slots back (no
 * tombstones), so a table whose keys keep recovering stays as fast as a fresh one.
 */
export class FailedIndex {
  /** Slot i at 3i (lane 1), 3i + 1 (lane 2), 3i + 2 (id + 1; 0 when empty). */
  private slots = new Int32Array(3 * 1024);
  private mask = 1023;
  size = 0;

  /** The id listed for the hash `h1:h2`, or -1. */
  get(h1: number, h2: number): number {
    const a = this.slots;
    const mask = this.mask;
    for (let i = h2 & mask; ; i = (i + 1) & mask) {
      const v = a[3 * i + 2];
      if (v === 0) return -1;
      if (a[3 * i + 1] === h2 && a[3 * i] === h1) return v - 1;
    }
  }

  /** Lists the hash at `id`; replaces its id when it is listed. */
  set(h1: number, h2: number, id: number): void {
    const a = this.slots;
    const mask = this.mask;
    let i = h2 & mask;
    for (; a[3 * i + 2] !== 0; i = (i + 1) & mask) {
      if (a[3 * i + 1] === h2 && a[3 * i] === h1) {
        a[3 * i + 2] = id + 1;
        return;
      }
    }
    a[3 * i] = h1;
    a[3 * i + 1] = h2;
    a[3 * i + 2] = id + 1;
    // At most 3/4 full: probes stay short.
    if (++this.size * 4 > (mask + 1) * 3) this.grow();
  }

  /** Unlists the hash; true when it was listed. */
  delete(h1: number, h2: number): boolean {
    const a = this.slots;
    const mask = this.mask;
    let i = h2 & mask;
    for (; ; i = (i + 1) & mask) {
      const v = a[3 * i + 2];
      if (v === 0) return false;
      if (a[3 * i + 1] === h2 && a[3 * i] === h1) break;
    }
    // Shift back every following slot whose home is not between the hole and itself.
    for (let j = (i + 1) & mask; a[3 * j + 2] !== 0; j = (j + 1) & mask) {
      const home = a[3 * j + 1] & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      a[3 * i] = a[3 * j];
      a[3 * i + 1] = a[3 * j + 1];
      a[3 * i + 2] = a[3 * j + 2];
      i = j;
    }
    a[3 * i] = 0;
    a[3 * i + 1] = 0;
    a[3 * i + 2] = 0;
    this.size--;
    return true;
  }

  private grow(): void {
    const old = this.slots;
    const cap = 2 * (this.mask + 1);
    const a = new Int32Array(3 * cap);
    const mask = cap - 1;
    for (let j = 0; j < old.length; j += 3) {
      if (old[j + 2] === 0) continue;
      let i = old[j + 1] & mask;
      while (a[3 * i + 2] !== 0) i = (i + 1) & mask;
      a[3 * i] = old[j];
      a[3 * i + 1] = old[j + 1];
      a[3 * i + 2] = old[j + 2];
    }
    this.slots = a;
    this.mask = mask;
  }
}
