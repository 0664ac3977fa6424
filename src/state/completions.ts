import { COMPLETION_WINDOW, type RunState } from './run.js';

/** Records a completion (scraped or failed) at `at` in the run's rate window, which stays bounded. */
export function completion(run: RunState, at: number): void {
  const c = run.completions;
  c.push(at);
  // Trimmed in place by a plain loop: splice makes an array of what it removes, and copyWithin on an
  // array (not a typed array) takes V8's generic path, about 100 ns an element.
  if (c.length > COMPLETION_WINDOW * 2) {
    const from = c.length - COMPLETION_WINDOW;
    for (let i = 0; i < COMPLETION_WINDOW; i++) c[i] = c[from + i];
    c.length = COMPLETION_WINDOW;
  }
}

/**
 * Completions of one fold loop (run-keys.ts foldKeyed), held in a typed ring and put into the run's window
 * once at the end, as the same `completion` calls one by one would have left it: an array push per
 * completion is a builtin call in that loop, a fifth of a million-key run's fold. Only the newest
 * 2 × COMPLETION_WINDOW times can remain, so the ring holds those.
 */
export class CompletionRing {
  /** A window holds at most this many times (it is cut back to COMPLETION_WINDOW past it). */
  private readonly most = COMPLETION_WINDOW * 2;
  private readonly times = new Float64Array(this.most);
  /** Times added since the last `flush`. */
  private added = 0;
  /** Where the next one goes. */
  private next = 0;

  add(at: number): void {
    this.times[this.next] = at;
    this.next = this.next + 1 === this.most ? 0 : this.next + 1;
    this.added++;
  }

  /** Forgets what was added since the last flush (a fold that threw before its flush left it there). */
  clear(): void {
    this.added = 0;
  }

  /** Puts the times added since the last flush into `c` (a run's `completions`) as `completion` would have. */
  flush(c: number[]): void {
    const added = this.added;
    const most = this.most;
    if (added === 0) return;
    this.added = 0;
    const before = c.length;
    // The window's length after `added` pushes: it grows to most + 1, is cut to COMPLETION_WINDOW, grows again.
    let length = before + added;
    if (length > most) length = COMPLETION_WINDOW + ((added - (most + 1 - before)) % (COMPLETION_WINDOW + 1));
    // It holds the newest `length` times of the old window followed by the new ones.
    const fresh = Math.min(length, added);
    const kept = length - fresh;
    if (kept < before) for (let i = 0; i < kept; i++) c[i] = c[before - kept + i];
    let from = this.next - fresh;
    if (from < 0) from += most;
    for (let i = 0; i < fresh; i++) {
      c[kept + i] = this.times[from];
      from = from + 1 === most ? 0 : from + 1;
    }
    c.length = length;
  }
}
