import { placeErrorSource, placeErrorText, stuckOf } from './place-state.js';
import { isActive } from '../cloud-run/execution.js';
import { clockSpanMs, formatClock } from '../format.js';
import type { AppState } from './app-state.js';
import { clockTime } from './confirm-situation.js';
import { problemKind } from '../overview/row-problem.js';

/** A line of the place panel, with how it should read. */
export interface PlaceLine {
  text: string;
  tone: 'info' | 'ok' | 'warn' | 'fail';
  /**
   * A line that offers a shell command (`text` is `LEAD (or COMMAND)`): a screen with the rows for it says the lead,
   * then the command on rows of its own, broken only with a trailing ` \` (tester AH10's twin on the job screen: the
   * stuck line wrapped `gcloud … cancel ID` / `--region=… --project=…`, and a paste ran the first row alone). `fact`:
   * the lead without the dashboard's key, for text `status`, read in a shell where `x` means nothing (tester AI14).
   */
  command?: { lead: string; command: string; fact: string };
}

/**
 * The Cloud Run lines of the dashboard (empty for a local run): the execution and its tasks, the log delay
 * (age of the newest entry read), then at most one problem: an error with its fix (figures stale; the execution
 * then `last seen running`), stuck with how to cancel, or a log still missing its last entries.
 */
export function placeLines(state: AppState): PlaceLine[] {
  const p = state.place;
  if (!p) return [];
  const e = p.execution;
  const now = state.now;
  if (!e) return [{ text: `${p.label} · ${p.error ? troubleWords(p.error, p.cut === true) : p.listedAt !== null ? 'no executions yet' : 'looking for executions…'}`, tone: p.error ? 'fail' : 'info' }, ...problem(state)];
  const who = p.ours ? '' : ' (external)';
  const tasks = `tasks ${e.succeededCount}/${e.taskCount} done${e.runningCount ? `, ${e.runningCount} running` : ''}${e.failedCount ? `, ${e.failedCount} failed` : ''}${e.retriedCount ? `, ${e.retriedCount} retried` : ''}`;
  // Cloud Run not answering (not Cloud Logging, whose errors leave the execution's state fresh): the state is what
  // it said last, never read as fresh (tester AC12). One the region no longer lists is said so, and its end `not known`
  // when no dashboard saw it (tester Z3).
  const stale = p.error !== null && placeErrorSource(p.error) === 'Cloud Run';
  const state_ = p.cancelling && isActive(e) ? 'cancelling' : stale && isActive(e) ? `last seen ${e.state}` : e.state === 'unknown' ? 'end not known' : e.state;
  const unlisted = e.unlisted ? ` · ${e.unlisted}` : '';
  // Once an execution ended and its log is whole, the age of its newest entry only says how long ago it ended.
  // With Cloud Logging failing, no entry read says nothing of whether there are any (tester AE12's note).
  const delay = p.logNewestAt === null ? (isActive(e) ? (p.error !== null && placeErrorSource(p.error) === 'Cloud Logging' ? ' · log not read' : ' · no log entries yet') : '') : isActive(e) || p.logIncomplete !== null ? ` · log delay ${formatClock(clockSpanMs(p.logNewestAt, now))}` : '';
  const tone = e.state === 'failed' ? 'fail' : e.state === 'cancelled' ? 'warn' : e.state === 'succeeded' ? 'ok' : 'info';
  // The short facts first and the long name last: at 80 columns a cut takes the end of the name, not the delay.
  return [{ text: `execution ${state_}${who}${e.state === 'unknown' ? '' : ` · ${tasks}`}${delay}${unlisted} · ${e.id}`, tone }, ...problem(state)];
}

/**
 * What happened to the look at the region, in a few words: `not reachable` only when no connection was made (refused,
 * no such host); a region that took the request and answered too late `timed out after 20 s` (tester W18, Z10: a region
 * that only answered late read `not reachable`); a look cut by status's --timeout `look timed out`; else the kind
 * (`no access (403)`, `quota (429)`, `server error (503)`).
 */
export function troubleWords(error: string, cut: boolean): string {
  if (cut) return 'look timed out';
  const late = /no answer from \S+ within ([\d.]+ s)/.exec(error);
  if (late) return `timed out after ${late[1]}`;
  const kind = problemKind(error);
  return kind.startsWith('unreachable') ? 'not reachable' : kind;
}

function problem(state: AppState): PlaceLine[] {
  const p = state.place!;
  // An ended execution's outcomes kept whole, standing for its run: named by their folder (the file is the execution's
  // id, on the line above), so each line fits 80 columns whole.
  const kept = state.log.current?.keptFrom;
  const keptIn = kept === undefined ? null : folderOf(kept);
  // A region that does not answer first: `stuck` is then read from the execution as it was last seen, and its cancel
  // would fail the same way (tester AC12: a dead region read `stuck` for minutes, never `not reachable`).
  // Since when it fails, first: at 80 columns the cut takes the hint's end, never the fact (tester W18).
  if (p.error) {
    const since = p.errorSince ?? p.errorAt;
    // Outcomes kept whole stand in while Cloud Logging does not answer (tester AF6): its figures are those.
    // When, as a clock time like the line's others: an age was counted from the screen's clock, which ticks every 15 s
    // once the run is over, so a read after its last tick read `figures as of – ago` (tester AI10 k).
    const figures = keptIn !== null ? ` · figures from ${keptIn} (kept whole)` : p.logReadAt === null ? '' : ` · figures as of ${clockTime(p.logReadAt)} (stale)`;
    return [{ text: `${placeErrorText(p, state.now, clockTime)}${since !== null ? ` · since ${clockTime(since)}, retrying` : ''}${figures}${p.hint ? ` → ${p.hint}` : ''}`, tone: 'fail' }];
  }
  const stuck = stuckOf(state);
  if (stuck) {
    const fact = `stuck: ${stuck}`;
    const lead = `${fact} · x cancels it`;
    const command = cancelCommand(p.execution!);
    return [{ text: `${lead} (or ${command})`, tone: 'fail', command: { lead, command, fact } }];
  }
  // Each fits 80 columns whole (the place lines are cut, never wrapped).
  // Read by name and found empty: Cloud Logging keeps entries 30 days by default (tester Z3).
  // Gone from it, its outcomes kept whole when a dashboard read it: the figures are those, said with where they came from.
  if (keptIn !== null) return [{ text: `figures from ${keptIn} (its log is gone from Cloud Logging)`, tone: 'info' }];
  // Its entries lost after some were read: those are its run, and kept, as status then shows them from that file.
  if (p.logGone) return [{ text: `figures from ${folderOf(p.logGone)} (its log is gone from Cloud Logging)`, tone: 'info' }];
  if (p.execution?.unlisted && p.logReadAt !== null && p.logNewestAt === null) return [{ text: 'its log has no entries in Cloud Logging (kept 30 days): run and failures not known', tone: 'warn' }];
  // Its log not read through yet (the dashboard opened after it ended): nothing is known to be missing (tester AH4).
  if (p.firstRead) return [];
  // Where the figures under it come from, plainly: the key counts are the log's read so far, the tasks on the line above
  // the execution's (AJ5 f: `execution counts shown` over the log's counts).
  if (p.logIncomplete === 'waiting') return [{ text: 'log incomplete: last entries not yet in Cloud Logging; counts from the log', tone: 'warn' }];
  if (p.logIncomplete === 'gave-up') return [{ text: 'log incomplete: last entries never arrived; counts from the log', tone: 'warn' }];
  return [];
}

/** The folder a kept file is in, as the place lines name it (`.backfill-tui/executions/`). */
function folderOf(file: string): string {
  return file.slice(0, file.lastIndexOf('/') + 1);
}

/** The shell command that cancels execution `e` (said beside `x` on screen, and on leaving while it is stuck). */
export function cancelCommand(e: { id: string; name: string }): string {
  return `gcloud run jobs executions cancel ${e.id} --region=${regionOf(e.name)} --project=${projectOf(e.name)}`;
}

/** The project of an execution's name: gcloud's own default project may be another one (tester Y8). */
function projectOf(name: string): string {
  return /^projects\/([^/]+)\//.exec(name)?.[1] ?? 'PROJECT';
}

function regionOf(name: string): string {
  return /\/locations\/([^/]+)\//.exec(name)?.[1] ?? 'REGION';
}

/** True while the place says tasks run: log silence then never means stalled (entries arrive late). */
export function placeRunning(state: AppState): boolean | null {
  const e = state.place?.execution;
  return e ? isActive(e) : null;
}
