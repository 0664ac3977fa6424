import { createCloudRunApi, jobPathOf, type CloudRunApi } from '../cloud-run/api.js';
import { createCallPacer, type PacerOptions } from '../cloud-run/call-pacer.js';
import { CloudRunError } from '../cloud-run/errors.js';
import { isActive, type ExecutionInfo } from '../cloud-run/execution.js';
import { lastEntriesState } from '../cloud-run/last-entries.js';
import { argsTakeKeys, type ExecutionOutcomes, keptComplete, keptFileName, keptStandIn, keptUnreadWords, keysFromArgv, loadKept, outcomesAsRuns, outcomesOf, saveOutcomes } from '../cloud-run/execution-outcomes.js';
import { byLogOrder, inLogOrder, orderedEntry, type OrderedEntry } from '../cloud-run/entry-order.js';
import { foldExecutionLog } from '../cloud-run/execution-log.js';
import { withRecorded } from '../cloud-run/recorded-execution.js';
import { fatesUnrecordedWords, launchFates, lostLaunches, neverWords, recordFates, unanswered } from '../cloud-run/launch-answer.js';
import { launchLockHeld } from '../runner/lock.js';
import { executionLogFilter } from '../cloud-run/log-filter.js';
import type { Config } from '../config.js';
import { createPageGuard } from '../coverage/page-guard.js';
import type { Grammar } from '../parser/index.js';
import { ourExecutions, seedOf } from '../run-place/cloud-run-place.js';
import { entriesToBatches } from '../run-place/cloud-run-setup.js';
import { readRuns, type RunRecord } from '../runner/runs-file.js';
import { runsOwner } from '../runner/runs-owner.js';
import type { AppEvent } from '../state/events.js';
import { recordedRuns } from './process-info.js';

/** What one bounded look at a Cloud Run job needs. */
export interface CloudRunOnceOptions {
  /** Ends the whole read (the command's --timeout less a margin): what was read by then is what is shown. */
  signal: AbortSignal;
  now: () => number;
  /** True once the run's summary line has been read (the reducer's `complete`). */
  logComplete: () => boolean;
  /** True when every outcome the summary counts has its line in (the reducer's `summaryUnseen` is 0). */
  outcomesMatched: () => boolean;
  /** True when the log read gave a run (the reducer's current run); else the run is the launch's (as on the dashboard). */
  hasRun?: () => boolean;
  /** Deadline of one request, ms. */
  requestTimeoutMs: number;
  /** "30 s": the bound, for messages. */
  bound: string;
  /**
   * "3 s": when `signal` ends this look, from the command's start (its share of the bound: the rest is for the local
   * looks and the printing). Said where a call was cut by it, never the whole bound (tester AH5 g: `timed out after 5 s`
   * for a look cut at 3.3 s). Absent: the bound.
   */
  share?: string;
  /** A pacer of this read's own (tests: an injected clock); default the process's pacer of the project. */
  pacer?: PacerOptions;
  /** Entries per page (the API's cap is 1000). */
  pageSize?: number;
  api?: CloudRunApi;
}

/**
 * One pacer per project for the whole process: the quota is the project's, and one `status` of several Cloud
 * Run jobs of a project reads their logs at once.
 */
const pacers = new Map<string, ReturnType<typeof createCallPacer>>();
function projectPacer(loggingEndpoint: string | undefined, project: string): ReturnType<typeof createCallPacer> {
  const key = `${loggingEndpoint ?? ''} ${project}`;
  let p = pacers.get(key);
  if (!p) pacers.set(key, (p = createCallPacer()));
  return p;
}

/** Lines handed to the parser at a time. */
const PAGE_LINES = 1000;

const errorOf = (err: unknown) => (err instanceof CloudRunError ? err : new CloudRunError(String((err as Error)?.message ?? err), 'network', null, null));

/**
 * `status` and `missing` for a job with `cloudRun`: lists the job's executions, takes the running one (else the
 * newest), and reads its whole Cloud Logging log once (paged, duplicates by insertId dropped, paced within the
 * read quota by {@link createCallPacer}), feeding the entries' text through the job's grammar as a local log's
 * lines are. Dispatches the same events the dashboard's place does. Returns what it could not do, one line each.
 */
export async function readCloudRunOnce(config: Config, grammar: Grammar, dispatch: (e: AppEvent) => void, o: CloudRunOnceOptions): Promise<string[]> {
  const cr = config.cloudRun!;
  const job = { project: cr.project, region: cr.region, job: cr.job };
  const api = o.api ?? createCloudRunApi({ apiEndpoint: cr.apiEndpoint, loggingEndpoint: cr.loggingEndpoint, timeoutMs: o.requestTimeoutMs });
  const place = (patch: Parameters<typeof placeUpdate>[0]) => dispatch(placeUpdate(patch));
  const fail = (err: unknown, what: string, endpoint?: string) => {
    if (o.signal.aborted && !endpoint) return `${what}: not finished within ${o.bound} (--timeout)`;
    // The job's executions never listed in time: the region did not answer, and nothing of the run is known. Said in
    // the state as any failed call is, so `status` reads `error` naming the host, never `waiting` (tester W18).
    const within = o.share && o.share !== o.bound ? `${o.share}, its share of --timeout ${o.bound}` : `${o.bound} (--timeout)`;
    const e = o.signal.aborted ? new CloudRunError(`Cloud Run: no answer from ${endpoint} within ${within}`, 'deadline', 'check the network or cloudRun.apiEndpoint', null) : errorOf(err);
    place({ error: e.message, hint: e.hint, errorAt: o.now() });
    return `${what}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`;
  };
  // Earlier executions' failures as a dashboard kept them (read once from their logs): runs of the failure rule
  // whether or not the region answers or still lists them (tester Z3, Y4: status said `failing 0` beside a saved
  // execution's 9 failed keys when the region was down or had been restarted).
  const { outcomes: kept, unread } = await loadKept(config.stateDir, jobPathOf(cr));
  // A kept file that cannot be read is a problem line, as a failed-keys file that cannot be read is (tester AD5).
  const unreadSaid = () => unread.map((u) => keptUnreadWords(u, config.stateDir, config.baseDir));
  let list: ExecutionInfo[];
  // This listing is status's look at the execution: a running one is shown to it, as a dashboard's to its newest look.
  const askedAt = o.now();
  try {
    list = await api.listExecutions(job, o.signal);
  } catch (err) {
    if (kept.length) dispatch({ type: 'failed/executions', ...outcomesAsRuns(kept, null) });
    return [fail(err, `Cloud Run job ${cr.job} (${cr.region})`, (cr.apiEndpoint ?? 'https://run.googleapis.com').replace(/\/+$/, '')), ...unreadSaid()];
  }
  const takesKeys = argsTakeKeys(cr.args);
  // A launch whose dashboard never heard jobs.run's answer (its terminal closed first: tester AE13) is settled from this
  // listing as a dashboard settles it: its execution recorded as ours, or its end as never executed.
  const read = await readRuns(config.stateDir, runsOwner(config)).catch(() => [] as RunRecord[]);
  // A launch under way in a dashboard is settled by its own answer, never by this look.
  const fates = unanswered(read).length && (await launchLockHeld(config.stateDir, config.job)) ? [] : launchFates(read, list, o.now());
  let settleProblem: string[] = [];
  const runs = await recordFates(config.stateDir, read, fates).catch((err: Error) => {
    settleProblem = [fatesUnrecordedWords(fates, err)];
    return read;
  });
  const mine = ourExecutions(runs);
  // Ours that the region no longer lists are still ours (tester Z3): from their records, their logs read by name.
  const listed = list;
  list = withRecorded(list, runs, cr.taskCount ?? 1);
  const lost = [...settleProblem, ...lostLaunches(runs, list).map((r) => neverWords(r, takesKeys))];
  const e = list.find(isActive) ?? list[0] ?? null;
  place({ recent: listed.filter((x) => !isActive(x)).slice(0, 5), listedAt: o.now(), execution: e, ours: e !== null && mine.has(e.id), seenRunningAt: e !== null && isActive(e) && !e.unlisted ? askedAt : null });
  const history = recordedRuns(runs);
  if (kept.length) dispatch({ type: 'failed/executions', ...outcomesAsRuns(kept, e?.id ?? null) });
  if (!e) {
    dispatch({ type: 'process/update', patch: { history, writersChecked: false } });
    return [...lost, ...unreadSaid()];
  }
  const pacer = o.pacer ? createCallPacer({ now: o.now, ...o.pacer }) : projectPacer(cr.loggingEndpoint, cr.project);
  const ours = mine.has(e.id);
  const active = isActive(e);
  dispatch({ type: 'process/update', patch: { runId: mine.get(e.id)?.id ?? e.id, attached: ours && active, alive: active, external: active && !ours, externalPids: [], stopped: e.state === 'cancelled', history, writersChecked: false } });
  let entriesRead = 0;
  // Ended and kept whole by a dashboard: if Cloud Logging cannot give its whole log now, what was kept is its run, never
  // the part read (tester AF6: `0/853 ✓ 0`, `failures not known`, beside a kept file of its 561 ✓ and 292 ✗).
  const keptWhole = active ? null : keptStandIn(kept, e.id);
  const problems = await readLog(e, keptWhole);
  // No run line (not arrived yet, or a script that died at start, tester U20): the run is the execution's, from
  // its launch's facts, as the dashboard has it: `running 0/N` while it runs, `ended` once it failed.
  if (o.hasRun && !o.hasRun()) dispatch({ type: 'log/launched', seed: seedOf(e, mine.get(e.id) ?? null, takesKeys), bytesBefore: 0 });
  // An ended execution whose log Cloud Logging has no entry of left, its outcomes kept whole when a dashboard read it:
  // they are its run and its failures, as the dashboard shows them (tester Z3 residue: `run 0/29 ✓ 0 ✗ 0`).
  const standIn = keptWhole && (problems.length > 0 || entriesRead === 0) ? keptWhole : null;
  if (standIn) {
    dispatch({ type: 'failed/executions', ...outcomesAsRuns(kept, null) });
    dispatch({ type: 'log/kept', outcomes: standIn, complete: keptComplete(standIn, e.state), keptFrom: keptFileName(config.stateDir, e.id, config.baseDir) });
    place({ logIncomplete: null });
  } else if (!active && entriesRead === 0 && problems.length === 0 && unread.some((u) => u.id === e.id)) {
    // Kept, so a dashboard read its log after it ended: no entry now means the log is gone, never last entries still
    // to come (tester AD5: a succeeded execution read `incomplete`).
    place({ logIncomplete: null });
  }
  // Standing in, the followed execution's kept outcomes are a run of the rule too (never left out as the log's run).
  return [...lost, ...(problems.length ? problems : await readEarlier(e.id, standIn ? null : e.id)), ...unreadSaid()];

  /**
   * Ended executions no dashboard kept yet (started elsewhere, or before any dashboard watched), read once each
   * after the followed log, in the time the bound leaves and at the same pace (≤ 25 calls a minute), and kept
   * in the state directory as a dashboard keeps them: the next `status` reads none of them again.
   */
  async function readEarlier(followed: string, except: string | null): Promise<string[]> {
    // A kept file that cannot be read is left as it is (said): never written over.
    const have = new Set([...kept.filter((k) => k.whole).map((k) => k.id), ...unread.map((u) => u.id)]);
    const due = list.filter((x) => !isActive(x) && x.id !== followed && !have.has(x.id) && (x.completionTime ?? 0) + cr.logDeadline * 1000 <= o.now()).slice(0, 10).reverse();
    let read = 0;
    for (const x of due) {
      const entries = await readWhole(x);
      if (!entries) break;
      // No entry (its log gone from Cloud Logging, or never written): nothing read, so nothing kept, never 0 failures.
      if (entries.length === 0) {
        read++;
        continue;
      }
      const run = foldExecutionLog(entries, grammar, x.taskCount);
      const rec = mine.get(x.id);
      kept.push(outcomesOf(x, run, rec ? keysFromArgv(cr.args, rec.argv) : null, true));
      await saveOutcomes(config.stateDir, kept.at(-1)!).catch(() => undefined);
      read++;
    }
    if (read) dispatch({ type: 'failed/executions', ...outcomesAsRuns(kept, except) });
    return read < due.length ? [`earlier executions: ${read} of ${due.length} logs read within ${o.bound} (--timeout): failures across executions count only those; a later status or the dashboard reads the rest`] : [];
  }

  /** One execution's whole log, in log order, or null when the bound or an error cut it short. */
  async function readWhole(x: ExecutionInfo): Promise<OrderedEntry[] | null> {
    const filter = executionLogFilter(cr.job, x.id, x.createTime - 1000);
    const seen = new Map<string, OrderedEntry>();
    let token: string | null = null;
    do {
      await pacer.turn(o.signal);
      if (o.signal.aborted) return null;
      try {
        const page = await api.listEntries({ resourceNames: [`projects/${cr.project}`], filter, orderBy: 'timestamp asc', pageSize: o.pageSize ?? 1000, ...(token ? { pageToken: token } : {}) }, o.signal);
        for (const y of page.entries) if (!seen.has(y.insertId)) seen.set(y.insertId, orderedEntry(y));
        token = page.nextPageToken;
      } catch {
        return null;
      }
    } while (token);
    return [...seen.values()].sort(byLogOrder);
  }

  /** Reads `e`'s log and feeds its lines; with `keptWhole`, a read that fails feeds nothing: those outcomes stand for it. */
  async function readLog(e: ExecutionInfo, keptWhole: ExecutionOutcomes | null): Promise<string[]> {
    const guard = createPageGuard('Cloud Logging', `the log of execution ${e.id}`, 'check cloudRun.loggingEndpoint: the server there does not page like Cloud Logging', { pageSize: o.pageSize ?? 1000, entries: 'log entries' });
    const filter = executionLogFilter(cr.job, e.id, e.createTime - 1000);
    const seen = new Set<string>();
    const kept: OrderedEntry[] = [];
    const passStartedAt = o.now();
    let token: string | null = null;
    let readAt: number | null = null;
    let newestAt: number | null = null;
    /** Why the read stopped short, whole, and how what the figures are from follows it (`:` after the bound, `;` after an error). */
    let problem: { text: string; then: ':' | ';' } | null = null;
    let caughtUp = false;
    while (!caughtUp) {
      await pacer.turn(o.signal);
      if (o.signal.aborted) {
        problem = { text: `log of execution ${e.id}: not read to its end within ${o.bound} (--timeout)`, then: ':' };
        break;
      }
      try {
        const page = await api.listEntries({ resourceNames: [`projects/${cr.project}`], filter, orderBy: 'timestamp asc', pageSize: o.pageSize ?? 1000, ...(token ? { pageToken: token } : {}) }, o.signal);
        const fresh = page.entries.filter((x) => !seen.has(x.insertId) && seen.add(x.insertId));
        entriesRead += fresh.length;
        for (const x of fresh) newestAt = Math.max(newestAt ?? 0, Date.parse(x.timestamp));
        for (const x of inLogOrder(fresh)) kept.push(x);
        token = page.nextPageToken;
        readAt = o.now();
        guard.page(page.entries.length, token);
        caughtUp = token === null;
      } catch (err) {
        problem = { text: fail(err, `log of execution ${e.id}`), then: ';' };
        break;
      }
    }
    const figures = !problem ? null : keptWhole ? `figures are from its outcomes kept whole in ${keptFileName(config.stateDir, e.id, config.baseDir)}` : `figures are from its first ${seen.size} entries`;
    const said = problem && `${problem.text}${problem.then} ${figures}`;
    if (said && keptWhole) return [said];
    // Fed in (timestamp, insertId) order as the dashboard feeds them (entries of one instant, or a late one, come
    // in no set order), in batches of a page: one-shot and live give one execution the same figures.
    kept.sort(byLogOrder);
    for (let i = 0; i < kept.length; i += PAGE_LINES) for (const event of entriesToBatches(kept.slice(i, i + PAGE_LINES), grammar, e.taskCount)) dispatch(event);
    const completed = e.completionTime ?? o.now();
    // Gone from the region with no end recorded: nothing says when it ended, and this read is all there is of its log.
    const incomplete = isActive(e) || (e.unlisted && e.completionTime === null) ? null : lastEntriesState({ ...e, completionTime: completed }, { logComplete: o.logComplete(), outcomesMatched: o.outcomesMatched(), caughtUpFrom: caughtUp ? passStartedAt : null, now: o.now(), deadlineMs: cr.logDeadline * 1000 });
    place({ logNewestAt: newestAt, logReadAt: readAt, logCaughtUp: caughtUp, logIncomplete: incomplete });
    return said ? [said] : [];
  }
}

function placeUpdate(patch: Extract<AppEvent, { type: 'place/update' }>['patch']): AppEvent {
  return { type: 'place/update', patch };
}
