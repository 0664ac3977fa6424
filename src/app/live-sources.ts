import { readyUnlessAborted } from '../abort.js';
import { historyStartFor } from './history-start.js';
import { watchExpectedKeys } from '../coverage/expected-watch.js';
import { expectedWhere } from '../coverage/expected-keys.js';
import { createSourceHub, IDLE_POLL_MS, type FollowHandle, type RefreshAnswer, type SourceHub } from '../coverage/source-hub.js';
import type { KeySource } from '../coverage/source.js';
import type { Config } from '../config.js';
import { watchFailedFiles } from '../failures/failed-watcher.js';
import type { FailedFile } from '../failures/failed-file.js';
import { isGsGlob } from '../failures/gs-glob.js';
import { followLog } from '../log-follower.js';
import type { Grammar } from '../parser/index.js';
import { logHandlers } from './log-events.js';
import { readRotatedPrelude } from './rotated-prelude.js';
import { readLogOnce } from './read-log-once.js';
import { procWriters } from './proc-writers.js';
import { parseWorkerChoice } from './parse-worker-client.js';
import { guessFromFile, logWritten } from './log-zone-guess.js';
import { logNotAFile } from '../overview/row-problem.js';
import type { AppEvent } from '../state/events.js';
import type { ExpectedInfo } from '../state/app-state.js';
import { ownKind } from '../failures/own-kind.js';
import { warehouseWaits } from './make-sources.js';

/** chokidar sees a new failed-keys file at once; this slow look only catches what it missed. */
const FAILED_POLL_MS = 15_000;

/** Handles on the running sources that keys can poke. */
/** How often a look in flight says how far it is (ms): a look over a second shows its progress. */
const PROGRESS_TICK_MS = 1000;

export interface LiveSources {
  storage: KeySource | null;
  warehouse: KeySource | null;
  /** `g`: check both sources now, or only the one named; each says whether it started (see MIN_REFRESH_GAP_MS). */
  refresh(only?: 'storage' | 'warehouse'): { name: 'storage' | 'warehouse'; answer: RefreshAnswer }[];
  /** Resolves when every source has stopped (after the signal aborted). */
  done: Promise<unknown>;
  /** Coverage looks at the configured pace (true), or at most every IDLE_POLL_MS (see runtime.ts: when and why). */
  pace(fast: boolean): void;
}


/**
 * Starts every source of the dashboard: they know nothing of React and only dispatch events.
 * A failing source never stops another: each runs on its own and reports its own errors.
 */
export function startLiveSources(config: Config, grammar: Grammar, dispatch: (e: AppEvent) => void, signal: AbortSignal, now: () => number, shared?: SourceHub, ready?: Promise<unknown>): LiveSources {
  const tasks: Promise<unknown>[] = [];
  // Jobs of one dashboard share a hub (a prefix or table named twice is polled once); a lone job has its own.
  const hub = shared ?? createSourceHub({ mode: 'live', now });
  if (!shared) signal.addEventListener('abort', () => hub.close(), { once: true });
  const storage = config.storage ? hub.storage(config.storage) : null;
  // Said at once, looked at once `ready`: the cell says `unknown` until the first look, never `–` (no such source).
  if (storage) dispatch({ type: 'coverage/configured', source: storage.name, label: storage.label });
  const pollers: { name: 'storage' | 'warehouse'; poller: FollowHandle; intervalMs: number }[] = [];
  let fast = true;
  const paceOf = (intervalMs: number) => (fast ? intervalMs : Math.max(intervalMs, IDLE_POLL_MS));
  const live: LiveSources = {
    storage,
    warehouse: null,
    refresh: (only) => pollers.filter((p) => !only || p.name === only).map((p) => ({ name: p.name, answer: p.poller.refresh() })),
    done: Promise.resolve(),
    pace(next) {
      if (next === fast) return;
      fast = next;
      for (const p of pollers) p.poller.pace(paceOf(p.intervalMs));
    },
  };
  /** The kind of the job's expected keys once read (dates or ids): its failed-keys files' own (own-kind.ts). */
  let expectedKind: 'date' | 'id' | null = null;
  const start = () => {
    // A Cloud Run job's log comes from Cloud Logging through its run place, not from a file.
    if (!config.cloudRun) tasks.push(
      // No `timezone`: the file's modification time says which zone its clock is in (log-zone-guess.ts).
      guessFromFile(config.log, grammar, now).then(async (guess) => {
        const read = guess ? { ...grammar, zone: guess.zone } : grammar;
        // Rotated files holding the beginning of the run the log goes on with are read first (tester X13): once, at
        // the start; a rotation while followed is the follower's (it reads the old file to its end).
        const clock = await readRotatedPrelude(config.log, grammar, dispatch, (file, d, g, from) => readLogOnce(file, g, d, undefined, { worker: null, clock: from }), now, guess);
        if (signal.aborted) return;
        const handlers = logHandlers(read, dispatch, now, true, guess, parseWorkerChoice(), false, clock);
        let written = false;
        return followLog(
          config.log,
          {
            // A long history is read in the parse worker (parse-worker-client.ts); what is appended later, here.
            ...handlers,
            onProgress: (p) => {
              handlers.onProgress?.(p);
              // Its history read, when the log's newest line was written (the file's modification time): a writer's
              // clock minutes off is known before any line arrives, as `status` knows it (tester X12: opened after
              // the lines of a writer 7 min ahead that then hung, `running · 0:00` beside status's `stalled`).
              if (!p.historyDone || written) return;
              written = true;
              void logWritten(config.log).then((w) => w && dispatch({ type: 'log/written', ...w }));
            },
            // State, not only a notice: the overview row says it, and it goes once the log is read again.
            onError: (err) => dispatch({ type: 'log/problem', message: `log: ${(err as Error).message ?? String(err)} (retrying)` }),
            onUnusable: (what) => dispatch({ type: 'log/problem', message: logNotAFile(config.log, what) }),
          },
          // logHandlers parses each chunk as it comes: the chunk buffer can be lent.
          { signal, historyStart: historyStartFor(read), lendChunks: true, writers: procWriters() },
        );
      }),
    );
    // On the default glob, a file of the other kind of keys than the job's is another job's (own-kind.ts), said once
    // the job's kind is known from its expected keys; what was read last is sent again when that kind comes or changes.
    const ownKindOnly = config.failedIsDefault === true;
    let lastFailed: { files: FailedFile[]; current: FailedFile | null; notes: string[] } | null = null;
    const sendFailed = () => lastFailed && dispatch({ type: 'failed/update', ...(ownKindOnly ? ownKind(lastFailed, expectedKind) : lastFailed) });
    const onFailed = (files: FailedFile[], current: FailedFile | null, notes: string[]) => {
      lastFailed = { files, current, notes };
      sendFailed();
    };
    // A gs:// glob: the failed-keys objects a Cloud Run job's script writes (its container's files are lost). None
    // for a Cloud Run job without `failed`: its failures are its executions' (tester X3).
    const glob = config.failed;
    const failedTask =
      glob === null
        ? Promise.resolve()
        : isGsGlob(glob)
          ? import('../failures/gcs-failed-watch.js').then((m) => m.watchGcsFailedFiles({ glob, apiEndpoint: config.storage?.apiEndpoint, projectId: config.storage?.projectId }, onFailed, { signal }))
          : watchFailedFiles(glob, { onUpdate: onFailed }, { signal, pollMs: FAILED_POLL_MS });
    tasks.push(failedTask.catch((err: Error) => dispatch({ type: 'ui/notice', text: `failed-keys files: ${err.message}`, tone: 'fail' })));
    const poll = (source: KeySource, intervalMs: number) => {
      if (source !== storage) dispatch({ type: 'coverage/configured', source: source.name, label: source.label });
      // While a look runs, how far it is, once a second (tester Z10: a slow bucket listing said only `checking…`):
      // the objects listed so far reach the panel from the first second on.
      let ticker: NodeJS.Timeout | undefined;
      const stopTicker = () => {
        clearInterval(ticker);
        ticker = undefined;
      };
      signal.addEventListener('abort', stopTicker, { once: true });
      const handle = hub.follow(
        source,
        paceOf(intervalMs),
        {
          onStart: () => {
            dispatch({ type: 'coverage/checking', source: source.name, at: now() });
            stopTicker();
            if (signal.aborted) return;
            ticker = setInterval(() => {
              const progress = handle.progress();
              if (progress) dispatch({ type: 'coverage/progress', source: source.name, progress });
            }, PROGRESS_TICK_MS);
            ticker.unref();
          },
          onResult: (result, at) => {
            stopTicker();
            dispatch({ type: 'coverage/result', source: source.name, result, at });
          },
          onError: (error, at) => {
            stopTicker();
            dispatch({ type: 'coverage/error', source: source.name, error, at });
          },
        },
        signal,
      );
      pollers.push({ name: source.name, intervalMs, poller: handle });
    };
    if (storage && config.storage) poll(storage, config.storage.pollSeconds * 1000);
    // The warehouse's query waits for the expected keys (dates or ids): until they are read its row says so. It
    // vanished while they could not be read (tester AA8: a missing file left no warehouse row and no word why).
    if (config.warehouse) {
      dispatch({ type: 'coverage/configured', source: 'warehouse', label: config.warehouse.dir ?? config.warehouse.table, waits: warehouseWaits(config) });
    }
    if (config.expected) {
      const spec = config.expected;
      // Re-read whenever the file changes: `s` launches from the list as it is now, as `status` counts it (V13).
      tasks.push(
        watchExpectedKeys(
          spec,
          {
            onKeys: (expected: ExpectedInfo) => {
              dispatch({ type: 'expected/loaded', expected });
              if (expected.format !== expectedKind) {
                expectedKind = expected.format;
                if (ownKindOnly) sendFailed();
              }
              // The expected keys bound how many pages a listing may take: later listings know them.
              if (storage) hub.expect(storage, expected.keys.length);
              if (live.warehouse) return void hub.expect(live.warehouse, expected.keys.length);
              // The warehouse query depends on the key format (dates vs ids): start it once that is known.
              const warehouse = config.warehouse ? hub.warehouse(config.warehouse, expected.format) : null;
              if (warehouse && config.warehouse && !signal.aborted) {
                hub.expect(warehouse, expected.keys.length);
                live.warehouse = warehouse;
                poll(warehouse, config.warehouse.pollSeconds * 1000);
              }
            },
            onError: (err: Error) => dispatch({ type: 'expected/failed', message: err.message }),
          },
          signal,
          undefined,
          expectedWhere(config.job),
        ),
      );
    }
  };
  // A demo shows its first frame while it still lays out the files its sources read: they start once it is done.
  if (!ready) {
    start();
    live.done = Promise.allSettled(tasks);
  } else {
    live.done = readyUnlessAborted(ready, signal).then((go) => {
      if (!go) return;
      start();
      return Promise.allSettled(tasks);
    });
  }
  return live;
}
