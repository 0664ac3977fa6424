import { setTimeout as delay } from 'node:timers/promises';
import type { CloudRunApi, LogEntry } from './api.js';
import { CloudRunError } from './errors.js';
import { executionLogFilter } from './log-filter.js';

/** One execution's log to read. */
export interface FeedSubscription {
  project: string;
  job: string;
  execution: string;
  /** Read entries from this time on (epoch ms): the execution's create time. */
  since: number;
  /** New entries (duplicates dropped), oldest first within a page; `newestAt` is the newest timestamp seen so far. */
  onEntries(entries: LogEntry[], newestAt: number): void;
  /** A call failed; the next try is in `retryInMs`. Quota errors reach every subscription of the project. */
  onError(err: CloudRunError, retryInMs: number): void;
  /**
   * A call for this subscription answered (with or without entries): the log is being read. `passStartedAt`:
   * when the first page of this pass over the log was asked for; `caughtUp`: this page was the pass's last; `missed`: how
   * many passes in a row, this one included, reached the end without the newest entry read before, which each asked for
   * again (its time is inside every pass's window) and brought nothing new: Cloud Logging no longer has entries it gave
   * (a region restarted without them), so the entries read are all there will be. The reader decides how many passes
   * prove it (one answer short of an entry may be a hiccup).
   */
  onRead?(at: number, pass: { passStartedAt: number; caughtUp: boolean; missed: number }): void;
}

/** Options for {@link createLogFeed}. */
export interface LogFeedOptions {
  api: CloudRunApi;
  /** Epoch ms. */
  now?: () => number;
  /** Waits `ms` (resolves early on abort); tests pass one that moves an injected clock. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** At most one entries:list call per project this often, for all jobs together (quota ~60/min). Default 2000. */
  minIntervalMs?: number;
  pageSize?: number;
  /**
   * Each read starts this far before the newest entry seen: entries arrive late and not always in timestamp
   * order, so a read from exactly the newest would miss a late one. The overlap is de-duplicated by insertId.
   */
  overlapMs?: number;
  /** The longest backoff after 429 or errors. */
  maxBackoffMs?: number;
  signal: AbortSignal;
}

/** Reads execution logs from Cloud Logging for any number of jobs, within the project's read quota. */
export interface LogFeed {
  /** Starts reading one execution's log; returns the function that stops it. */
  follow(sub: FeedSubscription): () => void;
  /**
   * Reads `execution`'s log next, without the backoff of failed calls (still `minIntervalMs` after the last call, and
   * never sooner after a 429): something says its log may have changed. Resolves once that read answered or failed
   * (at once when no such log is followed).
   */
  nudge(execution: string): Promise<void>;
  /** Resolves when every project loop has ended (after the signal aborted). */
  done(): Promise<void>;
}

interface Sub extends FeedSubscription {
  newestAt: number;
  seen: Map<string, number>;
  pageToken: string | null;
  pageFilter: string | null;
  /** When the current pass (first page to last) began. */
  passStartedAt: number;
  /** The newest entry delivered (its insertId), or null before any. */
  newestId: string | null;
  /** The newest entry as the current pass began, and whether the pass met it again (see onRead's `lost`). */
  passProbe: string | null;
  passMet: boolean;
  /** Passes in a row that ended without meeting their probe. */
  passesShort: number;
  /** Called once this subscription's next read answered or failed (nudge). */
  waiters: (() => void)[];
  stopped: boolean;
}

/**
 * Polls `entries:list` (never tailEntries: its REST form does not exist and gRPC streaming crashes on loopback).
 * One loop per project takes the subscriptions in turn, one page per call, and waits so that calls start at
 * least `minIntervalMs` apart; a 429 or error doubles the wait up to `maxBackoffMs` and says so. Reads resume
 * from the newest entry seen (less the overlap), and entries already delivered (same insertId) are dropped.
 */
export function createLogFeed(opts: LogFeedOptions): LogFeed {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined));
  const minInterval = opts.minIntervalMs ?? 2000;
  const overlap = opts.overlapMs ?? 30_000;
  const maxBackoff = opts.maxBackoffMs ?? 60_000;
  const projects = new Map<string, { subs: Sub[]; wake: (() => void) | null; turn: number; loop: Promise<void>; next: Sub | null; nudged: (() => void) | null }>();
  const settle = (sub: Sub) => {
    for (const w of sub.waiters.splice(0)) w();
  };

  async function loop(project: string): Promise<void> {
    const p = projects.get(project)!;
    let backoff = 0;
    while (!opts.signal.aborted) {
      const live = p.subs.filter((s) => !s.stopped);
      p.subs = live;
      if (live.length === 0) {
        await new Promise<void>((resolve) => {
          const done = () => {
            opts.signal.removeEventListener('abort', done);
            resolve();
          };
          p.wake = done;
          opts.signal.addEventListener('abort', done, { once: true });
        });
        p.wake = null;
        continue;
      }
      // A nudged log out of turn; the others keep their order.
      const nudged = p.next !== null && !p.next.stopped ? p.next : null;
      p.next = null;
      const sub = nudged ?? live[p.turn++ % live.length];
      const started = now();
      let quota = false;
      try {
        await readPage(sub);
        backoff = 0;
      } catch (err) {
        if (opts.signal.aborted) break;
        const e = err instanceof CloudRunError ? err : new CloudRunError(String(err), 'network', null, null);
        backoff = Math.min(maxBackoff, Math.max(backoff * 2, minInterval * 2));
        quota = e.kind === 'quota';
        const told = quota ? live : [sub];
        for (const s of told) s.onError(e, backoff + minInterval);
      } finally {
        settle(sub);
      }
      const wait = started + minInterval + backoff - now();
      if (wait > 0) {
        // A nudge cuts a failure's backoff short (never a 429's: the quota is the project's), not the pace.
        const woken = quota ? null : new Promise<void>((resolve) => (p.nudged = resolve));
        await Promise.race([sleep(wait, opts.signal), ...(woken ? [woken] : [])]);
        p.nudged = null;
        const rest = started + minInterval - now();
        if (rest > 0 && p.next) await sleep(rest, opts.signal);
      }
    }
    for (const s of p.subs) settle(s);
  }

  async function readPage(sub: Sub): Promise<void> {
    // A page token belongs to the filter it came with: keep the filter until the last page.
    if (!sub.pageToken) {
      sub.passStartedAt = now();
      sub.passProbe = sub.newestId;
      sub.passMet = false;
    }
    const filter = sub.pageFilter ?? executionLogFilter(sub.job, sub.execution, Math.max(sub.since, sub.newestAt - overlap));
    const page = await opts.api.listEntries(
      { resourceNames: [`projects/${sub.project}`], filter, orderBy: 'timestamp asc', pageSize: opts.pageSize ?? 1000, ...(sub.pageToken ? { pageToken: sub.pageToken } : {}) },
      opts.signal,
    );
    if (sub.stopped) return;
    sub.pageToken = page.nextPageToken;
    sub.pageFilter = page.nextPageToken ? filter : null;
    const fresh: LogEntry[] = [];
    for (const e of page.entries) {
      if (e.insertId === sub.passProbe) sub.passMet = true;
      if (sub.seen.has(e.insertId)) continue;
      const at = Date.parse(e.timestamp);
      sub.seen.set(e.insertId, at);
      if (at >= sub.newestAt) {
        sub.newestAt = at;
        sub.newestId = e.insertId;
      }
      fresh.push(e);
    }
    // Only entries inside the overlap can come back: forget older ids so memory stays bounded.
    if (!sub.pageToken) for (const [id, at] of sub.seen) if (at < sub.newestAt - overlap - 1000) sub.seen.delete(id);
    // Entries first: once a read is reported, what it brought is in (a pass that caught up has delivered all).
    if (fresh.length > 0) sub.onEntries(fresh, sub.newestAt);
    // Entries come back in every read whose window holds them (it begins `overlap` before the newest): a whole pass
    // without the newest one, and nothing new, means Cloud Logging lost what it gave.
    if (fresh.length > 0) sub.passMet = true;
    if (!sub.pageToken) sub.passesShort = sub.passProbe !== null && !sub.passMet ? sub.passesShort + 1 : 0;
    sub.onRead?.(now(), { passStartedAt: sub.passStartedAt, caughtUp: !sub.pageToken, missed: sub.pageToken ? 0 : sub.passesShort });
  }

  return {
    follow(spec) {
      const sub: Sub = { ...spec, newestAt: 0, seen: new Map(), pageToken: null, pageFilter: null, passStartedAt: 0, newestId: null, passProbe: null, passMet: false, passesShort: 0, waiters: [], stopped: false };
      let p = projects.get(spec.project);
      if (!p) {
        p = { subs: [], wake: null, turn: 0, loop: Promise.resolve(), next: null, nudged: null };
        projects.set(spec.project, p);
        p.subs.push(sub);
        p.loop = loop(spec.project);
      } else {
        p.subs.push(sub);
        p.wake?.();
      }
      return () => {
        sub.stopped = true;
        settle(sub);
      };
    },
    nudge(execution) {
      for (const p of projects.values()) {
        const sub = p.subs.find((s) => s.execution === execution && !s.stopped);
        if (!sub || opts.signal.aborted) continue;
        p.next = sub;
        const read = new Promise<void>((resolve) => sub.waiters.push(resolve));
        p.nudged?.();
        return read;
      }
      return Promise.resolve();
    },
    async done() {
      await Promise.all([...projects.values()].map((p) => p.loop));
    },
  };
}
