import { readdir, rm } from 'node:fs/promises';
import { makeDirs } from '../runner/make-dirs.js';
import { readUserText, type UserFileError } from '../user-file.js';

/** How a kept execution's file is read: a regular file only, at most 64 MB (its outcomes: a key and a word each). */
const KEPT_READ = { label: 'kept execution', maxBytes: 64_000_000 };
import { isAbsolute, join, relative } from 'node:path';
import type { FailedEntry, FailedFile } from '../failures/failed-file.js';
import { statusOf } from '../failures/verdicts.js';
import { writeFileAtomic } from '../runner/atomic-write.js';
import type { RunState } from '../state/run.js';
import type { ExecutionInfo } from './execution.js';
import { OUTCOME_MASK, OUTCOME_NONE } from '../state/key-ledger.js';

/**
 * What an ended execution's log said of its keys, kept so the failures table spans executions (tester U2): the
 * keys its outcome lines failed, and the keys it was given when known (its launch record's `{keys}` arg), read
 * once from Cloud Logging and kept in the state directory, never read again per poll.
 * Source: the execution's log entries through the job's grammar; `tried` from runs.jsonl.
 */
export interface ExecutionOutcomes {
  /** The execution's short id. */
  id: string;
  /** Its start (as its run was counted from, else the execution's start or creation) and completion, epoch ms. */
  startedAt: number;
  endedAt: number;
  failed: FailedEntry[];
  /** The keys it was launched with, or null when not known (started elsewhere, or keys passed in an object). */
  tried: string[] | null;
  /** Its log was read to its end (its last entries arrived, or were given up on after logDeadline). */
  whole: boolean;
  /** Its log's tallies (the history's ✓ ✗ ↷ for an execution whose end record has none, or started elsewhere). */
  counts?: { succeeded: number; failed: number; skipped: number };
  /** Its log held the script's summary (the run was `complete`); absent in files kept before it was saved. */
  complete?: boolean;
  /** The run's total as its log stated it (`Loaded 234`), null when it never did; absent in files kept before it was saved. */
  total?: number | null;
  /** Its job, `projects/P/locations/R/jobs/J` (a state folder may be two jobs': keptOf); absent in files kept before it was saved. */
  job?: string;
}

/**
 * Whether kept outcomes are job `job`'s (`projects/P/locations/R/jobs/J`): by the job the file names, or, in a file
 * kept before it named one, by the execution's id, which Cloud Run makes of the job's name, `-` and a suffix without
 * `-` (`bf-job-b66c9` is bf-job's, never job bf's). Two configs side by side share `.backfill-tui` (tester AH3: each
 * counted the other's failed keys, and `r` offered to retry them through its own job).
 */
export function keptOf(job: string, o: { id: string; job?: unknown }): boolean {
  if (typeof o.job === 'string') return o.job === job;
  const name = job.slice(job.lastIndexOf('/') + 1);
  return o.id.startsWith(`${name}-`) && /^[a-z0-9]+$/i.test(o.id.slice(name.length + 1));
}

/** Where a job's execution outcomes are kept: STATEDIR/executions/ID.json, one file each, written atomically. */
export function outcomesDir(stateDir: string): string {
  return join(stateDir, 'executions');
}

/** The outcomes of `e` from its log's run (the reducer's state after its whole log was read). */
export function outcomesOf(e: ExecutionInfo, run: RunState | null, tried: string[] | null, whole: boolean): ExecutionOutcomes {
  const failed: FailedEntry[] = [];
  if (run) run.failedKeys.forEachFailure((key, failure, error) => failed.push({ key, status: statusOf(failure), error: error || failure }));
  const counts = run ? { succeeded: run.succeeded, failed: run.failed, skipped: run.skipped } : undefined;
  // Its start as its run counted it (the dashboard's elapsed): a file standing in for the run then says that elapsed.
  return { id: e.id, job: e.name.replace(/\/executions\/[^/]+$/, ''), startedAt: run?.startedAt ?? e.startTime ?? e.createTime, endedAt: e.completionTime ?? run?.finishedAt ?? run?.lastActivityAt ?? e.createTime, failed, tried: triedBy(e, run, tried), whole, ...(counts ? { counts, complete: run!.complete, total: run!.total } : {}) };
}

/**
 * The keys an execution tried: all it was given when it succeeded (it went through its list); when it was cancelled
 * or failed, only those its log gave an outcome (tester Y4: a retry cancelled at 23 of 26 counted the 3 it never
 * reached as tried, so they read `recovered` and `r` left them out). Its log's keys are the run's per-key store.
 */
function triedBy(e: ExecutionInfo, run: RunState | null, given: string[] | null): string[] | null {
  if (!given || e.state === 'succeeded') return given;
  const ledger = run?.keys?.ledger;
  if (!ledger) return given;
  return given.filter((k) => (ledger.peek(k) & OUTCOME_MASK) !== OUTCOME_NONE);
}

/**
 * Outcomes kept per job: the newest executions by start, as many as the runs of a log the state keeps
 * (HISTORY_LIMIT). A job run for years with one execution a day would otherwise fill the state directory
 * and make every start read them all.
 */
export const OUTCOMES_LIMIT = 200;

const fileName = (id: string) => `${id.replace(/[^\w.-]/g, '_')}.json`;

/** Where one execution's outcomes are kept (STATEDIR/executions/ID.json). */
export function outcomesFile(stateDir: string, id: string): string {
  return join(outcomesDir(stateDir), fileName(id));
}

/**
 * The kept outcomes that stand for the followed execution's run when its log has no entry left in Cloud Logging (a
 * region restarted, entries past their 30 days), or null: only outcomes kept whole (its log read to its end), never a
 * part of a log standing for the whole (tester Z3 residue: `run 0/29 ✓ 0 ✗ 0`, `failures not known`, while
 * STATEDIR/executions/ held its 28 failures whole).
 */
export function keptStandIn(list: readonly ExecutionOutcomes[], id: string): ExecutionOutcomes | null {
  return list.find((o) => o.id === id && o.whole) ?? null;
}

/**
 * Whether kept outcomes are of a complete run (its log held the summary). A file kept before that was saved says it
 * when the execution succeeded and its log gave every key it was given an outcome.
 */
export function keptComplete(o: ExecutionOutcomes, state: ExecutionInfo['state']): boolean {
  if (o.complete !== undefined) return o.complete;
  const c = o.counts;
  return state === 'succeeded' && !!c && !!o.tried?.length && c.succeeded + c.failed + c.skipped >= o.tried.length;
}

/** The kept file as the screens name it: from the config's folder when it is under it (`.backfill-tui/executions/ID.json`). */
export function keptFileName(stateDir: string, id: string, baseDir: string): string {
  const file = outcomesFile(stateDir, id);
  const rel = relative(baseDir, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/**
 * The outcomes kept whole for execution `id` as its file says now (another dashboard, or `status`, may have kept them
 * since this one loaded its folder), or null: none kept, not whole, or a file that cannot be read.
 */
export async function keptWholeNow(stateDir: string, id: string): Promise<ExecutionOutcomes | null> {
  const text = await readUserText(outcomesFile(stateDir, id), KEPT_READ).then((r) => r.text, () => null);
  const o = text === null ? null : keptProblem(text);
  return o !== null && typeof o !== 'string' && o.whole ? o : null;
}

/**
 * Writes one execution's outcomes (atomically: a reader sees the old file or the new one, never half), then
 * removes the oldest beyond `limit` (by the execution's start; only files this tool wrote, in its own folder). Outcomes
 * kept whole are never written over (tester AG3: a dashboard whose Cloud Logging failed part way wrote its 67 failures
 * over the 279 another had kept whole): returns false, nothing written, when the file holds them already.
 */
export async function saveOutcomes(stateDir: string, o: ExecutionOutcomes, limit = OUTCOMES_LIMIT): Promise<boolean> {
  if (await keptWholeNow(stateDir, o.id)) return false;
  const dir = outcomesDir(stateDir);
  await makeDirs(dir);
  await writeFileAtomic(join(dir, fileName(o.id)), `${JSON.stringify(o)}\n`);
  // Only its own job's are pruned: another job's kept here are that job's to keep.
  const kept = o.job === undefined ? [] : await loadOutcomes(stateDir, o.job);
  // Another dashboard may be pruning too: a file already gone is fine.
  for (const old of kept.slice(0, Math.max(0, kept.length - limit))) await rm(join(dir, fileName(old.id)), { force: true });
  return true;
}

/** Every kept outcome of job `job` (`projects/P/locations/R/jobs/J`), oldest first; files that cannot be read are left out (loadKept says them). */
export async function loadOutcomes(stateDir: string, job: string): Promise<ExecutionOutcomes[]> {
  return (await loadKept(stateDir, job)).outcomes;
}

/** A kept file that cannot be read: the execution it is named for, and why in words (`incomplete JSON`). */
export interface KeptUnread {
  id: string;
  reason: string;
}

/**
 * Every kept outcome of the job, oldest first, and the kept files that cannot be read. This tool never leaves one
 * half-written (written whole, then renamed), so one that does not parse was cut or edited since (a full disk, a hand
 * edit: tester AD5): said, never passed over. A file gone between the listing and its read (pruned by another
 * dashboard) is neither.
 */
export async function loadKept(stateDir: string, job: string): Promise<{ outcomes: ExecutionOutcomes[]; unread: KeptUnread[] }> {
  const dir = outcomesDir(stateDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const outcomes: ExecutionOutcomes[] = [];
  const unread: KeptUnread[] = [];
  for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.'))) {
    const id = name.slice(0, -'.json'.length);
    let text: string;
    try {
      text = (await readUserText(join(dir, name), KEPT_READ)).text;
    } catch (err) {
      const e = err as UserFileError;
      const code = e.code;
      // A FIFO or a device with a kept file's name is said and never opened (it would block the read, or never end).
      const reason = e.problem === 'not-a-file' ? (/^is (a directory),/.exec(e.reason)?.[1] ?? e.reason) : e.problem === 'too-big' ? e.reason : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : e.reason;
      if (e.problem !== 'missing' && keptOf(job, { id })) unread.push({ id, reason });
      continue;
    }
    const why = keptProblem(text);
    // Another job's file (by the job it names, or by its execution's id when it cannot be read) is left to that job.
    if (typeof why === 'string') {
      if (keptOf(job, { id })) unread.push({ id, reason: why });
    } else if (keptOf(job, why)) outcomes.push(why);
  }
  return { outcomes: outcomes.sort((a, b) => a.startedAt - b.startedAt), unread };
}

/** The outcomes a kept file holds, or why it holds none, in words. */
function keptProblem(text: string): ExecutionOutcomes | string {
  if (text.trim() === '') return 'empty';
  let o: Partial<ExecutionOutcomes>;
  try {
    o = JSON.parse(text) as Partial<ExecutionOutcomes>;
  } catch (err) {
    // Cut short (what a full disk leaves): the parse fails at the text's very end.
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message);
    return (at ? Number(at[1]) >= text.trimEnd().length : /end of (JSON )?input/i.test(message)) ? 'incomplete JSON' : 'not JSON';
  }
  if (typeof o !== 'object' || o === null || typeof o.id !== 'string' || !Array.isArray(o.failed) || typeof o.endedAt !== 'number' || typeof o.startedAt !== 'number') return 'not an execution\'s outcomes: no id, failed keys, start or end';
  return o as ExecutionOutcomes;
}

/**
 * How a kept file that cannot be read is said (status's problem line, the dashboard's notice): what it kept is left out
 * of the figures and the failures, and the file is left as it is (never written over with what a gone log now says).
 */
export function keptUnreadWords(u: KeptUnread, stateDir: string, baseDir: string): string {
  return `kept outcomes ${keptFileName(stateDir, u.id, baseDir)} cannot be read (${u.reason}): left out, and left as it is`;
}

/** The path an execution's outcomes stand under among failed-keys files (never a file on disk). */
export const EXECUTION_PATH_PREFIX = 'cloud-run:execution/';

/**
 * An execution's outcomes as one more run for the failure rule, beside failed-keys files: its failed keys as
 * entries, run start and end as the file's name timestamp and write time; `tried` by its path.
 */
export function outcomesAsRuns(list: ExecutionOutcomes[], except: string | null): { files: FailedFile[]; tried: Map<string, Set<string>> } {
  const files: FailedFile[] = [];
  const tried = new Map<string, Set<string>>();
  for (const o of list) {
    if (o.id === except) continue;
    const path = `${EXECUTION_PATH_PREFIX}${o.id}`;
    files.push({ path, name: `execution ${o.id}`, runStartedAt: o.startedAt, writtenAt: null, mtimeMs: o.endedAt, totalFailed: o.failed.length, entries: o.failed, problems: [], execution: o.id });
    const keys = triedKept(o);
    if (keys) tried.set(path, new Set(keys));
  }
  return { files, tried };
}

/**
 * The keys a kept execution tried, or null when its file cannot say: files saved before tester Y4's fix list every
 * key a cancelled execution was given, more than its own log's outcomes count. Those keys' silence then proves
 * nothing (the rule's positive evidence only), rather than a key it never reached reading `recovered`.
 */
function triedKept(o: ExecutionOutcomes): string[] | null {
  if (!o.tried || !o.counts) return o.tried;
  const outcomes = o.counts.succeeded + o.counts.failed + o.counts.skipped;
  return o.tried.length > outcomes ? null : o.tried;
}

/** The job's args take the launch's keys (`{keys}` in an arg, or `{keysUri}`, a keys object's gs:// URI). */
export function argsTakeKeys(template: string[]): boolean {
  return template.some((a) => a.includes('{keys}') || a.includes('{keysUri}'));
}

/**
 * The keys a launch gave the execution through `{keys}` (joined with commas in one arg), read back from the
 * launch record's argv by the arg template that holds `{keys}`; null when the args take no `{keys}`.
 */
export function keysFromArgv(template: string[], argv: string[]): string[] | null {
  const at = template.findIndex((a) => a.includes('{keys}'));
  if (at === -1 || at >= argv.length) return null;
  const [before, after] = template[at].split('{keys}');
  const arg = argv[at];
  // Other placeholders in the same arg would make the cut unsure: only a plain prefix/suffix is read back.
  if (/\{\w+\}/.test(before) || /\{\w+\}/.test(after) || !arg.startsWith(before) || !arg.endsWith(after)) return null;
  const list = arg.slice(before.length, arg.length - after.length);
  return list ? list.split(',') : [];
}
