import type { Config } from '../config.js';
import { readExpectedLayout } from '../coverage/expected-keys.js';
import { createCloudRunApi, type CloudRunApi } from '../cloud-run/api.js';
import { createLogFeed, type LogFeed } from '../cloud-run/log-feed.js';
import type { OrderedEntry } from '../cloud-run/entry-order.js';
import { executionBatches } from '../cloud-run/execution-log.js';
import { keptComplete, keptFileName } from '../cloud-run/execution-outcomes.js';
import type { Grammar } from '../parser/index.js';
import { TAIL_LIMIT } from '../state/app-state.js';
import type { AppEvent } from '../state/events.js';
import type { Store } from '../store.js';
import { createCloudRunPlace } from './cloud-run-place.js';
import { createExecutionHistory } from './execution-history.js';
import { limit } from '../abort.js';
import { lookOnce } from '../app/look-once.js';
import type { KeySource } from '../coverage/source.js';
import { coverageView } from '../state/coverage-view.js';
import type { RunPlace } from './run-place.js';

/**
 * One feed per Logging endpoint for the whole process: the read quota is per project, so every job of a
 * project must share one loop (the feed keeps one per project inside).
 */
const feeds = new Map<string, { api: CloudRunApi; feed: LogFeed; users: number; ac: AbortController }>();

function sharedFeed(config: NonNullable<Config['cloudRun']>): { api: CloudRunApi; feed: LogFeed; release(): Promise<void> } {
  const key = `${config.apiEndpoint ?? ''} ${config.loggingEndpoint ?? ''}`;
  let f = feeds.get(key);
  if (!f) {
    const ac = new AbortController();
    const api = createCloudRunApi({ apiEndpoint: config.apiEndpoint, loggingEndpoint: config.loggingEndpoint, timeoutMs: 20_000 });
    f = { api, feed: createLogFeed({ api, signal: ac.signal }), users: 0, ac };
    feeds.set(key, f);
  }
  f.users += 1;
  const entry = f;
  return {
    api: entry.api,
    feed: entry.feed,
    async release() {
      entry.users -= 1;
      if (entry.users > 0) return;
      feeds.delete(key);
      entry.ac.abort();
      await entry.feed.done();
    },
  };
}

/**
 * An execution's entries (log order) as log batches, one per task that wrote any (execution-log.ts);
 * `replace`: they are the whole log so far, read again from the start (only the first batch replaces).
 */
export function entriesToBatches(entries: OrderedEntry[], grammar: Grammar, taskCount: number, replace = false): AppEvent[] {
  return executionBatches(entries, grammar, taskCount, TAIL_LIMIT).map(({ task, batch }, i) => ({
    type: 'log/batch',
    batch,
    ...(task ? { task } : {}),
    ...(replace && i === 0 ? { replace: true } : {}),
  }));
}

/**
 * The Cloud Run place of a job with `cloudRun`, wired to the store and the job's grammar; `storage` (the job's
 * live storage source) gives the fresh listing an execution's end record takes its coverage after from.
 */
export function cloudRunPlaceFor(config: Config, store: Store, grammar: Grammar, now: () => number, signal: AbortSignal, storage: KeySource | null = null): RunPlace {
  const cr = config.cloudRun!;
  const shared = sharedFeed(cr);
  let followed: string | null = null;
  const history = createExecutionHistory({
    stateDir: config.stateDir,
    baseDir: config.baseDir,
    project: cr.project,
    region: cr.region,
    job: cr.job,
    args: cr.args,
    feed: shared.feed,
    grammar,
    dispatch: store.dispatch,
    currentRun: () => store.getState().log.current,
    now,
    logDeadlineMs: cr.logDeadline * 1000,
    signal,
  });
  void history.start();
  const place = createCloudRunPlace({
    // What a launch takes is read from the config each time (launch-settings.ts: the file as it is at the key).
    spec: {
      project: cr.project,
      region: cr.region,
      job: cr.job,
      get args() { return cr.args; },
      get env() { return cr.env; },
      get taskCount() { return cr.taskCount; },
      get timeout() { return cr.timeout; },
      get keysPrefix() { return cr.keysPrefix; },
      get vars() { return config.vars; },
      stuckAfterMs: cr.stuckAfter * 1000,
    },
    jobName: config.job,
    stateDir: config.stateDir,
    api: shared.api,
    feed: shared.feed,
    dispatch: store.dispatch,
    onFollow: (execution, seed) => {
      // A new execution is a new log and a new run, from the moment it is followed, not from its first entries
      // (Cloud Logging is tens of seconds late): the last one's figures must never stand for it (tester U3).
      followed = execution;
      history.follow(execution);
      store.dispatch({ type: 'log/begin', seed });
    },
    onLogDone: (e, rec, whole) => history.keepFollowed(e, rec, whole),
    keptName: (id) => keptFileName(config.stateDir, id, config.baseDir),
    onLogEmpty: async (e, over) => {
      const o = await history.standIn(e.id);
      // Kept, its file unreadable (said on load): its log is gone, not late; its run stays not known (tester AD5).
      if (!o) return followed === e.id && !signal.aborted && (await history.keptUnread(e.id)) ? 'unread' : null;
      if (followed !== e.id || signal.aborted) return null;
      store.dispatch({ type: 'log/kept', outcomes: o, complete: keptComplete(o, e.state), keptFrom: keptFileName(config.stateDir, e.id, config.baseDir), ...(over ? { over } : {}) });
      return 'kept';
    },
    onListed: (list, mine) => history.listed(list, mine),
    keptCounts: (id) => history.kept().get(id)?.counts ?? null,
    onLines: (entries, execution, taskCount, replace) => {
      // Lines of an execution no longer followed (a page in flight when another was taken up) are not this log's.
      if (execution !== followed) return;
      if (entries.length) history.logSpoke(execution);
      for (const event of entriesToBatches(entries, grammar, taskCount, replace)) store.dispatch(event);
    },
    logComplete: () => store.getState().log.current?.complete === true,
    outcomesMatched: () => store.getState().log.current?.summaryUnseen === 0,
    runCounts: () => {
      const run = store.getState().log.current;
      return run ? { succeeded: run.succeeded, failed: run.failed, skipped: run.skipped } : null;
    },
    storagePresent: () => coverageView(store.getState()).storage?.coverage?.present ?? null,
    freshStoragePresent: async () => {
      if (!storage) return null;
      const fresh = limit(60_000, signal);
      const keys = await lookOnce(storage, store.dispatch, now, fresh.signal, 60_000).finally(() => fresh.clear());
      return keys === null ? null : (coverageView(store.getState()).storage?.coverage?.present ?? null);
    },
    writeKeysObject: (uri, body) => writeKeysObject(uri, body, config),
    keysLayout: () => readExpectedLayout(config.expected),
    now,
    signal,
    executionPollMs: cr.pollSeconds * 1000,
    logDeadlineMs: cr.logDeadline * 1000,
  });
  return {
    ...place,
    async close() {
      await place.close();
      await history.close();
      await shared.release();
    },
  };
}

/**
 * Writes the keys object with `ifGenerationMatch: 0`: Cloud Storage refuses it if any object of that name
 * exists, so the dashboard never writes over an object it did not create.
 */
export async function writeKeysObject(uri: string, body: string, config: Config): Promise<void> {
  const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new Error(`not a gs:// object: ${uri}`);
  const { createStorageClient } = await import('../coverage/storage-client.js');
  // The endpoint as the storage source takes it (with or without /storage/v1, or STORAGE_EMULATOR_HOST); one
  // deliberate request, so no budget of its own.
  const { storage } = createStorageClient({ apiEndpoint: config.storage?.apiEndpoint, projectId: config.storage?.projectId, budget: null });
  try {
    await storage.bucket(m[1]).file(m[2]).save(body, { resumable: false, contentType: 'text/plain', preconditionOpts: { ifGenerationMatch: 0 } });
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === 412) throw new Error(`${uri} already exists and was not written by this dashboard: not overwritten`);
    throw new Error(`cannot write the keys object ${uri}: ${(err as Error).message}`);
  }
}
