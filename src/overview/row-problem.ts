import { placeErrorSource, placeErrorText, regionUnanswered } from '../state/place-state.js';
import { clockTime } from '../state/confirm-situation.js';
import type { AppState } from '../state/app-state.js';
import { FOREIGN_LOG_HINT, foreignLogProblem, foreignLogText } from '../state/foreign-log.js';
import { deadStartWords, failedStartWords, runEndError } from '../state/dead-start.js';

/**
 * A source of a job that failed, as its overview row and text `status` say it: short enough for a cell
 * (`Cloud Run no access (403)`), with the whole message and hint for the line that names the selected job.
 */
export interface RowProblem {
  /** 'Cloud Run', 'Cloud Logging', 'log', 'expected keys', 'storage', 'warehouse'. */
  source: string;
  /** What kind of failure, in a few words: `no access (403)`, `not found (404)`, `unreachable`, ... */
  kind: string;
  /** The whole explanation, as the job's own screen says it. */
  message: string;
  hint: string | null;
  /** The run's figures come from this source (Cloud Run, Cloud Logging, the log file): they are stale or unknown. */
  run: boolean;
}

// Our explainers' words (coverage/explain-error.ts, cloud-run/errors.ts, the log follower), most telling first.
const KINDS: [RegExp, string][] = [
  [/\(401\)|credentials/i, 'no credentials'],
  [/\(429\)|rate limited|quota/i, 'quota'],
  [/\(403\)|permission|EACCES|EPERM/i, 'no access'],
  [/\(404\)|not found|ENOENT|no such file/i, 'not found'],
  [/is not a file|is a directory|FIFO|socket|not a regular file|EISDIR/i, 'not a file'],
  [/cannot reach|connection refused|nothing listens|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH|not reachable/i, 'unreachable'],
  [/no answer|no request sent|not finished within|timed? ?out|jobComplete/i, 'no answer'],
  [/server error|\b5\d\d\b/i, 'server error'],
  [/not JSON|answer is not/i, 'bad answer'],
];

/** `no access (403)`: the kind of failure a message tells, with its HTTP status when it names one. */
export function problemKind(message: string): string {
  const kind = KINDS.find(([re]) => re.test(message))?.[1] ?? 'error';
  const status = /\((\d{3})\)|\b(?:error|HTTP) (\d{3})\b/.exec(message);
  const code = status?.[1] ?? status?.[2];
  return code && !kind.includes(code) ? `${kind} (${code})` : kind;
}


const problem = (source: string, message: string, hint: string | null, run: boolean, kind = problemKind(message)): RowProblem => ({ source, kind, message, hint, run });

/**
 * Every failing source of a job, what the run's figures come from first (Cloud Run or Cloud Logging, the log
 * file), then the expected keys, storage and warehouse. Empty when every source answers.
 */
export function rowProblems(state: AppState): RowProblem[] {
  const out: RowProblem[] = [];
  const p = state.place;
  if (p?.error) out.push(problem(placeErrorSource(p.error), placeErrorText(p, state.now, clockTime), p.hint, true, problemKind(p.error)));
  if (state.log.problem) out.push(problem('log', state.log.problem, null, true));
  // Lines, but none a run can be read from (tester W19): the run is unknown, never a calm `waiting`.
  const foreign = foreignLogProblem(state);
  if (foreign) out.push(problem('log', `log: ${foreignLogText(foreign)}; newest: ${foreign.sample}`, FOREIGN_LOG_HINT, true, 'other format'));
  // A run that ended before its first record (tester X11): the overview's line for the job says why, as its screen does.
  const cause = deadStartWords(state);
  if (cause) out.push(problem('run', cause, null, false, 'died at start'));
  // A run that died of an error after some work (its traceback's last line): said there too (tester AC8).
  const error = cause ? null : runEndError(state);
  if (error) out.push(problem('run', `ended: ${error}`, null, false, 'died'));
  // Its newest launch failed to start (tester AH6): the job's news until a run begins.
  const failedStart = cause || error ? null : failedStartWords(state);
  if (failedStart) out.push(problem('run', failedStart, 'fix the command or its cwd in the config; s launches again', false, 'failed to start'));
  if (state.coverage.expectedError) out.push(problem('expected keys', state.coverage.expectedError, null, false));
  for (const name of ['storage', 'warehouse'] as const) {
    const s = state.coverage[name];
    if (s?.error) out.push(problem(name, s.error, s.hint, false));
  }
  return out;
}

/**
 * The run cannot be known at all: the source its figures come from (the log file, Cloud Run or Cloud Logging) fails
 * and nothing of a run was read, or the region does not answer about an execution last seen running. Its state word is then `error` on every screen and in `status` (text and JSON),
 * never a calm `waiting` (tester T18, V14: a log path that is a directory read `waiting` on the job screen and in
 * a lone `status`, `error` on the overview).
 */
export function runUnknown(state: AppState): boolean {
  if (!rowProblems(state).some((p) => p.run)) return false;
  const p = state.place;
  if (!p || p.execution === null) return state.log.current === null;
  // An execution last seen running that the region no longer answers about: whether it goes on is not known now, so
  // never `running` with a spinner and a clock (tester AF5: the dashboard kept `⠼ running · 1:35` for a dead execution
  // while `status` beside it said `error`); its place line says it was last seen running, its figures stale.
  return regionUnanswered(p);
}

/** "log is not a file: /x/dirlog is a directory": one wording for the dashboard and `status`; `what` is the follower's. */
export function logNotAFile(path: string, what: string): string {
  return `log is not a file: ${path} ${/^(is .+), not a regular file$/.exec(what)?.[1] ?? what}`;
}

/** `Cloud Run no access (403)`. */
export const problemShort = (p: RowProblem): string => `${p.source} ${p.kind}`;
