import { countOf } from '../format.js';
import { appendRunRecord, recordEndOnce, type LaunchRecord, type RunRecord } from '../runner/runs-file.js';
import type { ExecutionInfo } from './execution.js';

/**
 * How long after a launch's record the region may date the execution it makes: jobs.run's deadline (20 s) with the
 * clients' load before it, and the region's clock some seconds off ours. Also how far before the record it may be
 * dated (our clock ahead of the region's), as the launch's own look for an execution after a lost answer allows.
 */
export const LAUNCH_ANSWER_MS = 60_000;
/** The region's listing holds its newest 20 (api.ts): a shorter one holds every execution it keeps. */
const LIST_PAGE = 20;

/** What an end record says of a launch the region never made an execution of (a `failed-to-start` end). */
export const NEVER_EXECUTED = 'never became an execution: the dashboard was closed before Cloud Run answered';

/** A launch of a Cloud Run job recorded before its `jobs.run`, its execution never recorded, its end neither. */
export function unanswered(runs: RunRecord[]): RunRecord[] {
  return runs.filter((r) => r.log.startsWith('cloud-run:') && !r.execution && !r.end);
}

/** A launch that never became an execution (its end record says so). */
export function neverExecuted(r: RunRecord): boolean {
  return !r.execution && r.end?.reason === 'failed-to-start' && r.end.message === NEVER_EXECUTED;
}

const sameArgs = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The execution `rec`'s `jobs.run` made, out of `list`: created within LAUNCH_ANSWER_MS of the launch (either side, the
 * two clocks), not ended before it, with the launch's args (its keys, or its keys object, with its settings); the one
 * dated nearest the launch. `claimed`: executions other launches already name.
 */
export function executionOfLaunch(rec: Pick<RunRecord, 'startedAt' | 'argv'>, list: ExecutionInfo[], claimed: Set<string> = new Set()): ExecutionInfo | null {
  const near = (e: ExecutionInfo) => Math.abs(e.createTime - rec.startedAt);
  const fits = list.filter((e) => !claimed.has(e.id) && !e.unlisted && near(e) <= LAUNCH_ANSWER_MS && (e.completionTime ?? Infinity) >= rec.startedAt - LAUNCH_ANSWER_MS && sameArgs(e.args, rec.argv));
  return fits.sort((a, b) => near(a) - near(b))[0] ?? null;
}

/** What became of a launch whose dashboard never heard the region's answer. */
export type LaunchFate = { rec: RunRecord; execution: ExecutionInfo } | { rec: RunRecord; execution: null };

/**
 * The fates `list` (the region's listing, taken at `listedAt`) settles for the unanswered launches of `runs`: the
 * execution each made, or none once its window is over and the listing reaches back to it. A launch still in its window
 * with no execution yet, or older than the listing's page, is left for a later look. `skip`: a launch under way here.
 */
export function launchFates(runs: RunRecord[], list: ExecutionInfo[], listedAt: number, skip: string | null = null): LaunchFate[] {
  const claimed = new Set(runs.flatMap((r) => (r.execution ? [r.execution.split('/').at(-1)!] : [])));
  const regions = list.filter((e) => !e.unlisted);
  const reaches = (at: number) => regions.length < LIST_PAGE || regions.some((e) => e.createTime <= at - LAUNCH_ANSWER_MS);
  const out: LaunchFate[] = [];
  for (const rec of unanswered(runs).filter((r) => r.id !== skip).sort((a, b) => a.startedAt - b.startedAt)) {
    const execution = executionOfLaunch(rec, regions, claimed);
    if (execution) {
      claimed.add(execution.id);
      out.push({ rec, execution });
    } else if (listedAt > rec.startedAt + LAUNCH_ANSWER_MS && reaches(rec.startedAt)) out.push({ rec, execution: null });
  }
  return out;
}

/**
 * Records the fates in runs.jsonl (the dashboard's own file, appended as ever): a launch's execution as its dashboard
 * would have recorded it on the answer, or its end as never executed (once, whichever of two dashboards comes first).
 * Returns runs as they now read.
 */
export async function recordFates(stateDir: string, runs: RunRecord[], fates: LaunchFate[]): Promise<RunRecord[]> {
  for (const f of fates) {
    if (f.execution) await appendRunRecord(stateDir, { ...launchOf(f.rec), log: `cloud-run:${f.execution.name}`, execution: f.execution.name });
    else await recordEndOnce(stateDir, { id: f.rec.id, endedAt: f.rec.startedAt, exitCode: null, signal: null, reason: 'failed-to-start', message: NEVER_EXECUTED });
  }
  if (fates.length === 0) return runs;
  return runs.map((r) => {
    const f = fates.find((x) => x.rec.id === r.id);
    if (!f) return r;
    return f.execution ? { ...r, log: `cloud-run:${f.execution.name}`, execution: f.execution.name } : { ...r, end: { endedAt: r.startedAt, exitCode: null, signal: null, reason: 'failed-to-start', message: NEVER_EXECUTED } };
  });
}

/** The launch record of a run, as it was written. */
function launchOf(r: RunRecord): LaunchRecord {
  const { end: _end, stopAskedAt: _a, stopTermAt: _t, stopCarrier: _c, left: _l, ...launch } = r;
  return { type: 'launch', ...launch };
}

const pad = (n: number) => String(n).padStart(2, '0');
/** "16:22" on this machine's clock, as `h` says times. */
const hourMinute = (ms: number) => `${pad(new Date(ms).getHours())}:${pad(new Date(ms).getMinutes())}`;

/** "launch resume-…-1e15c2 (16:22, 174 keys)" */
export function launchWords(r: Pick<RunRecord, 'id' | 'startedAt' | 'keyCount'>): string {
  return `launch ${r.id} (${hourMinute(r.startedAt)}, ${countOf(r.keyCount, 'key')})`;
}

/** What is said of a launch that never became an execution, on the dashboard and in `status`. */
export function neverWords(r: RunRecord, takesKeys: boolean): string {
  return `${launchWords(r)} never became an execution: the dashboard was closed before Cloud Run answered; s launches ${takesKeys ? 'them' : 'it'} again`;
}

/** What is said when what became of `fates`' launches could not be recorded (runs.jsonl not writable), dashboard and `status` alike. */
export function fatesUnrecordedWords(fates: LaunchFate[], err: Error): string {
  return `could not record what became of ${fates.map((f) => `launch ${f.rec.id}`).join(', ')}: ${err.message}`;
}

/** What is said of a launch found to be an execution after all. */
export function foundWords(r: RunRecord, e: ExecutionInfo): string {
  return `execution ${e.id} is ${launchWords(r)}, whose dashboard was closed before Cloud Run answered: recorded as launched here`;
}

/**
 * The launches never executed that are the job's newest word (no execution made after them, by anyone): said on every
 * dashboard and in every `status` until something newer runs, never over a later run.
 */
export function lostLaunches(runs: RunRecord[], all: ExecutionInfo[]): RunRecord[] {
  const newest = Math.max(-Infinity, ...all.map((e) => e.createTime));
  return runs.filter((r) => neverExecuted(r) && r.startedAt > newest);
}
