import { keptStandIn, keptUnreadWords, keptWholeNow, keysFromArgv, loadKept, outcomesAsRuns, outcomesOf, saveOutcomes, type ExecutionOutcomes } from '../cloud-run/execution-outcomes.js';
import { jobPathOf } from '../cloud-run/api.js';
import { isActive, type ExecutionInfo } from '../cloud-run/execution.js';
import { byLogOrder, orderedEntry, type OrderedEntry } from '../cloud-run/entry-order.js';
import { foldExecutionLog } from '../cloud-run/execution-log.js';
import type { LogFeed } from '../cloud-run/log-feed.js';
import type { Grammar } from '../parser/index.js';
import type { RunRecord } from '../runner/runs-file.js';
import type { AppEvent } from '../state/events.js';
import type { RunState } from '../state/run.js';

/** What the execution history needs from the place around it. */
export interface ExecutionHistoryDeps {
  stateDir: string;
  /** The config's folder: kept files are named from it (`.backfill-tui/executions/ID.json`). */
  baseDir: string;
  project: string;
  region: string;
  job: string;
  /** The job's args template: `{keys}` in it tells the keys a launch gave from its argv. */
  args: string[];
  feed: LogFeed;
  grammar: Grammar;
  dispatch(e: AppEvent): void;
  /** The run of the log followed now (the reducer's). */
  currentRun(): RunState | null;
  now(): number;
  logDeadlineMs: number;
  signal: AbortSignal;
}

/** The most earlier executions read from Cloud Logging (one at a time, sharing the project's read pace). */
const PAST_LIMIT = 10;

/**
 * The failures of the job's earlier executions (tester U2): each ended execution's failed keys (and the keys it
 * was launched with) as one more run for the failure rule, so a key failing in every execution that tried it is
 * persistent and a key a later execution scraped has recovered, as across a local job's failed-keys files.
 * Outcomes are kept in STATEDIR/executions/: the followed execution's from the store once its log is whole, an
 * earlier one's from one read of its log (through the shared feed, so within the project's read pace), never
 * read again. The followed execution is the log's run and is left out (never counted twice).
 */
export function createExecutionHistory(d: ExecutionHistoryDeps) {
  const kept = new Map<string, ExecutionOutcomes>();
  let followed: string | null = null;
  /** The followed execution stands as its kept outcomes (its log gone from Cloud Logging): one run of the rule too. */
  let standing: string | null = null;
  const queued: { e: ExecutionInfo; rec: RunRecord | null }[] = [];
  const tried = new Set<string>();
  let pump: Promise<void> = Promise.resolve();
  /** Outcomes being written: close() waits for them, so nothing writes into the state directory after it. */
  let pending: Promise<void> = Promise.resolve();
  let loaded: Promise<void> | null = null;
  let later: NodeJS.Timeout | undefined;

  const publish = () => {
    const { files, tried: keys } = outcomesAsRuns([...kept.values()].sort((a, b) => a.startedAt - b.startedAt), standing !== null && standing === followed ? null : followed);
    d.dispatch({ type: 'failed/executions', files, tried: keys });
  };
  /** Kept files that cannot be read (cut, edited): said once, left out, and never written over (tester AD5). */
  const unread = new Set<string>();
  const load = () =>
    (loaded ??= loadKept(d.stateDir, jobPathOf(d)).then(({ outcomes, unread: bad }) => {
      for (const o of outcomes) if (!kept.has(o.id)) kept.set(o.id, o);
      for (const u of bad) {
        unread.add(u.id);
        d.dispatch({ type: 'ui/notice', text: keptUnreadWords(u, d.stateDir, d.baseDir), tone: 'warn', key: `kept:${u.id}` });
      }
      publish();
    }));

  const triedOf = (rec: RunRecord | null) => (rec ? keysFromArgv(d.args, rec.argv) : null);

  async function keep(o: ExecutionOutcomes): Promise<void> {
    // Its file cannot be read: what it says is not known, and a log gone since would write nothing over it.
    if (unread.has(o.id)) return;
    // Kept whole since the folder was loaded (another dashboard read its log to the end): that stands, never this read.
    const whole = await keptWholeNow(d.stateDir, o.id).catch(() => null);
    kept.set(o.id, whole ?? o);
    publish();
    if (!whole) await saveOutcomes(d.stateDir, o).catch(() => undefined);
  }

  /** Reads an ended execution's whole log once (oldest first), or null when the dashboard closes first. */
  function readOnce(e: ExecutionInfo): Promise<OrderedEntry[] | null> {
    return new Promise((resolve) => {
      const entries: OrderedEntry[] = [];
      const finish = (out: OrderedEntry[] | null) => {
        stop();
        d.signal.removeEventListener('abort', onAbort);
        resolve(out);
      };
      const onAbort = () => finish(null);
      const stop = d.feed.follow({
        project: d.project,
        job: d.job,
        execution: e.id,
        since: e.createTime - 1000,
        onEntries: (list) => entries.push(...list.map(orderedEntry)),
        onRead: (_at, pass) => {
          if (pass.caughtUp) finish(entries.sort(byLogOrder));
        },
        // The feed retries with its backoff and says so on the followed execution's line.
        onError: () => undefined,
      });
      d.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async function readPast(): Promise<void> {
    while (queued.length && !d.signal.aborted) {
      const { e, rec } = queued.shift()!;
      if (e.id === followed || kept.get(e.id)?.whole) continue;
      const lines = await readOnce(e);
      if (!lines || d.signal.aborted) return;
      // No entry (its log gone from Cloud Logging, or never written): nothing read, so nothing kept, never 0 failures.
      if (lines.length === 0) continue;
      await keep(outcomesOf(e, foldExecutionLog(lines, d.grammar, e.taskCount), triedOf(rec), true));
    }
  }

  return {
    /** Loads what was kept, and publishes it. */
    start: load,
    /** The execution the log follows now: left out of the earlier runs. */
    follow(id: string) {
      followed = id;
      if (loaded) publish();
    },
    /**
     * The followed execution ended and Cloud Logging has no entry of it: its outcomes kept whole stand for it (returned,
     * and from now on a run of the failure rule like an earlier execution's), or null when none were kept whole.
     */
    /** The execution was kept and its file cannot be read (load said it): its log was read once, so it is gone now. */
    async keptUnread(id: string): Promise<boolean> {
      await load();
      return unread.has(id);
    },
    async standIn(id: string): Promise<ExecutionOutcomes | null> {
      await load();
      // Kept whole since this dashboard loaded its folder too (another dashboard read the log to its end).
      const o = id !== followed ? null : (keptStandIn([...kept.values()], id) ?? (await keptWholeNow(d.stateDir, id).catch(() => null)));
      if (!o || d.signal.aborted) return null;
      kept.set(id, o);
      standing = id;
      publish();
      return o;
    },
    /** Entries of the followed execution came after all: its log is its run again, its kept outcomes not a run beside it. */
    logSpoke(id: string) {
      if (standing !== id) return;
      standing = null;
      publish();
    },
    /** The followed execution ended and its log is whole (or given up on): its outcomes from the store. */
    keepFollowed(e: ExecutionInfo, rec: RunRecord | null, whole: boolean): Promise<void> {
      if (followed !== e.id || kept.get(e.id)?.whole) return Promise.resolve();
      // Taken now, while the store holds its run: the next execution's log begins right after.
      const o = outcomesOf(e, d.currentRun(), triedOf(rec), whole);
      const p = load().then(() => keep(o));
      pending = pending.then(() => p);
      return p;
    },
    /**
     * The job's executions as listed (newest first) with the records of ours: ended ones never kept whole are read
     * once, oldest first, after their last entries had time to arrive (logDeadline after their end).
     */
    listed(list: ExecutionInfo[], mine: Map<string, RunRecord>) {
      void load();
      const ended = list.filter((e) => !isActive(e)).slice(0, PAST_LIMIT + 1);
      const open = ended.filter((e) => e.id !== followed && !kept.get(e.id)?.whole && !tried.has(e.id));
      const dueAt = (e: ExecutionInfo) => (e.completionTime ?? 0) + d.logDeadlineMs;
      const due = open.filter((e) => dueAt(e) <= d.now()).reverse();
      // One not due yet is looked at again when it is, from this list (no call): the list is not read while a run goes.
      const next = Math.min(...open.filter((e) => dueAt(e) > d.now()).map(dueAt));
      if (Number.isFinite(next) && !d.signal.aborted) {
        clearTimeout(later);
        later = setTimeout(() => this.listed(list, mine), next - d.now() + 10);
        later.unref();
      }
      for (const e of due) {
        tried.add(e.id);
        queued.push({ e, rec: mine.get(e.id) ?? null });
      }
      if (due.length) pump = pump.then(readPast);
    },
    /** Resolves once a read under way has ended (after the signal aborted). */
    async close() {
      clearTimeout(later);
      await pump;
      await loaded;
      await pending;
    },
    kept: () => kept,
  };
}

export type ExecutionHistory = ReturnType<typeof createExecutionHistory>;
