import type { Config } from '../config.js';
import { storageSource, warehouseSource } from '../app/make-sources.js';
import type { KeyFormat } from './expected-keys.js';
import { createLimiter, type Limiter } from './limit.js';
import { startPoller, type Poller, type PollerTimers } from './poller.js';
import type { KeySource, ListProgress, ListTrace, SourceError, SourceResult } from './source.js';

/** Cloud requests in flight at once, over every job and stage: one list runs its pages one after another. */
export const CLOUD_LISTS_IN_FLIGHT = 4;
/**
 * The slowest a job's or stage's coverage is looked at while nothing of it can change in view (see startRuntime:
 * a run live or just ended, or the job's own screen open, keep the configured pace).
 */
export const IDLE_POLL_MS = 60_000;
/** `g` starts a listing of a source only when its last one started at least this long ago. */
export const MIN_REFRESH_GAP_MS = 10_000;

/** What `g` did for one source: started a listing, or not, because the last one started `agoMs` ago. */
export type RefreshAnswer = { started: true } | { started: false; agoMs: number; nextInMs: number; running: boolean };

/** What a follower of a source hears: the same callbacks a poller gives. */
export interface Follower {
  onStart?(): void;
  onResult(result: SourceResult, at: number): void;
  onError(error: SourceError, at: number, nextInMs: number): void;
}

/** A follower's hold on a hub source. */
export interface FollowHandle {
  refresh(): RefreshAnswer;
  /** How far the listing in flight is (ListTrace.progress), or null when none runs or it cannot tell. */
  progress(): ListProgress | null;
  pace(intervalMs: number): void;
}

/**
 * One place every job and chain stage gets its coverage sources from, so a bucket prefix or a table named
 * by several of them is listed once per interval: sources with the same listing share one underlying
 * source, one poller and one result; cloud lists wait for one of {@link CLOUD_LISTS_IN_FLIGHT} slots.
 */
export interface SourceHub {
  storage(spec: NonNullable<Config['storage']>): KeySource;
  warehouse(spec: NonNullable<Config['warehouse']>, keyFormat: KeyFormat): KeySource;
  /**
   * Follows a hub source every `intervalMs` (the shortest any follower asks for) until `signal` aborts. `pace(ms)`
   * changes this follower's interval (a job whose rows cannot change asks for less): a shorter one takes effect at
   * once, a longer one from the next look.
   */
  follow(source: KeySource, intervalMs: number, follower: Follower, signal: AbortSignal): FollowHandle;
  /**
   * Tells a hub source how many keys a job or stage naming it expects: its listings may take as many pages as the
   * largest count told can explain (page-guard.ts), and no more.
   */
  expect(source: KeySource, expectedKeys: number): void;
  /** Lists started per listing (key → count), for tests and the bench. */
  readonly lists: Map<string, number>;
  readonly limiter: Limiter;
  /** Stops every poller; lists in flight end on their own time limits. */
  close(): void;
}

interface Core {
  key: string;
  source: KeySource;
  cloud: boolean;
  running: Promise<SourceResult> | null;
  again: Promise<SourceResult> | null;
  once: Promise<SourceResult> | null;
  /** The newest outcome, handed to a follower that joins between polls. */
  last: { result: SourceResult; at: number } | { error: SourceError; at: number; next: number } | null;
  followers: Set<{ intervalMs: number; follower: Follower }>;
  /** The most keys any job or stage naming this source expects; undefined until one has read its expected keys. */
  expectedKeys: number | undefined;
  poller: { poller: Poller; ac: AbortController } | null;
  /** When the last listing started (on the hub's clock), null before the first. */
  startedAt: number | null;
  /** How far the last listing got: handed to a caller whose wait for it ends first. */
  trace: ListTrace;
}

const CORE = Symbol('core');
type HubSource = KeySource & { [CORE]: Core };

/**
 * `mode`: 'live' (the dashboard: every list is a fresh one, joining the queue behind one in flight) or
 * 'snapshot' (status, missing: the first list's result serves every job and stage naming the source).
 */
export function createSourceHub(opts: { mode: 'live' | 'snapshot'; now?: () => number; timers?: PollerTimers; random?: () => number; slots?: number }): SourceHub {
  const now = opts.now ?? Date.now;
  const limiter = createLimiter(opts.slots ?? CLOUD_LISTS_IN_FLIGHT);
  const hubAc = new AbortController();
  const cores = new Map<string, Core>();
  const lists = new Map<string, number>();

  const start = (core: Core): Promise<SourceResult> => {
    lists.set(core.key, (lists.get(core.key) ?? 0) + 1);
    core.startedAt = now();
    const trace: ListTrace = { asked: 0 };
    core.trace = trace;
    const work = () => core.source.list(hubAc.signal, { expectedKeys: core.expectedKeys, trace });
    const p = core.cloud ? limiter.run(work, hubAc.signal) : work();
    core.running = p;
    const done = () => {
      if (core.running === p) core.running = null;
    };
    p.then(done, done);
    return p;
  };
  /** A list that starts now, or right after the one in flight (which may predate the question). */
  const fresh = (core: Core): Promise<SourceResult> => {
    if (!core.running) return start(core);
    if (!core.again) {
      const next = core.running.then(
        () => undefined,
        () => undefined,
      ).then(() => {
        core.again = null;
        return start(core);
      });
      core.again = next;
    }
    return core.again;
  };

  const coreFor = (key: string, cloud: boolean, make: () => KeySource): Core => {
    let core = cores.get(key);
    if (!core) {
      core = { key, source: make(), cloud, running: null, again: null, once: null, last: null, followers: new Set(), poller: null, expectedKeys: undefined, startedAt: null, trace: { asked: 0 } };
      cores.set(key, core);
    }
    return core;
  };

  const wrap = (core: Core, name: 'storage' | 'warehouse'): HubSource => ({
    name,
    label: core.source.label,
    service: core.source.service,
    timeoutHint: core.source.timeoutHint,
    endpoint: core.source.endpoint,
    [CORE]: core,
    list(signal, options) {
      if (options?.expectedKeys !== undefined) expectKeys(core, options.expectedKeys);
      const p = opts.mode === 'snapshot' ? (core.once ??= start(core)) : fresh(core);
      return untilAborted(p, signal, () => {
        if (options?.trace) Object.assign(options.trace, core.trace);
      });
    },
  });

  const expectKeys = (core: Core, n: number) => {
    core.expectedKeys = Math.max(core.expectedKeys ?? 0, n);
  };

  const restartPoller = (core: Core) => {
    core.poller?.ac.abort();
    core.poller = null;
    if (core.followers.size === 0 || hubAc.signal.aborted) return;
    const ac = new AbortController();
    const each = (fn: (f: Follower) => void) => [...core.followers].forEach((f) => fn(f.follower));
    const poller = startPoller({
      source: { name: 'storage', label: core.source.label, list: () => fresh(core) },
      intervalMs: () => paceOf(core),
      signal: AbortSignal.any([ac.signal, hubAc.signal]),
      timers: opts.timers,
      random: opts.random,
      now,
      onStart: () => each((f) => f.onStart?.()),
      onResult: (result, at) => {
        core.last = { result, at };
        each((f) => f.onResult(result, at));
      },
      onError: (error, at, next) => {
        core.last = { error, at, next };
        each((f) => f.onError(error, at, next));
      },
    });
    core.poller = { poller, ac };
  };
  /** The shortest interval any follower of `core` asks for now. */
  const paceOf = (core: Core) => Math.min(...[...core.followers].map((f) => f.intervalMs));

  return {
    lists,
    limiter,
    storage(spec) {
      const cloud = spec.url.startsWith('gs://');
      const key = JSON.stringify(['storage', spec.url, spec.keyPattern ?? null, spec.apiEndpoint ?? null, spec.projectId ?? null]);
      return wrap(coreFor(key, cloud, () => storageSource(spec)), 'storage');
    },
    warehouse(spec, keyFormat) {
      const key = spec.dir
        ? JSON.stringify(['dir', spec.dir])
        : JSON.stringify(['bigquery', spec.table, spec.column, keyFormat, spec.since ?? null, spec.until ?? null, spec.location ?? null, spec.projectId ?? null, spec.apiEndpoint ?? null]);
      return wrap(coreFor(key, !spec.dir, () => warehouseSource(spec, keyFormat)), 'warehouse');
    },
    expect(source, expectedKeys) {
      const core = (source as HubSource)[CORE];
      if (core) expectKeys(core, expectedKeys);
    },
    follow(source, intervalMs, follower, signal) {
      const core = (source as HubSource)[CORE];
      if (!core) throw new Error('follow() takes a source made by this hub');
      const entry = { intervalMs, follower };
      const before = core.poller ? paceOf(core) : Infinity;
      core.followers.add(entry);
      if (!core.poller || intervalMs < before) restartPoller(core);
      else if (core.last && 'result' in core.last) follower.onResult(core.last.result, core.last.at);
      else if (core.last) follower.onError(core.last.error, core.last.at, core.last.next);
      signal.addEventListener(
        'abort',
        () => {
          core.followers.delete(entry);
          if (core.followers.size === 0) restartPoller(core);
        },
        { once: true },
      );
      return {
        pace(ms) {
          if (ms === entry.intervalMs) return;
          const before = paceOf(core);
          entry.intervalMs = ms;
          if (core.followers.has(entry) && paceOf(core) < before) core.poller?.poller.reschedule();
        },
        progress: () => (core.running ? (core.trace.progress ?? null) : null),
        // A key held down or pressed in a burst must not become a burst of listings: one per MIN_REFRESH_GAP_MS.
        refresh: (): RefreshAnswer => {
          const agoMs = core.startedAt === null ? Infinity : now() - core.startedAt;
          if (agoMs < MIN_REFRESH_GAP_MS) return { started: false, agoMs, nextInMs: MIN_REFRESH_GAP_MS - agoMs, running: core.running !== null };
          core.poller?.poller.refresh();
          return { started: true };
        },
      };
    },
    close() {
      hubAc.abort();
      for (const core of cores.values()) core.poller = null;
    },
  };
}

/** The shared list's result for this caller, or its own abort: one caller giving up never cancels the others' list. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal, onAbort: () => void): Promise<T> {
  if (signal.aborted) {
    onAbort();
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort();
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', abort);
        reject(e);
      },
    );
  });
}
