import { sleepUnlessAborted } from '../abort.js';
import { randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { makeDirs } from '../runner/make-dirs.js';
import { join } from 'node:path';
import { withClaim } from '../runner/claim-file.js';
import { processWakes } from '../wake.js';
import type { CloudRunApi, JobRef } from '../cloud-run/api.js';
import { cloudRunOwner } from '../runner/runs-owner.js';
import { CloudRunError } from '../cloud-run/errors.js';
import { isActive, type ExecutionInfo } from '../cloud-run/execution.js';
import { LOG_SETTLE_MS, lastEntriesState } from '../cloud-run/last-entries.js';
import { argsTakeKeys, keysFromArgv } from '../cloud-run/execution-outcomes.js';
import { NO_LONGER_LISTED, withRecorded } from '../cloud-run/recorded-execution.js';
import { executionOfLaunch, fatesUnrecordedWords, foundWords, launchFates, lostLaunches, neverExecuted, neverWords, recordFates, unanswered } from '../cloud-run/launch-answer.js';
import { byLogOrder as byTime, inLogOrder, type OrderedEntry as KeptEntry } from '../cloud-run/entry-order.js';
import type { LogFeed } from '../cloud-run/log-feed.js';
import { expandCommand } from '../runner/command.js';
import { commandLine } from '../launch/launch-settings.js';
import { settingsRecorded, settingsTaken } from './settings-taken.js';
import { fileStamp, keysFileText } from '../runner/keys-file.js';
import type { KeysLayout } from '../coverage/expected-keys.js';
import { acquireLaunchLock, launchLockHeld } from '../runner/lock.js';
import { acquireTargetLock } from '../runner/target-lock.js';
import { appendRunRecord, readRuns, recordEnd, recordEndOnce, type RunRecord } from '../runner/runs-file.js';
import { clockTime } from '../state/confirm-situation.js';
import type { AppEvent } from '../state/events.js';
import type { PlaceState } from '../state/place-state.js';
import type { RecordedRun } from '../state/app-state.js';
import type { RunSeed } from '../state/run.js';
import type { PlaceLaunchOutcome, PlaceLaunchRequest, PlaceStopOutcome, RunPlace } from './run-place.js';
import { executionEndWords, staleLockWords } from './end-words.js';

/** The job's `cloudRun` config, resolved. */
export interface CloudRunSpec extends JobRef {
  /** Argument array with placeholders: {workers}, {timeout}, vars, {keys}, {keysUri}. */
  args: string[];
  env: Record<string, string>;
  taskCount?: number;
  /** Task timeout override, seconds. */
  timeout?: number;
  /** gs://BUCKET/PREFIX/ the dashboard owns: {keysUri} objects are written under it, never over another. */
  keysPrefix?: string;
  vars: Record<string, string | number>;
  stuckAfterMs: number;
}

/** Everything the place touches, injectable. */
export interface CloudRunPlaceDeps {
  spec: CloudRunSpec;
  /** The config's job name: the launch lock and runs.jsonl use it. */
  jobName: string;
  stateDir: string;
  api: CloudRunApi;
  feed: LogFeed;
  dispatch(e: AppEvent): void;
  /**
   * Entries of the followed execution's log, in (timestamp, insertId) order, and its `taskCount` (each task's
   * lines are that task's share of one run); `replace`: these are all of its entries so far, to be read again
   * from the start (an entry arrived late, before entries already given).
   */
  onLines(entries: KeptEntry[], executionId: string, taskCount: number, replace?: boolean): void;
  /**
   * Another execution is followed from now on: its run starts from `seed` (its launch's facts), and nothing of the
   * one followed before may stand for it, before or after its first entries arrive.
   */
  onFollow?(executionId: string, seed: RunSeed): void;
  /**
   * The followed execution's log is done with: it ended and its log is whole (`whole`), or another execution is
   * followed now (`whole` as far as its last entries had come). Called while the store still holds its run; never
   * for one whose log gave no entry (nothing read to keep).
   */
  onLogDone?(e: ExecutionInfo, rec: RunRecord | null, whole: boolean): void | Promise<void>;
  /** Where an execution's outcomes are kept, as the screens name the file (`.backfill-tui/executions/ID.json`). */
  keptName?(executionId: string): string;
  /**
   * The followed execution ended and a pass over its log reached the end with no entry at all (Cloud Logging keeps them
   * 30 days; a restarted loopback region none): `kept` when its kept outcomes now stand for its run (dispatched),
   * `unread` when it was kept and its file cannot be read (said): no last entries are awaited either way; else null.
   */
  onLogEmpty?(e: ExecutionInfo, over?: true): Promise<'kept' | 'unread' | null>;
  /** An ended execution's log tallies as kept (read once), for the history of one whose end record has none. */
  keptCounts?(executionId: string): { succeeded: number; failed: number; skipped: number } | null;
  /** The job's executions as listed (newest first), with the runs.jsonl records of ours by execution id. */
  onListed?(list: ExecutionInfo[], mine: Map<string, RunRecord>): void;
  /** True once the followed run's log holds its summary (the script's last lines). */
  logComplete(): boolean;
  /** True when every outcome the run's summary counts has its line in (the reducer's `summaryUnseen` is 0). */
  outcomesMatched(): boolean;
  /** The run's tallies from its log (succeeded, failed, skipped), for the end record; null when no run is read. */
  runCounts?(): { succeeded: number; failed: number; skipped: number } | null;
  /** Keys present in storage now (the last listing), recorded at a launch. */
  storagePresent?(): number | null;
  /** Keys present in storage from a fresh listing, for the end record (coverage before → after in `h`). */
  freshStoragePresent?(): Promise<number | null>;
  /** Writes a keys object; must fail rather than replace an existing object. */
  writeKeysObject?(uri: string, body: string): Promise<void>;
  /** How the expected keys file lays out a row (keys-file.ts), read at each launch; null or absent: no header of its own. */
  keysLayout?(): Promise<KeysLayout | null>;
  now(): number;
  signal: AbortSignal;
  /** How often the followed execution is read while active (API read quota is per minute per region). Default 5 s. */
  executionPollMs?: number;
  /** How often the job's executions are listed when none is active (to see one started elsewhere). Default 30 s. */
  listPollMs?: number;
  /** After an execution ends, how long its missing last entries are waited for. Default 5 min. */
  logDeadlineMs?: number;
  /** After a cancelled or failed execution ends, how late a read must start to have seen its last entries. Default 60 s. */
  logSettleMs?: number;
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  /** How many times this process was continued after a stop (wake.ts processWakes, the default). */
  wakes?(): number;
}

/** How long a vanished execution's showing waits for the read of its log it asked for (a log that answers late: not longer). */
const NUDGE_WAIT_MS = 3000;

/** An execution gone from the region that no dashboard saw end: when it ended is not known (recorded-execution.ts). */
function endNotKnown(e: ExecutionInfo): boolean {
  return e.unlisted !== undefined && e.completionTime === null;
}


/**
 * What an execution's run is known to be before its log says anything: its start (else its creation), and for
 * one launched from here the launch's key count, workers and timeout. A job whose args take no keys was given
 * none, so its total is not known.
 */
export function seedOf(e: ExecutionInfo, rec: Pick<RunRecord, 'keyCount' | 'workers' | 'timeout'> | null, takesKeys: boolean): RunSeed {
  return { startedAt: e.startTime ?? e.createTime, total: rec && takesKeys ? rec.keyCount : null, workers: rec?.workers ?? null, timeoutSec: rec?.timeout ?? null };
}

/** The execution ids runs.jsonl records as launched from here, with their run ids. */
export function ourExecutions(runs: RunRecord[]): Map<string, RunRecord> {
  const out = new Map<string, RunRecord>();
  for (const r of runs) if (r.execution) out.set(r.execution.split('/').at(-1)!, r);
  return out;
}

/**
 * A Cloud Run Job as a run place: launches with `jobs.run` and the overrides, follows the execution (state from
 * the Run Admin API, lines from Cloud Logging through the shared feed), cancels on the operator's word, and
 * records executions in runs.jsonl as a local run's pid is.
 */
export function createCloudRunPlace(d: CloudRunPlaceDeps): RunPlace {
  const { spec, api } = d;
  const label = `Cloud Run job ${spec.job} (${spec.region})`;
  /** What a launch box names (tester Z10: it named neither job nor region): the job, its region and project. */
  const where = `Cloud Run job ${spec.job} in ${spec.region} (project ${spec.project})`;
  const sleep = d.sleep ?? sleepUnlessAborted;
  const wakes = d.wakes ?? processWakes;
  const place = (patch: Partial<PlaceState>) => d.dispatch({ type: 'place/update', patch });
  const notice = (text: string, tone: 'info' | 'warn' | 'fail' = 'info', key?: string) => d.dispatch({ type: 'ui/notice', text, tone, ...(key ? { key } : {}) });
  /** When this dashboard opened: an execution that ended before is said with when (end-words.ts executionEndWords). */
  const openedAt = d.now();
  let current: ExecutionInfo | null = null;
  let ours = false;
  let launching = false;
  /** The launch under way here (its record written, jobs.run not answered yet): no later look settles its fate. */
  let launchingId: string | null = null;
  /** The run id the followed execution is said under (`run:ID` notices): ours by its launch, else the execution's id. */
  let shownRunId: string | null = null;
  /** A cancel this dashboard asked that Cloud Run has not answered yet (tester AF7: nothing said for 20 s, x asked again). */
  let cancelAsked: { id: string; at: number } | null = null;
  /** The launches never executed this dashboard has said (once each). */
  const lostSaid = new Set<string>();
  let wake: (() => void) | null = null;
  /** The watch on the state directory for another dashboard's cancel (watchCancels), once it exists. */
  let cancelWatch: ReturnType<typeof watch> | null = null;
  /** A look at the execution was asked for while the watch was busy: it looks again at once. */
  let nudged = false;
  /** Asks the watch to look now: at once when it waits, else as soon as its look ends. */
  const nudge = () => {
    nudged = true;
    wake?.();
  };
  let unfollow: (() => void) | null = null;
  let loop: Promise<void> = Promise.resolve();
  const takesKeys = () => argsTakeKeys(spec.args);
  /** Work begun off the watch loop (the end records, the history list): close() awaits it, so nothing writes after. */
  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    const t = p.catch(() => undefined).finally(() => pending.delete(t));
    pending.add(t);
  };
  const ended = new Set<string>();
  /** The execution whose log is followed (the store's run is its), with its launch record when ours. */
  let followed: { e: ExecutionInfo; rec: RunRecord | null } | null = null;
  /** When the newest pass over the followed log that reached its end began (the feed's clock). */
  let caughtUpFrom: number | null = null;
  /** The followed execution whose kept outcomes stand for its run (onLogEmpty), else null. */
  let standIn: string | null = null;
  /**
   * The followed execution whose log gave at least one entry. One that gave none has nothing to keep: kept `whole`, a log
   * gone from Cloud Logging (or never written) would stand as 0 failures, its keys `recovered`, where they are not known.
   */
  let spoke: string | null = null;
  /** When the region last said an execution was running (our clock): the latest proof of its life. */
  let seenActive: { id: string; at: number } | null = null;
  /** When the newest look that found an execution active was asked (our clock): its clock is shown to there (show). */
  let seenRunning: { id: string; at: number } | null = null;
  /** The newest entry read of the followed execution's log (its timestamp): a later proof of its life than a look may be. */
  let newestRead: { id: string; at: number } | null = null;
  /**
   * The followed execution whose entries Cloud Logging no longer has (log-feed.ts `lost`: a region restarted without
   * them): what was read is all there will be, so no last entries are awaited (tester AF1: `log incomplete: last
   * entries not yet in Cloud Logging` for 4 minutes about entries that could never come).
   */
  let lostLog: string | null = null;
  /** The execution the region stopped listing while it was followed (vanished): its log's next read is looked at now. */
  let goneFromRegion: string | null = null;

  /** The newest listing of the job's executions (newest first): the history is made from it when it changes. */
  let lastList: ExecutionInfo[] = [];
  /** When the region last answered a listing (epoch ms): until then no run of ours can be said to be unlisted. */
  let lastListAt: number | null = null;
  const listed = (list: ExecutionInfo[]) => {
    lastList = list;
    lastListAt = d.now();
  };
  /** The job's executions were listed once (or the listing failed, which the place's lines say): see notKnownYet. */
  let listedOnce = false;
  let failedOnce = false;
  /**
   * Which calls the place's error came from. A good answer from Cloud Run clears only Cloud Run's error, and a
   * good log read only the log's: the execution is looked at every few seconds, and a log that cannot be read
   * (a 403 on logging.logEntries.list) was wiped by each look, so the dashboard said `no log entries yet` and 0
   * done for minutes while `status` named the missing permission (tester AA4).
   */
  let errorFrom: 'run' | 'log' | null = null;
  const failed = (err: unknown) => {
    failedOnce = true;
    const e = err instanceof CloudRunError ? err : new CloudRunError(String((err as Error)?.message ?? err), 'network', null, null);
    errorFrom = 'run';
    place({ error: e.message, hint: e.hint, errorAt: d.now(), retryAt: null, logReading: false });
    return e;
  };
  /** The patch that clears the error, when it is `from`'s (a log error outlives good looks at the execution). */
  const cleared = (from: 'run' | 'log') => {
    if (errorFrom !== from && errorFrom !== null) return {};
    errorFrom = null;
    return { error: null, hint: null, errorAt: null, retryAt: null, logReading: false };
  };

  /**
   * Whether an ended execution's log still misses its last entries (last-entries.ts), with one rule more: it is
   * never given up on before a pass over it reached its end since it was followed. A dashboard started long
   * after an execution ended is past the deadline at once, and must read the log before it says anything of it.
   */
  function incompleteOf(ended: ExecutionInfo): 'waiting' | 'gave-up' | null {
    // Its kept outcomes stand for it: they were kept whole, no entry is awaited; nor once its entries are gone.
    if (standIn === ended.id || lostLog === ended.id) return null;
    // Gone from the region with no end seen (its record's launch only): nothing says when it ended, so no last entries
    // are awaited from a moment made up; its log is read through once, as it is.
    if (endNotKnown(ended)) return caughtUpFrom === null ? 'waiting' : null;
    const e = { ...ended, completionTime: ended.completionTime ?? d.now() };
    const s = lastEntriesState(e, { logComplete: d.logComplete(), outcomesMatched: d.outcomesMatched(), caughtUpFrom, now: d.now(), deadlineMs: d.logDeadlineMs ?? 5 * 60_000, settleMs: d.logSettleMs });
    return s === 'gave-up' && caughtUpFrom === null ? 'waiting' : s;
  }

  /**
   * `askedAt`: when the call that gave `e` was asked (our clock). An answer `running` proves the execution ran at some
   * moment after it, so its clock may be shown to there and no further (the place's seenRunningAt): counted on with the
   * clock to the next look, an end that came between snapped it back (h79's note: `1:06`, then `incomplete · 1:04`).
   */
  function show(e: ExecutionInfo, seenOurs: boolean, seenRunId: string | null, askedAt: number | null = null) {
    // Ours stays ours: a look whose read of runs.jsonl came before the launch's record was written (a listing under way
    // as `s` launched), or failed, finds no record of the execution shown, and took it for another's: the run id
    // flipped to the execution's and back, `external` for one look, and the notices said under the run went with it
    // (the cancel under way, AF7's case, lost once in a clean-clone suite).
    const known = current?.id === e.id && ours && shownRunId !== null;
    const isOurs = seenOurs || known;
    const runId = seenRunId ?? (known ? shownRunId : null);
    const active = isActive(e);
    if (active) seenActive = { id: e.id, at: d.now() };
    // Another execution shown: what was seen of the one before is not its.
    const before = seenRunning?.id === e.id ? seenRunning.at : null;
    const seenRunningAt = active && askedAt !== null ? Math.max(before ?? 0, askedAt) : before;
    seenRunning = seenRunningAt === null ? null : { id: e.id, at: seenRunningAt };
    if (active) watchCancels();
    current = e;
    shownRunId = runId ?? e.id;
    if (followed?.e.id === e.id) followed.e = e;
    ours = isOurs;
    // An ended execution's log-incomplete mark comes in the same event as its end: never `ended` in between. One taken
    // up after its end is being read from then on (followLog), in the same event it is shown (tester AH4).
    const taken = followed?.e.id !== e.id ? { firstRead: !active } : {};
    place({ execution: e, ours: isOurs, seenRunningAt, ...cleared('run'), ...taken, ...(active ? {} : { cancelling: false, logIncomplete: incompleteOf(e) }) });
    // A cancelled execution was stopped on someone's word (ours, gcloud or the console): the run ends `stopped`.
    d.dispatch({ type: 'process/update', patch: { runId: runId ?? e.id, attached: isOurs && active, alive: active, external: active && !isOurs, externalPids: [], stopped: e.state === 'cancelled' } });
  }

  /**
   * Reads the execution's log through the shared feed until it ends and its last lines are in (or time is up).
   * `rec`: its launch record when launched from here (keys, workers, timeout), the facts its run starts from.
   */
  function followLog(e: ExecutionInfo, rec: RunRecord | null) {
    unfollow?.();
    // The execution followed until now: what the store holds of it is all there will be.
    if (followed && followed.e.id !== e.id && spoke === followed.e.id) void d.onLogDone?.(followed.e, followed.rec, !isActive(followed.e) && readWhole(followed.e));
    followed = { e, rec };
    spoke = null;
    caughtUpFrom = null;
    standIn = null;
    const asked = new Set<'empty' | 'error'>();
    d.onFollow?.(e.id, seedOf(e, rec, takesKeys()));
    /** The execution's entries so far, in log order: a late one puts them in order again. */
    const kept: KeptEntry[] = [];
    place({ logNewestAt: null, logReadAt: null, logCaughtUp: false, logGone: null, logIncomplete: isActive(e) ? null : incompleteOf(e), firstRead: !isActive(e) });
    unfollow = d.feed.follow({
      project: spec.project,
      job: spec.job,
      execution: e.id,
      since: e.createTime - 1000,
      onEntries: (entries, newestAt) => {
        // Cloud Logging delivers late entries after later ones: the log is read in its own order, or a late run
        // header would start a second run inside one execution (tester T24). A late entry re-reads the log.
        if (entries.length) spoke = e.id;
        // Its own entries after all (Cloud Logging back): they are its run now, not what was kept (the reducer replaces it).
        if (entries.length && standIn === e.id) standIn = null;
        const fresh = inLogOrder(entries);
        const inOrder = kept.length === 0 || byTime(kept[kept.length - 1], fresh[0]) <= 0;
        for (const f of fresh) kept.push(f);
        if (inOrder) d.onLines(fresh, e.id, e.taskCount);
        else {
          kept.sort(byTime);
          d.onLines(kept, e.id, e.taskCount, true);
        }
        newestRead = { id: e.id, at: newestAt };
        // Ended: whether its log is whole now is said with the lines that made it so, not at the next second's check
        // (awaitLastEntries): the run reads `complete` from that moment on every surface, and its alert fires then.
        const ended = followed?.e.id === e.id && !isActive(followed.e) ? followed.e : null;
        place({ logNewestAt: newestAt, ...(ended && entries.length ? { logIncomplete: incompleteOf(ended) } : {}) });
      },
      // The read after a failed one is under way: said at once, not when a clock tick finds its time past (AE12's nit).
      onAsk: () => {
        if (errorFrom === 'log') place({ logReading: true });
      },
      onRead: (at, pass) => {
        if (pass.caughtUp) caughtUpFrom = pass.passStartedAt;
        // Two passes short of what they read before prove it; one, for an execution the region no longer has either.
        if ((pass.missed >= 2 || (pass.missed >= 1 && goneFromRegion === e.id)) && lostLog !== e.id) {
          lostLog = e.id;
          // Ended (or gone from the region) already: its last entries are no longer awaited, from this update on.
          if (followed?.e.id === e.id && !isActive(followed.e)) place({ logIncomplete: null });
        }
        // An ended execution's log read through: whether its last entries are still due is known now, in the same
        // update, before the history is done (tester Y6: one that died before the dashboard opened read `incomplete`
        // until the next listing, then `ended`, and that end fired an alert for old news).
        const ended = pass.caughtUp && followed?.e.id === e.id && !isActive(followed.e) ? followed.e : null;
        place({ logReadAt: at, ...cleared('log'), ...(pass.caughtUp ? { logCaughtUp: true, firstRead: false } : {}), ...(ended ? { logIncomplete: incompleteOf(ended) } : {}) });
        // What the log held when it was first read is history; what comes after is news (alerts fire).
        if (pass.caughtUp) d.dispatch({ type: 'log/history-done' });
        // Ended, read to the end, and not one entry: its kept outcomes, if any were kept whole, stand for it (tester Z3
        // residue: `0/29 ✓ 0 ✗ 0` and `failures not known` while STATEDIR/executions/ held its 28 failures whole).
        if (ended && kept.length === 0) askKept(ended, 'empty');
      },
      onError: (err, retryInMs) => {
        // Its log is not read to its end while reads fail: what it failed is the part read so far, as `status` says (tester
        // AG2: `r` offered the 2 keys read of an execution that failed 66), until a read reaches its end again.
        // The region not answering stays the word while it lasts: its execution's state is the stale one, and a log error
        // over it, cleared by the next good read, let a stale `running` back with its spinner (tester AF5's glimpse).
        if (errorFrom === 'run') place({ logCaughtUp: false });
        else {
          errorFrom = 'log';
          // A clock time, not `in 8 s` (a count would stand still), said by the view only while it is ahead (place-state.ts).
          const at = d.now();
          place({ error: err.message, hint: err.hint, errorAt: at, retryAt: at + retryInMs, logReading: false, logCaughtUp: false });
        }
        // Ended and nothing read: outcomes kept whole stand for it while Cloud Logging does not answer (tester AF6:
        // `incomplete · 0/853` beside a kept file of its 561 ✓ and 292 ✗); its entries, once read, replace them.
        const ended = followed?.e.id === e.id && !isActive(followed.e) ? followed.e : null;
        if (ended && kept.length === 0) askKept(ended, 'error');
      },
    });

    /**
     * Asks once per cause whether outcomes kept whole stand for `ended`, the followed execution with no entry read:
     * `empty`, its log read through and not one entry (gone from Cloud Logging); `error`, Cloud Logging not answering,
     * when only outcomes kept whole stand in (an unreadable kept file says nothing of a log not read).
     */
    function askKept(ended: ExecutionInfo, why: 'empty' | 'error'): void {
      if (asked.has(why) || !d.onLogEmpty) return;
      asked.add(why);
      track(
        d.onLogEmpty(ended).then((how) => {
          if (!how || followed?.e.id !== e.id || (why === 'error' && (how !== 'kept' || kept.length > 0))) return;
          standIn = e.id;
          place({ logIncomplete: null });
          // Its notice said its log would be read by name: it is gone, and its figures come from what was kept
          // (tester Z3's nit: that notice stood over `figures from .backfill-tui/executions/ (its log is gone …)`).
          const rec = followed.rec;
          if (how === 'kept' && ended.unlisted && why === 'empty') notice(`execution ${e.id} is ${ended.unlisted}: ${rec ? 'shown from runs.jsonl, ' : ''}its figures from what was kept of it (its log is gone from Cloud Logging)`, 'info', `run:${rec?.id ?? e.id}`);
        }),
      );
    }
  }

  async function watchLoop(): Promise<void> {
    while (!d.signal.aborted) {
      const active = current !== null && isActive(current);
      const wait = active ? d.executionPollMs ?? 5000 : d.listPollMs ?? 30_000;
      if (!nudged) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          void sleep(wait, d.signal).then(resolve);
        });
      }
      wake = null;
      nudged = false;
      if (d.signal.aborted) break;
      if (current && isActive(current)) await refreshCurrent();
      else await findRunning(false);
    }
  }

  async function refreshCurrent(): Promise<void> {
    const was = current!;
    let e: ExecutionInfo;
    const woke = wakes();
    const askedAt = d.now();
    try {
      e = await api.getExecution(spec, was.id, d.signal);
    } catch (err) {
      if (d.signal.aborted) return;
      // Cut across a stop of the dashboard (Ctrl-Z, then fg: its connection closed, or its bound passed, meanwhile):
      // no word of the region's (tester AH8, AG6 k's twin). Asked again at once, unsaid; a second failure is said.
      if (wakes() !== woke) return nudge();
      if (err instanceof CloudRunError && err.kind === 'not-found') {
        await vanished(was, err);
        return;
      }
      failed(err);
      return;
    }
    const runs = await readRuns(d.stateDir, cloudRunOwner(d.spec)).catch(() => [] as RunRecord[]);
    const rec = ourExecutions(runs).get(e.id) ?? null;
    show(e, rec !== null, rec?.id ?? null, askedAt);
    // Its row in an open `h` moves with it (its state, its end), from the last listing: no call of its own.
    track(historyChanged(lastList.map((x) => (x.id === e.id ? e : x))));
    if (!isActive(e)) await onEnded(e, rec);
  }

  /**
   * The followed execution is gone from the region while it ran (deleted, or a region restarted keeping none: tester
   * AD12, where it stayed `running`, then `stuck`, its clock and ETA going on under a 404): once the job's listing
   * confirms it, it is shown as `status` shows it, no longer listed, from its records when it is ours, its end not
   * known, and its log read on by name. A job that is gone itself (the listing fails too) is said as before.
   */
  async function vanished(was: ExecutionInfo, err: CloudRunError): Promise<void> {
    const list = await listOrSay();
    if (!list) return;
    if (d.signal.aborted || current?.id !== was.id) return;
    if (list.some((x) => x.id === was.id)) {
      failed(err);
      return;
    }
    const runs = await readRuns(d.stateDir, cloudRunOwner(d.spec)).catch(() => [] as RunRecord[]);
    let rec = ourExecutions(runs).get(was.id) ?? null;
    // Its log is read at once, not after the failed reads' backoff: a region restarted without it has lost its entries
    // too, and that read says so before it is shown gone, never `last entries not yet in Cloud Logging` meanwhile (AF1).
    goneFromRegion = was.id;
    await Promise.race([d.feed.nudge(was.id), sleep(NUDGE_WAIT_MS, d.signal)]);
    if (d.signal.aborted || current?.id !== was.id) return;
    // Its end not known, it ran at least until the region last said it was running (tester AD12's residue: `running ·
    // 0:08`, then `ended · 0:05` by its lines read, `elapsed 0:00` in status from the kept outcomes that took its start).
    // Or its newest entry read, when later: a line it wrote after that look (tester AF1: `0:16` at the look, its last entry
    // read at 0:19).
    const lookedAt = seenActive?.id === was.id ? seenActive.at : (was.startTime ?? was.createTime);
    const lastSeen = Math.max(lookedAt, newestRead?.id === was.id ? newestRead.at : 0);
    const listedAs = withRecorded(list, runs, spec.taskCount ?? 1).find((x) => x.id === was.id);
    const e = listedAs ? { ...listedAs, completionTime: Math.max(listedAs.completionTime ?? 0, lastSeen) } : { ...was, state: 'unknown' as const, runningCount: 0, completionTime: lastSeen, unlisted: NO_LONGER_LISTED };
    // That proof is recorded for one of ours (an end `gone`: its end not known), so `status`, `h` and a later dashboard
    // count its elapsed to it too, where status counted to its last log line and h said `–` (h67's note, tester h68).
    if (rec && rec.end === null && e.state === 'unknown') {
      await recordEndOnce(d.stateDir, { id: rec.id, endedAt: lastSeen, exitCode: null, signal: null, reason: 'gone', message: `${NO_LONGER_LISTED} while it ran: its end not known, last seen running then` }).catch((err: Error) => notice(`could not record when ${was.id} was last seen running: ${err.message}`, 'warn'));
      rec = { ...rec, end: { endedAt: lastSeen, exitCode: null, signal: null, reason: 'gone' } };
    }
    show(e, rec !== null, rec?.id ?? null);
    await onEnded(e, rec);
  }

  async function onEnded(e: ExecutionInfo, rec: RunRecord | null): Promise<void> {
    if (ended.has(e.id)) return;
    ended.add(e.id);
    if (e.unlisted) notice(`execution ${e.id} is ${e.unlisted}: ${rec ? 'shown from runs.jsonl, ' : ''}${standIn === e.id ? 'its figures from what was kept of it (its log is gone from Cloud Logging)' : 'its log read from Cloud Logging by name'}`, 'info', `run:${rec?.id ?? e.id}`);
    else {
      const end = executionEndWords(e, openedAt);
      notice(end.text, end.tone, `run:${rec?.id ?? e.id}`);
    }
    // Recorded at once (a dashboard quitting now must not lose the end), then again once the log's last entries
    // are in (or the deadline passed) with the log's tallies and storage after: runs.jsonl keeps the last counts.
    if (rec && rec.end === null) await recordEndOf(e, rec, false);
    track(
      awaitLastEntries(e).then(async () => {
        const whole = readWhole(e);
        // Read in part (Cloud Logging failed part way): outcomes another dashboard kept whole stand for it instead, as
        // `status` takes them (tester AG2: the open dashboard stayed `incomplete 324/853` beside a kept 853/853).
        if (!whole && current?.id === e.id && !d.signal.aborted && spoke === e.id && (await d.onLogEmpty?.(e, true)) === 'kept' && current?.id === e.id) {
          standIn = e.id;
          place({ logIncomplete: null });
          stopReading(e);
          return;
        }
        // Its outcomes are kept (failures across executions) while the store still holds its run.
        const keepIt = (asWhole: boolean) => (current?.id === e.id && !d.signal.aborted && spoke === e.id ? Promise.resolve(d.onLogDone?.(e, rec, asWhole)).then(() => logGoneSaid(e, rec)) : Promise.resolve());
        await keepIt(whole);
        // Not read whole at the deadline (Cloud Logging failing then): its log is read on until a read reaches its end,
        // never left with `reading again…` said of a read that would not come (tester AG13: minutes stale after Cloud
        // Logging was back, while `status` read it whole). The part read is kept meanwhile; the whole replaces it.
        if (!whole) {
          if (!(await readOnUntilWhole(e))) {
            stopReading(e);
            return;
          }
          await keepIt(true);
        }
        stopReading(e);
        // The log's tallies only from a log read to its end: a read cut short by Cloud Logging has a part of them
        // (tester AG3: 257 ✓ 67 ✗ recorded after the 574 ✓ 279 ✗ of another dashboard's whole read).
        await recordEndOf(e, rec, true);
      }),
    );
    track(refreshRecent());
  }

  /**
   * Whether the ended execution's log was read to its end: its last entries in (or none awaited), or given up on at
   * the deadline after a read begun at its end or later reached the end of the log with no read failing since. Given up
   * on while Cloud Logging failed, what was read is a part (tester AG3: kept `whole` with 67 of its 279 failures).
   */
  function readWhole(e: ExecutionInfo): boolean {
    const s = incompleteOf(e);
    if (s !== 'gave-up') return s === null;
    return caughtUpFrom !== null && e.completionTime !== null && caughtUpFrom >= e.completionTime && errorFrom !== 'log';
  }

  /**
   * An ended execution whose entries Cloud Logging lost after some were read (a region restarted without them): what
   * was read, now kept, is its run, said as `status` says it standing in from that file.
   */
  function logGoneSaid(e: ExecutionInfo, rec: RunRecord | null): void {
    if (lostLog !== e.id || current?.id !== e.id || d.signal.aborted) return;
    const kept = d.keptName?.(e.id) ?? null;
    place({ logGone: kept ?? 'kept' });
    notice(`execution ${e.id}${e.unlisted ? ` is ${e.unlisted} and` : ''} its log is gone from Cloud Logging: its figures are what was read before${kept ? `, kept in ${kept}` : ''}`, 'info', `run:${rec?.id ?? e.id}`);
  }

  /**
   * Appends the end of one of our executions to runs.jsonl (append-only; the last end record's counts win): the
   * execution's task counts, and once its log is read (`full`) the log's tallies and storage before (from the
   * launch record) → after (a fresh listing), which `h` shows. A dashboard that finds an ended execution of
   * ours without full counts (the one that saw it end quit too soon) writes them.
   */
  async function recordEndOf(e: ExecutionInfo, rec: RunRecord | null, full: boolean): Promise<void> {
    if (!rec || d.signal.aborted || (rec.end !== null && (!full || rec.end.counts?.succeeded !== undefined))) return;
    // Unlisted and never seen ending (tester Z3): how and when it ended is not known; nothing is made up for it.
    if (e.state === 'unknown') return;
    const counts: Record<string, number> = { tasksSucceeded: e.succeededCount, tasksFailed: e.failedCount, tasksCancelled: e.cancelledCount, retried: e.retriedCount };
    if (full) {
      // Another dashboard may have written them since this one read runs.jsonl: the first log's tallies stand.
      const now = ourExecutions(await readRuns(d.stateDir, cloudRunOwner(d.spec)).catch(() => [] as RunRecord[])).get(e.id);
      if (now?.end?.counts?.succeeded !== undefined) return;
      const tallies = current?.id === e.id ? d.runCounts?.() : null;
      if (tallies) Object.assign(counts, tallies);
      // When the listing was taken, kept with it: a dashboard that finds the execution ended unwatched lists storage
      // now, maybe hours and other runs after its end (tester AJ9), and `h` says so rather than date it at the end.
      const listedAt = d.now();
      const after = await d.freshStoragePresent?.().catch(() => null);
      if (typeof rec.storageBefore === 'number' && typeof after === 'number') Object.assign(counts, { storageBefore: rec.storageBefore, storageAfter: after, storageAfterAt: listedAt });
      if (d.signal.aborted) return;
    }
    try {
      await recordEnd(d.stateDir, { id: rec.id, endedAt: e.completionTime ?? d.now(), exitCode: null, signal: null, reason: e.state === 'cancelled' ? 'stopped' : 'exited', counts });
      if (full) {
        const list = await api.listExecutions(spec, d.signal).catch(() => null);
        if (list) listed(list);
        await historyChanged(list ?? lastList);
      }
    } catch (err) {
      notice(`could not record the end of ${e.id}: ${(err as Error).message}`, 'warn');
    }
  }

  /**
   * A container can exit before its last lines reach Cloud Logging: counts come from the execution until they
   * do. A succeeded script's summary is waited for; a cancelled or failed one writes none, so its log is whole
   * once read past the completion (see last-entries.ts). Either way no longer than the deadline.
   */
  async function awaitLastEntries(ended: ExecutionInfo): Promise<void> {
    const deadlineMs = d.logDeadlineMs ?? 5 * 60_000;
    const e = { ...ended, completionTime: ended.completionTime ?? d.now() };
    const known = !endNotKnown(ended);
    let said: 'waiting' | 'gave-up' | null | undefined;
    while (!d.signal.aborted && current?.id === e.id) {
      const s = incompleteOf(known ? e : ended);
      // Said when it changes: each place event is a frame and an alerts pass.
      if (s !== said) place({ logIncomplete: s });
      said = s;
      if (s !== 'waiting') break;
      // Past the deadline (a dashboard started long after the end) it still waits for a first read: a second apart.
      const left = e.completionTime + deadlineMs - d.now();
      await sleep(left > 0 ? Math.min(1000, left) : 1000, d.signal);
    }
    // With several tasks, every summary in is not every line in: each task is a container of its own, and
    // Cloud Logging keeps no order between them (tester V11: two of three timeouts, one per task, written the
    // millisecond of the summaries, came after them, were never read, and were lost with the kept outcomes).
    // Reading goes on until a read begun `settle` after the completion reached the end, as for an execution that
    // writes no summary. One task writes its summary last on its one stream, which the agent ships in order.
    const settle = Math.min(d.logSettleMs ?? LOG_SETTLE_MS, deadlineMs / 2);
    while (known && e.taskCount > 1 && !d.signal.aborted && current?.id === e.id && said === null && (caughtUpFrom === null || caughtUpFrom < e.completionTime + settle) && d.now() < e.completionTime + deadlineMs) {
      await sleep(Math.min(1000, Math.max(50, settle / 4)), d.signal);
    }
  }

  /** Stops reading the ended execution's log, when it is still the one followed: what was read of it is all there is. */
  function stopReading(e: ExecutionInfo): void {
    if (current?.id !== e.id || followed?.e.id !== e.id) return;
    unfollow?.();
    unfollow = null;
  }

  /**
   * Reads on an ended execution's log given up on at its deadline with a part read, until a read reaches its end with
   * none failing since (true), or it stops being the one followed, its kept outcomes stand for it, or the dashboard
   * closes (false). The feed goes on retrying at its own pace (within the quota), said on the place's line as it goes.
   */
  async function readOnUntilWhole(e: ExecutionInfo): Promise<boolean> {
    while (!d.signal.aborted && current?.id === e.id && followed?.e.id === e.id && standIn !== e.id) {
      if (readWhole(e)) return true;
      await sleep(1000, d.signal);
    }
    return false;
  }

  /** The job's executions, or null when the listing failed (said as the place's error, unless the dashboard is closing). */
  async function listOrSay(): Promise<ExecutionInfo[] | null> {
    const woke = wakes();
    try {
      return await api.listExecutions(spec, d.signal);
    } catch (err) {
      // Cut across a stop of the dashboard: listed again at once, unsaid (as refreshCurrent).
      if (!d.signal.aborted && wakes() !== woke) nudge();
      else if (!d.signal.aborted) failed(err);
      return null;
    }
  }

  /** Lists the job's executions: follows the running one (re-attach), else the newest finished one. */
  async function findRunning(first: boolean): Promise<void> {
    const askedAt = d.now();
    const list = await listOrSay();
    if (!list) return;
    // Listed once only when what it holds is shown: until then the place says `looking for executions…`, never `no
    // executions yet` while the launches' records are read (tester AG5: a second of it over a running execution).
    place({ recent: list.filter((e) => !isActive(e)).slice(0, 5), ...(listedOnce ? { listedAt: d.now() } : {}), ...cleared('run') });
    listed(list);
    const runs = await settleLaunches(list, await readRuns(d.stateDir, cloudRunOwner(d.spec)).catch(() => [] as RunRecord[]));
    track(historyChanged(list));
    const mine = ourExecutions(runs);
    // Ours the region no longer lists (it keeps executions for a while; a restarted one keeps none) are still the
    // job's executions, from their records, their logs read by name (tester Z3: `no executions yet`, failures missed).
    const all = withRecorded(list, runs, spec.taskCount ?? 1);
    for (const r of lostLaunches(runs, all)) {
      if (lostSaid.has(r.id)) continue;
      lostSaid.add(r.id);
      notice(neverWords(r, takesKeys()), 'warn', `launch:${r.id}`);
    }
    d.onListed?.(all, mine);
    const running = list.find(isActive) ?? null;
    // With none running, the newest one: at start, and whenever one newer than the one shown ended between two
    // looks (started and finished elsewhere in less than a list interval: tester U6), as `status` names it.
    const newest = all[0] ?? null;
    const newer = newest !== null && (current === null || (newest.id !== current.id && newest.createTime > current.createTime));
    const pick = running ?? (first || newer ? newest : null);
    // Nothing to read at start: whatever happens from now on is news.
    if (!pick && current === null) d.dispatch({ type: 'log/history-done' });
    if (!pick || pick.id === current?.id) {
      if (pick) show(pick, mine.has(pick.id), mine.get(pick.id)?.id ?? null, askedAt);
      // Known now: said with an event, so a key waiting for it (notKnownYet) hears.
      if (!listedOnce) place({ listedAt: d.now() });
      listedOnce = true;
      return;
    }
    const rec = mine.get(pick.id) ?? null;
    show(pick, rec !== null, rec?.id ?? null, askedAt);
    if (!listedOnce) place({ listedAt: d.now() });
    listedOnce = true;
    // Keyed by the run, as its end's notice is: a cancel or the end replaces it (tester AA10: `re-attached …, still
    // running` stayed on top under `stopped`).
    if (running) notice(rec ? `re-attached to execution ${pick.id} (run ${rec.id}), still running` : `execution ${pick.id} is running, started outside this dashboard (gcloud or the console)`, rec ? 'info' : 'warn', `run:${rec?.id ?? pick.id}`);
    followLog(pick, rec);
    if (!isActive(pick)) await onEnded(pick, rec);
  }

  /**
   * Launches whose dashboard never heard jobs.run's answer (its terminal closed first: tester AE13) settled from a fresh
   * listing: the execution each made is recorded as ours (it was called `external`), or, its window over with none made,
   * its end as never executed (nothing said so). Returns runs as they now read; a record that cannot be written is said.
   */
  async function settleLaunches(list: ExecutionInfo[], runs: RunRecord[]): Promise<RunRecord[]> {
    // A launch under way in a dashboard (this one's too): its own answer settles it, never this listing.
    if (unanswered(runs).length && (await launchLockHeld(d.stateDir, d.jobName))) return runs;
    const fates = launchFates(runs, list, d.now(), launchingId);
    if (fates.length === 0) return runs;
    try {
      const now = await recordFates(d.stateDir, runs, fates);
      for (const f of fates) if (f.execution) notice(foundWords(f.rec, f.execution), 'info', `launch:${f.rec.id}`);
      return now;
    } catch (err) {
      notice(fatesUnrecordedWords(fates, err as Error), 'warn');
      return runs;
    }
  }

  async function refreshRecent(): Promise<void> {
    try {
      const list = await api.listExecutions(spec, d.signal);
      place({ recent: list.filter((e) => !isActive(e)).slice(0, 5) });
      listed(list);
      await historyChanged(list);
    } catch {
      // the next list tries again; the error line belongs to the calls the operator relies on
    }
  }

  /** The args with every placeholder filled; {keysUri} writes the keys object first. */
  async function argsFor(req: PlaceLaunchRequest, runId: string): Promise<{ args: string[]; keysUri: string | null }> {
    const uses = (name: string) => spec.args.some((a) => a.includes(`{${name}}`));
    let keysUri: string | null = null;
    if (uses('keysUri')) {
      if (!spec.keysPrefix) throw new Error('the args use {keysUri} but cloudRun.keysPrefix is not set');
      if (!d.writeKeysObject) throw new Error('cannot write the keys object: no storage client');
      keysUri = `${spec.keysPrefix.replace(/\/?$/, '/')}${runId}.txt`;
      await d.writeKeysObject(keysUri, keysFileText(req.keys, (await d.keysLayout?.()) ?? null));
    }
    const vars = { ...spec.vars, workers: req.workers, timeout: req.timeout, keys: req.keys.join(','), ...(keysUri ? { keysUri } : {}) };
    return { args: expandCommand(spec.args, vars), keysUri };
  }

  async function launch(req: PlaceLaunchRequest): Promise<PlaceLaunchOutcome> {
    const notices: string[] = [];
    if (launching) return { ok: false, message: 'not launched: a launch is already under way', notices };
    launching = true;
    const lock = await acquireLaunchLock(d.stateDir, d.jobName).catch((err: Error) => ({ ok: false as const, holderPid: null, error: err }));
    // And the Cloud Run job's own, shared by every dashboard of this user whatever its state directory (tester AK8's
    // class: two would each list no running execution and both call jobs.run). One it cannot take is said, not fatal.
    const jobLock = lock.ok ? await acquireTargetLock(cloudRunOwner(spec)).catch((err: Error) => ({ ok: false as const, holderPid: null, error: err })) : null;
    try {
      if (!lock.ok) return { ok: false, message: `not launched: ${'error' in lock ? lock.error.message : `another dashboard${lock.holderPid !== null ? ` (pid ${lock.holderPid})` : ''} is launching this job`}`, notices };
      if (jobLock && !jobLock.ok && !('error' in jobLock)) return { ok: false, message: `not launched: another dashboard${jobLock.holderPid !== null ? ` (pid ${jobLock.holderPid})` : ''} is launching Cloud Run job ${spec.job}`, notices };
      if (jobLock && !jobLock.ok) notices.push(`the Cloud Run job's shared launch lock could not be taken (${(jobLock as { error: Error }).error.message}): launched under this job's lock alone`);
      if (lock.tookOverStale) notices.push(staleLockWords(lock.tookOverStale.pid));
      // A fresh look, not the last poll: someone may have started it a second ago.
      let list: ExecutionInfo[];
      try {
        list = await api.listExecutions(spec, d.signal);
      } catch (err) {
        return { ok: false, message: `not launched: could not check for a running execution: ${failed(err).message}`, notices };
      }
      const running = list.find(isActive);
      if (running) return { ok: false, message: `not launched: execution ${running.id} is ${running.state}; one at a time`, notices };
      const startedAt = d.now();
      const runId = `${req.label}-${fileStamp(startedAt)}-${randomBytes(3).toString('hex')}`;
      let args: string[];
      let keysUri: string | null;
      try {
        ({ args, keysUri } = await argsFor(req, runId));
      } catch (err) {
        return { ok: false, message: `not launched: ${(err as Error).message}`, notices };
      }
      const known = new Set(list.map((e) => e.id));
      launchingId = runId;
      const record = { type: 'launch' as const, id: runId, label: req.label, argv: args, cwd: '', keysFile: keysUri, keyCount: req.keys.length, ...settingsRecorded(settingsTaken(spec.args), req.workers, req.timeout), pid: null, procStart: null, log: cloudRunOwner(spec), startedAt, storageBefore: d.storagePresent?.() ?? null };
      // Recorded before the call, as a local launch is before its spawn: a launch we cannot record starts nothing.
      try {
        await appendRunRecord(d.stateDir, record);
      } catch (err) {
        return { ok: false, message: `not launched: ${(err as Error).message}`, notices };
      }
      let e: ExecutionInfo;
      const askedAt = d.now();
      try {
        e = await api.runJob(spec, { args, env: spec.env, ...(spec.taskCount ? { taskCount: spec.taskCount } : {}), ...(spec.timeout ? { timeoutSeconds: spec.timeout } : {}) }, d.signal);
      } catch (err) {
        const ce = failed(err);
        // No answer: it may have started anyway. Look before anyone presses s again; never call run twice.
        const unsure = ce.kind === 'deadline' || ce.kind === 'network';
        // Ours by its args and time, as a later dashboard settles a launch whose answer it never heard (launch-answer.ts).
        const found = unsure ? await api.listExecutions(spec, d.signal).then((l) => executionOfLaunch(record, l.filter((x) => !known.has(x.id))), () => null) : null;
        if (!found) {
          const message = `not launched: ${ce.message}${unsure ? '; no new execution appeared, nothing was retried' : ''}`;
          await recordEnd(d.stateDir, { id: runId, endedAt: d.now(), exitCode: null, signal: null, reason: 'failed-to-start', message }).catch(() => undefined);
          return { ok: false, message, notices };
        }
        notices.push(`jobs.run did not answer, but execution ${found.id} appeared: following it`);
        e = found;
      }
      await appendRunRecord(d.stateDir, { ...record, log: `cloud-run:${e.name}`, execution: e.name }).catch((err: Error) => notices.push(`could not record execution ${e.id} in runs.jsonl: ${err.message}`));
      show(e, true, runId, askedAt);
      d.dispatch({ type: 'log/history-done' });
      followLog(e, { ...record, execution: e.name, end: null });
      wake?.();
      return { ok: true, runId, what: `execution ${e.id}`, notices };
    } finally {
      launching = false;
      launchingId = null;
      if (jobLock?.ok) await jobLock.release();
      if (lock.ok) await lock.release();
    }
  }

  /** Cancels execution `id` unless a fresh look finds it cancelling or ended already (another dashboard's cancel, gcloud's). */
  async function cancelOnce(id: string): Promise<PlaceStopOutcome> {
    let e: ExecutionInfo;
    try {
      e = await api.getExecution(spec, id, d.signal);
    } catch (err) {
      place({ cancelling: false });
      return { ok: false, message: `cancel of execution ${id} not sent: ${failed(err).message}` };
    }
    if (e.state === 'cancelling') {
      place({ cancelling: true });
      wake?.();
      return { ok: true, message: `execution ${id} is being cancelled already (a cancel from another dashboard or gcloud): none sent again` };
    }
    // Its end is said by the watch, woken now.
    if (!isActive(e)) {
      wake?.();
      return { ok: false, message: `execution ${id} has ${e.state === 'unknown' ? 'ended' : e.state} already: nothing to cancel` };
    }
    try {
      const after = await api.cancelExecution(spec, id, d.signal);
      place({ cancelling: isActive(after) });
      if (ours) d.dispatch({ type: 'process/update', patch: { stopped: true } });
      wake?.();
      return { ok: true, message: `cancel sent to execution ${id}` };
    } catch (err) {
      place({ cancelling: false });
      return { ok: false, message: `cancel of execution ${id} failed: ${failed(err).message}` };
    }
  }

  /**
   * Another dashboard's cancel of an execution, read at once (tester AG6 i: the watching dashboard counted on `0:16` …
   * `0:19` until its next 5 s look, then snapped back to `stopped · 0:15`, the other's figure from its `y` on): a cancel
   * takes the execution's cancel claim beside runs.jsonl while it asks Cloud Run, so the claim made or removed there
   * wakes this watch to look at the execution now. Not persistent: it holds nothing open when the dashboard ends. Begun
   * at the start, and at each look at an active execution until the state directory exists (made by the first launch).
   */
  function watchCancels(): void {
    if (cancelWatch || d.signal.aborted) return;
    let watcher: ReturnType<typeof watch>;
    try {
      watcher = watch(d.stateDir, { persistent: false }, (_, name) => {
        if (typeof name === 'string' && name.startsWith('cancel-') && current !== null && isActive(current)) nudge();
      });
    } catch {
      // No state directory yet: a cancel from another dashboard needs one (its claim is made there), so none came.
      return;
    }
    cancelWatch = watcher;
    const end = () => {
      watcher.close();
      if (cancelWatch === watcher) cancelWatch = null;
    };
    watcher.on('error', end);
    d.signal.addEventListener('abort', end, { once: true });
  }

  /** A cancel asked here, not answered yet, in words. */
  function cancelUnderWay(asked: { id: string; at: number }): string {
    return `cancelling execution ${asked.id}: asked at ${clockTime(asked.at)}, Cloud Run has not answered yet`;
  }

  /** The last executions for `h`, oldest first: ours with their label, keys and end counts; others as external. */
  async function recentRuns(): Promise<RecordedRun[]> {
    const list = await api.listExecutions(spec, d.signal).catch(() => null);
    if (list) listed(list);
    return inTurn(() => historyOf(list ?? lastList));
  }

  /** What the history last showed (ids, states, ends, counts): an unchanged listing sends nothing. */
  let historyShown = '';
  /** History reads one after another, so the last one sent read runs.jsonl last (never an older end over a newer). */
  let historyTurn: Promise<unknown> = Promise.resolve();
  function inTurn<T>(read: () => Promise<T>): Promise<T> {
    const next = historyTurn.then(read);
    historyTurn = next.catch(() => undefined);
    return next;
  }
  /**
   * The history from a listing the watch made anyway (no call of its own), sent when it changed: `h` moves while
   * open, as the dashboard does (tester V4: an execution started elsewhere alerted at the top of an open `h` while
   * its row came only when `h` was opened again). Only a confirm box is fixed while open.
   */
  function historyChanged(list: ExecutionInfo[]): Promise<void> {
    return inTurn(async () => {
      const runs = await historyOf(list);
      const key = JSON.stringify(runs.map((r) => [r.id, r.reason, r.endedAt, r.counts, r.storageBefore, r.storageAfter]));
      if (key === historyShown || d.signal.aborted) return;
      historyShown = key;
      d.dispatch({ type: 'process/history', runs });
    });
  }

  /**
   * For `h`, oldest first: the last executions of `listed` (newest first, as listed), and every execution launched
   * here, listed or not: the region keeps an execution for a while only (and lists its newest 20), and a run launched
   * here stays in the history from its records (tester Z3: they left `h` once the region stopped listing them).
   */
  async function historyOf(listed: ExecutionInfo[]): Promise<RecordedRun[]> {
    const runs = await readRuns(d.stateDir, cloudRunOwner(d.spec)).catch(() => [] as RunRecord[]);
    const mine = ourExecutions(runs);
    const list = [...(current && isActive(current) ? [current] : []), ...listed];
    const seen = new Set<string>();
    const shown = list.filter((e, i) => !seen.has(e.id) && seen.add(e.id) && (i < 6 || mine.has(e.id))).map((e) => {
      const rec = mine.get(e.id);
      // One started elsewhere with the job's own {keys} arg shape still says how many keys it was given.
      const keys = rec ? rec.keyCount : (keysFromArgv(spec.args, e.args)?.length ?? null);
      const fromRecord = rec?.end?.counts?.succeeded !== undefined ? { succeeded: rec.end.counts.succeeded, failed: rec.end.counts.failed ?? 0, skipped: rec.end.counts.skipped ?? 0 } : null;
      return {
        id: e.id,
        label: rec?.label ?? 'external',
        external: !rec,
        keyCount: keys ?? 0,
        keysUnknown: keys === null,
        keysFile: rec?.keysFile ?? null,
        pid: 0,
        startedAt: e.startTime ?? e.createTime,
        endedAt: e.completionTime,
        exitCode: null,
        reason: isActive(e) ? null : e.state,
        // Tallies only once the log was read to its end (the first end record has the execution's task counts);
        // an execution that ended while no dashboard watched, or started elsewhere, from its log read once (T28).
        counts: fromRecord ?? (isActive(e) ? null : (d.keptCounts?.(e.id) ?? null)),
        storageBefore: rec?.end?.counts?.storageBefore ?? null,
        storageAfter: rec?.end?.counts?.storageAfter ?? null,
        storageAfterAt: rec?.end?.counts?.storageAfterAt ?? null,
      } satisfies RecordedRun;
    });
    const gone = [...mine.entries()].filter(([id]) => !seen.has(id)).map(([id, rec]) => unlistedRun(id, rec, listed));
    // A launch that never became an execution stays in the history too, said so (tester AE13: it was left out).
    const never = runs.filter(neverExecuted).map((rec) => ({ id: rec.id, label: rec.label, keyCount: rec.keyCount, keysFile: rec.keysFile, pid: 0, startedAt: rec.startedAt, endedAt: null, exitCode: null, reason: null, neverExecuted: true as const }) satisfies RecordedRun);
    return [...shown, ...gone, ...never].sort((a, b) => a.startedAt - b.startedAt);
  }

  /**
   * A run of ours the listing does not hold, from its records in runs.jsonl (and its log's tallies kept in
   * STATEDIR/executions/): how it ended as its end record says, marked with why it is not the region's word.
   */
  function unlistedRun(id: string, rec: RunRecord, list: ExecutionInfo[]): RecordedRun {
    const c = rec.end?.counts ?? {};
    // Gone while it ran (recorded at the last proof of its life): how it ended is not known, its elapsed is.
    const state = !rec.end || rec.end.reason === 'gone' ? null : rec.end.reason === 'stopped' || c.tasksCancelled ? 'cancelled' : c.tasksFailed ? 'failed' : c.tasksSucceeded ? 'succeeded' : 'ended';
    const tallies = c.succeeded !== undefined ? { succeeded: c.succeeded, failed: c.failed ?? 0, skipped: c.skipped ?? 0 } : (d.keptCounts?.(id) ?? null);
    // The region lists its newest 20: one older than all of those may still be kept there, past the page.
    const page = list.length >= 20 && rec.startedAt < Math.min(...list.map((e) => e.createTime));
    const why = lastListAt === null ? 'the region not listed yet' : rec.startedAt > lastListAt ? 'launched after the last listing' : page ? 'older than the 20 the region lists' : 'no longer listed by the region';
    return {
      id,
      label: rec.label,
      keyCount: rec.keyCount,
      keysFile: rec.keysFile,
      pid: 0,
      startedAt: rec.startedAt,
      endedAt: rec.end?.endedAt ?? null,
      exitCode: null,
      reason: state,
      counts: tallies,
      storageBefore: c.storageBefore ?? null,
      storageAfter: c.storageAfter ?? null,
      storageAfterAt: c.storageAfterAt ?? null,
      unlisted: why,
    };
  }

  return {
    kind: 'cloud-run',
    label,
    notKnownYet() {
      // Until the first listing answers, an execution may be running that s would launch beside and x not see.
      // A listing that fails says why in the place's lines; the keys then act on what is known.
      return listedOnce || failedOnce ? null : `the executions of ${spec.job} are still being listed`;
    },
    settingsTaken: () => settingsTaken(spec.args),
    launchWhere: () => ` on ${where}`,
    commandShown(req) {
      // The keys object is named by the run's id, made at `y`.
      const keysUri = spec.keysPrefix ? `${spec.keysPrefix.replace(/\/?$/, '/')}${req.label}-….txt` : '{keysUri}';
      try {
        return `args: ${commandLine(expandCommand(spec.args, { ...spec.vars, workers: req.workers, timeout: req.timeout, keys: req.keys.join(','), keysUri }))}`;
      } catch {
        return `args: ${commandLine(spec.args)}`;
      }
    },
    keylessQuestion() {
      return `Execute ${where}? Its args take no keys: the script's own resume skips what is in storage.`;
    },
    keysUnsupported() {
      return takesKeys() ? null : `the job's args take neither {keys} nor {keysUri}: it cannot be given a list of keys (s still executes it; its own resume skips what is in storage)`;
    },
    launchBlocked() {
      if (launching) return 'a launch is under way';
      if (current && isActive(current)) {
        return ours ? `execution ${current.id} is ${current.state}; x cancels it` : `execution ${current.id} was started outside this dashboard and is ${current.state}: launching is refused until it ends`;
      }
      return null;
    },
    stopQuestion() {
      if (!current || !isActive(current)) return { ok: false, tone: 'info', message: 'no execution is running' };
      if (cancelAsked?.id === current.id) return { ok: false, tone: 'info', message: cancelUnderWay(cancelAsked), key: `run:${shownRunId}` };
      const who = ours ? '' : ' (started outside this dashboard)';
      return { ok: true, kind: 'stop', message: `Cancel execution ${current.id}${who}? Its tasks get SIGTERM; keys in flight are lost.` };
    },
    launch,
    async stop(): Promise<PlaceStopOutcome> {
      if (!current || !isActive(current)) return { ok: false, message: 'no execution is running' };
      const id = current.id;
      // Two dashboards answering `x` `y` at once cancel it once: each takes the execution's cancel claim (O_EXCL, beside
      // runs.jsonl) and looks at it afresh first, so the second finds the first's cancel and says so (tester h68's note).
      const claim = join(d.stateDir, `cancel-${id.replace(/[^\w.-]/g, '_')}.claim`);
      // Said at once, as a local stop's SIGINT is: Cloud Run may take up to the call's deadline to answer (tester AF7).
      const asked = (cancelAsked = { id, at: d.now() });
      place({ cancelling: true });
      notice(cancelUnderWay(asked), 'info', `run:${shownRunId}`);
      try {
        await makeDirs(d.stateDir).catch(() => undefined);
        for (let tries = 0; tries < 100 && !d.signal.aborted; tries++) {
          const out = await withClaim(claim, () => cancelOnce(id)).catch((err: Error) => ({ ok: false as const, message: `cancel of execution ${id} not sent: ${err.message}` }));
          if (out) return out;
          await sleep(50, d.signal);
        }
        return { ok: false, message: `cancel of execution ${id} not sent: another dashboard is cancelling it` };
      } finally {
        cancelAsked = null;
      }
    },
    async kill() {
      return { ok: false, message: 'Cloud Run has no second stop: the cancel ends the tasks' };
    },
    async start() {
      await findRunning(true);
      loop = watchLoop();
      watchCancels();
    },
    recentRuns,
    async close() {
      unfollow?.();
      wake?.();
      await loop;
      while (pending.size) await Promise.all([...pending]);
    },
  };
}
