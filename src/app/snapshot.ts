import { expectedWhere, readExpectedKeys } from '../coverage/expected-keys.js';
import type { KeySource } from '../coverage/source.js';
import { lookOnce } from './look-once.js';
import type { Config } from '../config.js';
import { readFailedFilesOnce } from './failed-once.js';
import { warehouseWaits } from './make-sources.js';
import { failedFileProblems } from '../failures/failed-file.js';
import { ownKind } from '../failures/own-kind.js';
import { triedKeysForFiles } from '../failures/tried-keys.js';
import { launchesOnLogClock } from '../state/launch-match.js';
import { processSnapshot } from './process-info.js';
import { stat } from 'node:fs/promises';
import { runsFileNotRegular, runsPath } from '../runner/runs-file.js';
import { nextLaunchAt, unwatchedEnd } from './unwatched-end.js';
import { failedStartWords } from '../state/dead-start.js';
import type { WritersScan } from '../runner/log-writers.js';
import { grammarFor } from './grammar.js';
import { createSourceHub, type SourceHub } from '../coverage/source-hub.js';
import { readRotatedPrelude } from './rotated-prelude.js';
import { readLogOnce } from './read-log-once.js';
import { initialState, type AppState, type ExpectedInfo } from '../state/app-state.js';
import type { AppEvent } from '../state/events.js';
import { reduce } from '../state/reducer.js';
import { UserError } from '../errors.js';
import { limit } from '../abort.js';
import { initialPlaceState } from '../state/place-state.js';
import { attachedRunSeed, deadLaunchSeed } from '../state/attached-seed.js';

/** Default bound on a whole one-shot command (`status`, `missing`): `--timeout` changes it. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
/** Longest one Cloud Run request may take inside that bound. */
const SOURCE_TIMEOUT_MS = 20_000;
/** Time kept back at the end of the bound for printing and exiting. */
const MARGIN_MS = 1_000;

/** What a snapshot could not look at: filled in when the caller passes one. */
export interface SnapshotReport {
  /** Each part left out (not finished within the bound) or failed outright, explained in one line. */
  problems: string[];
  /** The log could not be read at all (a directory, a FIFO, no permission). */
  logUnreadable: boolean;
}

/** A report to pass to {@link collectSnapshot}. */
export const newReport = (): SnapshotReport => ({ problems: [], logUnreadable: false });

/**
 * One look at everything (log, expected keys, sources, failed files, process) for `status` and `missing`, done
 * within `timeoutMs` (default 30 s) whatever a source, a file system or a server does: a part that has not
 * finished by then is left behind (its figures stay unknown) and named in `report.problems`. Cloud sources get
 * the larger of the bound less 2 s and half the bound, and time out with their service
 * named and what happened (lookOnce).
 */
export async function collectSnapshot(
  config: Config,
  opts: { now?: () => number; sources?: boolean; hub?: SourceHub; writers?: WritersScan; timeoutMs?: number; report?: SnapshotReport; watch?: (state: () => AppState) => void } = {},
): Promise<AppState> {
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const report = opts.report ?? newReport();
  // A short bound keeps a fair share for every part: at least three quarters of it for the parts, half for a source.
  const wholeMs = Math.max(timeoutMs * 0.75, timeoutMs - MARGIN_MS);
  const whole = limit(wholeMs);
  const deadline = whole.signal;
  const cr = config.cloudRun;
  const place = cr ? initialPlaceState(`Cloud Run job ${cr.job} (${cr.region})`, cr.stuckAfter * 1000, cr.pollSeconds * 1000) : null;
  let state = initialState({ job: config.job, log: config.log, now: now(), targets: config.targets, phases: config.phases, place, zone: config.timezone });
  let open = true;
  const dispatch = (e: AppEvent) => {
    if (open) state = reduce(state, e); // a part left behind must not change what was printed
  };
  // How far the look is, for a caller that says it while it lasts (read-progress.ts).
  opts.watch?.(() => state);
  // The bound given, as given (tester AC11: `--timeout 0.3` read `within 0 s`, 1.5 `within 2 s`).
  const seconds = `${Number((timeoutMs / 1000).toFixed(3))} s`;
  const bounded = (what: string, task: Promise<unknown>) =>
    within(task, deadline).then(
      (inTime) => void (inTime || report.problems.push(`${what}: not finished within ${seconds} (--timeout): left out`)),
      (err: Error) => void report.problems.push(err instanceof UserError ? err.message : `${what}: ${err.message}`),
    );
  const grammar = grammarFor(config);
  // A Cloud Run job's log is read from Cloud Logging, paced: it gets the bound less the margins, and ends itself
  // in time to say how far it got (the figures are then from the entries read).
  const cloudMs = Math.max(1, timeoutMs - 2 * MARGIN_MS);
  const cloudLimit = cr ? limit(cloudMs, deadline) : null;
  // The local looks (a folder count, the expected keys file) go first: the Cloud Run clients take seconds of this one
  // thread to load on a busy machine, and a folder count of 620 keys waiting behind them timed out (tester AG6 m).
  let localLooksDone = () => {};
  const localLooks = new Promise<void>((resolve) => (localLooksDone = resolve));
  const cloudRunTask = () => {
    const read = within(localLooks, deadline).then(() => import('./cloud-run-once.js')).then((m) =>
      m.readCloudRunOnce(config, grammar, dispatch, {
        signal: cloudLimit!.signal,
        now,
        logComplete: () => state.log.current?.complete === true,
        outcomesMatched: () => state.log.current?.summaryUnseen === 0,
        hasRun: () => state.log.current !== null,
        requestTimeoutMs: Math.min(SOURCE_TIMEOUT_MS, Math.max(1, timeoutMs - 2 * MARGIN_MS)),
        bound: seconds,
        // Cut by cloudLimit (or the whole look's deadline, when sooner).
        share: `${Number((Math.min(cloudMs, wholeMs) / 1000).toFixed(3))} s`,
      }),
    );
    const what = `Cloud Run job ${cr!.job} (${cr!.region})`;
    let cut = false;
    return within(read.then((problems) => void (cut || report.problems.push(...problems))), deadline).then(
      (inTime) => {
        if (inTime) return;
        cut = true;
        // Cut before the executions were listed (the client still loading, a slow answer): nothing of the run is
        // known. Said in the state as a failed call is (`error`, exit 1), never `waiting`, the word for a job never
        // launched (tester W18's residue: `--timeout 1` read `waiting`, rc 0, with the region up).
        if (state.place && state.place.listedAt === null && state.place.error === null) {
          // Cut by the whole look's deadline, its share of the bound: said as that, never the bound (tester AH5 g).
          const at = `${Number((wholeMs / 1000).toFixed(3))} s`;
          const message = `Cloud Run: the look timed out at ${at === seconds ? `${seconds} (--timeout)` : `${at}, its share of --timeout ${seconds},`} before the job's executions were listed`;
          dispatch({ type: 'place/update', patch: { error: message, hint: 'give --timeout more seconds', errorAt: now(), cut: true } });
          report.problems.push(`${what}: ${message} (give --timeout more seconds)`);
        } else report.problems.push(`${what}: not finished within ${seconds} (--timeout): left out`);
      },
      (err: Error) => void report.problems.push(err instanceof UserError ? err.message : `${what}: ${err.message}`),
    );
  };
  let failedRead = false;
  const expectedTask = config.expected
    ? readExpectedKeys(config.expected, expectedWhere(config.job)).then(
        (expected: ExpectedInfo) => dispatch({ type: 'expected/loaded', expected }),
        (err: Error) => dispatch({ type: 'expected/failed', message: err.message }),
      )
    : Promise.resolve();
  const tasks: Promise<unknown>[] = [
    // No log pane shows a snapshot: pane lines are decoded only while the log has shown no dated line (paneless).
    ...(cr ? [cloudRunTask()] : [
      // Rotated files holding the beginning of the run the log goes on with are read first (tester X13).
      bounded(`log ${config.log}`, readRotatedPrelude(config.log, grammar, dispatch, (file, d, g, clock) => readLogOnce(file, g, d, undefined, { now, paneless: true, worker: null, clock }), now).then((clock) => readLogOnce(config.log, grammar, dispatch, undefined, { now, paneless: true, clock })).catch((err: unknown) => {
        report.logUnreadable = true;
        // In the state too: the overview row and text status say why the run is unknown, as the dashboard does.
        dispatch({ type: 'log/problem', message: err instanceof UserError ? err.message : `log ${config.log}: ${(err as Error).message}` });
        throw err;
      })),
      bounded('runs and log writers', processSnapshot(config, opts.writers, now).then((patch) => dispatch({ type: 'process/update', patch }))),
      // Its readers take a runs.jsonl they cannot read for none; one that is not a regular file (a FIFO put there) is
      // said, as a problem: runs launched from here are then not known (AH9's class).
      stat(runsPath(config.stateDir)).then(
        (st) => {
          const words = runsFileNotRegular(config.stateDir, st);
          if (words) report.problems.push(words);
        },
        () => undefined,
      ),
    ]),
    bounded(`expected keys ${config.expected?.file ?? ''}`, expectedTask),
    // A Cloud Run job without `failed` has no failed-keys files (tester X3).
    config.failed === null ? Promise.resolve() : bounded(
      `failed-keys files ${config.failed}`,
      readFailedFilesOnce(config.failed, { apiEndpoint: config.storage?.apiEndpoint, projectId: config.storage?.projectId, signal: deadline }).then(async (read) => {
        // On the default glob, a file of the other kind of keys than the job's is another job's (own-kind.ts): the
        // job's kind is its expected keys', waited for up to half the bound (a hung expected read leaves these whole,
        // never this part cut with it).
        let f = read;
        if (config.failedIsDefault === true && read.files.length > 0) {
          const kindWait = limit(wholeMs / 2, deadline);
          if (await within(expectedTask, kindWait.signal)) f = ownKind(read, state.coverage.expected?.format ?? null);
          kindWait.clear();
        }
        failedRead = true;
        dispatch({ type: 'failed/update', ...f });
        report.problems.push(...failedFileProblems(f.files, f.notes));
      }),
    ).then(() => {
      // Not read (not within the bound, or an error): which keys fail is not known, not the log's failures alone.
      if (!failedRead) dispatch({ type: 'failed/unread', reason: report.problems.find((p) => p.includes(config.failed!)) ?? `failed-keys files ${config.failed}: not read` });
    }),
  ];
  // No cap below the bound: `--timeout` is what gives a slow query longer (tester T8: it was held at 20 s).
  const sourceMs = Math.max(timeoutMs / 2, timeoutMs - 2 * MARGIN_MS);
  const sourceLimit = limit(sourceMs, deadline);
  if (opts.sources !== false) {
    // Jobs of one `status` share a hub: a prefix or table several of them name is read once.
    const hub = opts.hub ?? createSourceHub({ mode: 'snapshot', now });
    // Both wait for the expected keys (a local file): their count bounds the pages a listing may take, and the
    // warehouse query needs the key format (dates vs ids).
    const afterExpected = (make: () => KeySource | null) =>
      within(expectedTask, deadline).then((inTime) => {
        const source = inTime ? make() : null;
        if (source === null) return undefined;
        const expected = state.coverage.expected;
        if (expected) hub.expect(source, expected.keys.length);
        return configuredLook(source, dispatch, now, sourceLimit.signal, sourceMs).then((keys) => {
          // Cut by its share of --timeout: left out, as any part the bound cut is, a problem (exit 1), never a source
          // that answered with an error (tester AI12: `folders not counted within 0.5 s`, exit 0, `problems: []`).
          const cut = keys === null && sourceLimit.signal.aborted && !deadline.aborted ? state.coverage[source.name] : null;
          if (cut?.error) report.problems.push(`${cut.error}${cut.hint ? ` → ${cut.hint}` : ''}`);
        });
      });
    const storage = config.storage ? afterExpected(() => hub.storage(config.storage!)) : null;
    // The query needs the expected keys' kind: without them none is sent, said as the dashboard says it (AJ2).
    const warehouse = afterExpected(() => {
      if (!config.warehouse) return null;
      const expected = state.coverage.expected;
      if (expected) return hub.warehouse(config.warehouse, expected.format);
      dispatch({ type: 'coverage/configured', source: 'warehouse', label: config.warehouse.dir ?? config.warehouse.table, waits: warehouseWaits(config) });
      return null;
    });
    if (storage) tasks.push(bounded('storage', storage));
    // Only a warehouse there is: a job without one has none to leave out (tester AH9: `problem warehouse: not finished
    // within 5 s` for a job with no warehouse, behind an expected keys file whose read did not return).
    if (config.warehouse) tasks.push(bounded('warehouse', warehouse));
    // Those that count local folders; a cloud source loads its own client, as Cloud Run does.
    const local = [config.storage && !config.storage.url.startsWith('gs://') ? storage : null, config.warehouse?.dir ? warehouse : null];
    void Promise.allSettled([expectedTask, ...local]).then(localLooksDone);
  } else localLooksDone();
  await Promise.all(tasks);
  cloudLimit?.clear();
  // A stopped run whose end no dashboard recorded yet ends at its last line, as the next dashboard's record will.
  if (state.process.history.some((r) => r.endFromStop)) {
    const history = state.process.history.map((r, _, all) => {
      if (!r.endFromStop) return r;
      const end = unwatchedEnd(r, state.log, nextLaunchAt(r, all)).endedAt;
      return end !== null && end > (r.endedAt ?? 0) ? { ...r, endedAt: end } : r;
    });
    dispatch({ type: 'process/update', patch: { history } });
  }
  // A run re-attached to that has written nothing yet is the current run, from its launch (tester U19), as the
  // dashboard shows it.
  const seed = attachedRunSeed(state);
  if (seed) dispatch({ type: 'log/launched', seed, bytesBefore: state.log.bytesRead });
  // A launch from here that died before its first record: the log's newest run, as its dashboard said.
  const dead = seed ? null : deadLaunchSeed(state);
  if (dead) dispatch({ type: 'log/launched', seed: dead.seed, bytesBefore: state.log.bytesRead, linesBefore: dead.linesBefore, ...(dead.deadStart ? { deadStart: true as const } : {}) });
  // Persistence needs what each run launched from here tried (its keys file), as the dashboard has it.
  // A failed-keys file's name is on its writer's clock, as the log is (tester AA1: a clock off).
  // Without failed-keys files there is nothing to match (AH9: `keys each run tried: not finished` said past the bound).
  if (state.failed.files.length > 0) await bounded('keys each run tried', triedKeysForFiles(state.failed.files, launchesOnLogClock(state.process.history, state.log.clockBehindMs), undefined, state.log.clockBehindMs ?? null).then((tried) => {
    if (tried.size > 0) dispatch({ type: 'failed/tried', tried });
  }));
  // The newest launch failed to start and no run began since (tester AH6: `waiting`, exit 0, `problems: []`): a
  // problem, exit 1, as a Cloud Run launch that never became an execution is.
  const failedStart = failedStartWords(state);
  if (failedStart) report.problems.push(`${failedStart}; s launches again once its command or cwd is fixed`);
  whole.clear();
  sourceLimit.clear();
  dispatch({ type: 'clock/tick', now: now() });
  open = false;
  return state;
}

function configuredLook(source: KeySource, dispatch: (e: AppEvent) => void, now: () => number, signal: AbortSignal, limitMs: number) {
  dispatch({ type: 'coverage/configured', source: source.name, label: source.label });
  return lookOnce(source, dispatch, now, signal, limitMs);
}

/** True when `task` settles before the signal fires (its failure passed on), false when the signal came first. */
function within(task: Promise<unknown>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve, reject) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    task.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
