import { setTimeout as delay } from 'node:timers/promises';
import type { CloudRunApi, LogEntry } from './api.js';
import { CloudRunError } from './errors.js';
import { processWakes } from '../wake.js';
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
  /**
   * A call failed; this log is read next in `retryInMs` (its own turn, after the other logs' before it, each as late as
   * the calls failing on would make it). Told again whenever that time moves, until a read of it answers. Quota errors
   * reach every subscription of the project.
   */
  onError(err: CloudRunError, retryInMs: number): void;
  /** A read of this log is under way, after a failed one (onError): its next time is now. */
  onAsk?(at: number): void;
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
  /** How many times this process was continued after a stop (wake.ts processWakes, the default). */
  wakes?: () => number;
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
  /** Its last read failed (or a 429 reached the project): the error, until a read of it answers. */
  troubled: CloudRunError | null;
  /** When it was last told its next read would be (epoch ms). */
  toldAt: number | null;
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
  const wakes = opts.wakes ?? processWakes;
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
      const woke = wakes();
      let quota = false;
      try {
        await readPage(sub);
        backoff = 0;
      } catch (err) {
        if (opts.signal.aborted) break;
        // Cut across a stop of this process (Ctrl-Z, then fg): no fault of Cloud Logging's (wake.ts). Read again at
        // once, unsaid; a second failure is said as any.
        if (wakes() !== woke) {
          p.next = sub;
          continue;
        }
        const e = err instanceof CloudRunError ? err : new CloudRunError(String(err), 'network', null, null);
        backoff = Math.min(maxBackoff, Math.max(backoff * 2, minInterval * 2));
        quota = e.kind === 'quota';
        for (const s of quota ? live : [sub]) s.troubled = e;
      } finally {
        settle(sub);
      }
      if (opts.signal.aborted) break;
      tellTurns(p, Math.max(now(), started + minInterval + backoff), backoff);
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

  /**
   * Tells each log whose last read failed when its next read comes (tester AE12's nit: each was told the loop's next
   * call, which with two logs in turn was the other's, so `next read at` stood a time gone, then `reading again…` a
   * minute while nothing read it). From `nextAt`, the logs in their turn; while calls fail each next one waits the
   * doubled backoff, as the loop will if they go on failing (a call that answers sooner only brings a read earlier).
   */
  function tellTurns(p: { subs: Sub[]; turn: number; next: Sub | null }, nextAt: number, backoff: number): void {
    const live = p.subs.filter((s) => !s.stopped);
    if (!live.some((s) => s.troubled)) return;
    const order = [...(p.next && !p.next.stopped ? [p.next] : []), ...live.map((_, k) => live[(p.turn + k) % live.length]).filter((s) => s !== p.next)];
    let at = nextAt;
    let b = backoff;
    for (const s of order) {
      if (s.troubled && s.toldAt !== at) {
        s.toldAt = at;
        s.onError(s.troubled, at - now());
      }
      if (b > 0) b = Math.min(maxBackoff, Math.max(b * 2, minInterval * 2));
      at += minInterval + b;
    }
  }

  async function readPage(sub: Sub): Promise<void> {
    if (sub.troubled) sub.onAsk?.(now());
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
    sub.troubled = null;
    sub.toldAt = null;
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
      const sub: Sub = { ...spec, newestAt: 0, seen: new Map(), pageToken: null, pageFilter: null, passStartedAt: 0, newestId: null, passProbe: null, passMet: false, passesShort: 0, waiters: [], troubled: null, toldAt: null, stopped: false };
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
