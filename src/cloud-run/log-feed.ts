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
   * when the first page of this pass over the log was asked for; `caughtUp`: this page was the pass's last.
   */
  onRead?(at: number, pass: { passStartedAt: number; caughtUp: boolean }): void;
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
  const projects = new Map<string, { subs: Sub[]; wake: (() => void) | null; turn: number; loop: Promise<void> }>();

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
      const sub = live[p.turn++ % live.length];
      const started = now();
      try {
        await readPage(sub);
        backoff = 0;
      } catch (err) {
        if (opts.signal.aborted) break;
        const e = err instanceof CloudRunError ? err : new CloudRunError(String(err), 'network', null, null);
        backoff = Math.min(maxBackoff, Math.max(backoff * 2, minInterval * 2));
        const told = e.kind === 'quota' ? live : [sub];
        for (const s of told) s.onError(e, backoff + minInterval);
      }
      const wait = started + minInterval + backoff - now();
      if (wait > 0) await sleep(wait, opts.signal);
    }
  }

  async function readPage(sub: Sub): Promise<void> {
    // A page token belongs to the filter it came with: keep the filter until the last page.
    if (!sub.pageToken) sub.passStartedAt = now();
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
      if (sub.seen.has(e.insertId)) continue;
      const at = Date.parse(e.timestamp);
      sub.seen.set(e.insertId, at);
      if (at > sub.newestAt) sub.newestAt = at;
      fresh.push(e);
    }
    // Only entries inside the overlap can come back: forget older ids so memory stays bounded.
    if (!sub.pageToken) for (const [id, at] of sub.seen) if (at < sub.newestAt - overlap - 1000) sub.seen.delete(id);
    // Entries first: once a read is reported, what it brought is in (a pass that caught up has delivered all).
    if (fresh.length > 0) sub.onEntries(fresh, sub.newestAt);
    sub.onRead?.(now(), { passStartedAt: sub.passStartedAt, caughtUp: !sub.pageToken });
  }

  return {
    follow(spec) {
      const sub: Sub = { ...spec, newestAt: 0, seen: new Map(), pageToken: null, pageFilter: null, passStartedAt: 0, stopped: false };
      let p = projects.get(spec.project);
      if (!p) {
        p = { subs: [], wake: null, turn: 0, loop: Promise.resolve() };
        projects.set(spec.project, p);
        p.subs.push(sub);
        p.loop = loop(spec.project);
      } else {
        p.subs.push(sub);
        p.wake?.();
      }
      return () => {
        sub.stopped = true;
      };
    },
    async done() {
      await Promise.all([...projects.values()].map((p) => p.loop));
    },
  };
}
