import { isActive } from '../cloud-run/execution.js';
import { stuckOf } from '../state/place-state.js';
import { countOf, formatCount } from '../format.js';
import type { AppState } from '../state/app-state.js';
import { coverageView } from '../state/coverage-view.js';
import { runStatus } from '../state/run-view.js';
import { cancelCommand } from '../state/place-view.js';
import { deadStartWords } from '../state/dead-start.js';
import { launchOfCurrentRun } from '../state/run-notes.js';
import { otherWriters, pidsText, writerOf } from '../state/writer.js';

/** What the dashboard calls the operator about. */
export type AlertKind = 'stalled' | 'stuck' | 'ended-without-summary' | 'completed' | 'target-met' | 'source-failing' | 'stop-needs-decision' | 'other-writer';

/** One alert: fired once per occurrence (a state entered), never again while that state lasts. */
export interface Alert {
  kind: AlertKind;
  /** Epoch ms (the state's clock). */
  at: number;
  job: string;
  /** One line for a person: what happened, with the figures that matter. */
  text: string;
  /** The run an end alert is about (a Cloud Run execution's id, else the run's start): its end is told once. */
  run?: string;
  /**
   * What makes this occurrence the same one on every dashboard of the job (`job|kind|subject`: the run, the
   * stalled line's time, the source and target), so the webhook and alerts.jsonl get it once across them
   * (tester X7). Absent in records written before it existed.
   */
  occurrence?: string;
}

/** Polls in a row a source must fail before it is worth calling the operator. */
export const FAILED_POLLS_ALERT = 3;

/**
 * The alerts between two states: each condition fires on the event that makes it true, so a state
 * that lasts never fires again, and the same condition entered again later fires again. Nothing fires
 * while the log's history is being read (old runs ending are not news).
 */
export function alertsBetween(prev: AppState, next: AppState): Alert[] {
  const out: Alert[] = [];
  const fire = (kind: AlertKind, text: string, subject: string) => out.push({ kind, at: next.now, job: next.job, text: `${next.job}: ${text}`, occurrence: `${next.job}|${kind}|${subject}` });
  // A failing source is news whatever the log does: a job watched before its first run (no log yet) or while a long
  // log is read still calls the operator (tester AC18: storage failed 5 polls in a row, `Alerts: none yet`).
  sourceAlerts(prev, next, fire);
  if (!prev.log.historyDone || !next.log.historyDone) return out;

  const run = next.log.current;
  const sameRun = prev.log.current?.startedAt === run?.startedAt;
  // A run already over when the dashboard first knew its writer, or when a launch began, is not news: whatever its
  // state reads next, until a line of its own comes (tester Y11: each launch alerted `run stalled` for the run before).
  const over = run !== null && quietRun(next) === runKey(next);
  const before = runStatus(prev.log.current, prev.now, writerOf(prev));
  const now = runStatus(run, next.now, writerOf(next));
  // A re-run that died at start after a finished run is a new run, ended from its first line (tester X11).
  const deadStart = run?.deadStart === true && prev.log.current?.deadStart !== true;
  if (run && !over && now !== before && (sameRun || before === 'waiting' || deadStart)) {
    // A re-run that died at start has no time of its own: it is named by the run it came after (tester X11).
    const id = next.place?.execution?.id ?? launchIdOf(next) ?? (run.deadStart ? `dead-after-${next.log.history.at(-1)?.startedAt ?? null}` : String(run.startedAt));
    // A stall is the same one wherever it is seen while no line has come since the one it waits after.
    if (now === 'stalled') fire('stalled', `run stalled: no log line for over ${Math.round((next.now - (run.lastActivityAt ?? run.startedAt ?? next.now)) / 60_000)} min`, `${id}@${run.lastActivityAt}`);
    // Which bound it passed, as the screen says it (tester AF8 e: `past its task timeout or stuckAfter` beside the
    // screen's `running 0:26, past 0:20 (stuckAfter)`).
    if (now === 'stuck') {
      const reason = stuckOf(next);
      // Read in a webhook, alerts.jsonl or `h`, away from the dashboard's keys: the key said as the dashboard's, and the
      // shell's command whole on its one line (tester AI14's class: `x cancels it` means nothing in a shell).
      const e = next.place?.execution ?? null;
      const how = e ? `x on its dashboard cancels it, or: ${cancelCommand(e)}` : 'x on its dashboard cancels it';
      fire('stuck', `execution stuck: ${e ? `${e.id} ` : ''}${reason ?? 'still running past its task timeout or stuckAfter'} (${how})`, id);
    }
    // A run's end is told once: a several-task execution's log read again after its end passes through a state
    // with one task's summary only (tester W17: `complete`, `ended without a summary`, `complete` at one instant).
    const told = next.alerts.recent.some((a) => a.run === id && (a.kind === 'completed' || a.kind === 'ended-without-summary'));
    const fireEnd = (kind: AlertKind, text: string) => told || out.push({ kind, at: next.now, job: next.job, text: `${next.job}: ${text}`, run: id, occurrence: `${next.job}|${kind}|${id}` });
    // Only a run seen going: before the first look at its writer (or execution) its state was a guess from the
    // log's times, so a run that had ended before this dashboard started is history, not news (tester V15).
    // One that ended before its first record says why (tester X11), as the job screen and status do.
    const cause = now === 'ended' ? deadStartWords(next) : null;
    if (now === 'ended' && writerKnown(prev)) fireEnd('ended-without-summary', cause ? `run ${cause}` : `run ended without a summary after ${countOf(run.succeeded + run.failed + run.skipped, 'key')}`);
    // A dry run scrapes nothing: its end is no news to call anyone about (tester X15).
    if (now === 'complete' && !run.dryRun) fireEnd('completed', `run complete: ${formatCount(run.succeeded)} scraped, ${formatCount(run.failed)} failed, ${formatCount(run.skipped)} skipped`);
  }

  // A second backfill on the same log (started twice by mistake): both hammer the service, the figures mix (V18).
  const othersBefore = new Set(otherWriters(prev.process));
  const others = otherWriters(next.process);
  if (others.some((pid) => !othersBefore.has(pid))) {
    fire('other-writer', `${pidsText(others)}, not started here, also write${others.length === 1 ? 's' : ''} the log of run ${next.process.runId} (pid ${next.process.pid}): both hit the service`, `${next.process.runId}:${others.slice().sort((a, b) => a - b).join(',')}`);
  }

  if (prev.process.stopping !== 'needs-kill' && next.process.stopping === 'needs-kill') {
    fire('stop-needs-decision', `run ${next.process.runId} ignored SIGINT and SIGTERM: the stop needs your decision (x on its dashboard asks about SIGKILL)`, String(next.process.runId));
  }

  for (const source of ['storage', 'warehouse'] as const) {
    const a = prev.coverage[source];
    const b = next.coverage[source];
    if (!b) continue;
    // Targets: only when this source's keys changed, and only a crossing seen live (not the first look).
    if (!a?.keys || !b.keys || a.keys === b.keys || prev.coverage.expected !== next.coverage.expected) continue;
    const was = coverageView(prev)[source]?.coverage;
    const is = coverageView(next)[source]?.coverage;
    if (!was || !is) continue;
    for (const t of is.targets) {
      const earlier = was.targets.find((x) => x.percent === t.percent);
      if (t.met && earlier && !earlier.met) fire('target-met', `${source} reached ${t.percent} %: ${formatCount(is.present)} of ${formatCount(next.coverage.expected?.keys.length ?? 0)} expected keys`, `${source}:${t.percent}`);
    }
  }
  return out;
}

/** `storage failed 3 polls in a row: …`, once per streak, from the poll that makes it FAILED_POLLS_ALERT. */
function sourceAlerts(prev: AppState, next: AppState, fire: (kind: AlertKind, text: string, subject: string) => void): void {
  for (const source of ['storage', 'warehouse'] as const) {
    const a = prev.coverage[source];
    const b = next.coverage[source];
    if (b && (a?.failuresInRow ?? 0) < FAILED_POLLS_ALERT && b.failuresInRow >= FAILED_POLLS_ALERT) fire('source-failing', `${source} failed ${b.failuresInRow} polls in a row: ${b.error ?? 'unknown error'}`, source);
  }
}

/**
 * The launch (runs.jsonl id) of the current local run, when one from a dashboard started it: the run's one identity on
 * every dashboard of the state directory, whether it launched the run (and dated it by the spawn) or re-attached and
 * dated it by its first line (tester Z6: two dashboards sent every alert twice). Its own launch not read back into
 * the history yet: the run seeded from it. Null otherwise (a run started by hand: its first line names it).
 */
function launchIdOf(s: AppState): string | null {
  const p = s.process;
  const launch = launchOfCurrentRun(s);
  if (launch) return launch.id;
  const fresh = p.attached && p.runId !== null && !p.history.some((h) => h.id === p.runId);
  return fresh ? p.runId : null;
}

/**
 * Run states that are over: nothing more of the run is news unless it speaks again. `incomplete` too: its execution
 * ended, only its last log entries are awaited (run-view.ts runStatus says `complete` once they are in).
 */
const OVER = new Set(['ended', 'stopped', 'complete', 'incomplete']);

/** The current run's name for the quiet mark: its execution (Cloud Run) and its start; null with no run. */
function runKey(s: AppState): string | null {
  const run = s.log.current;
  return run ? `${s.place?.execution?.id ?? ''}|${run.startedAt ?? 'dead'}` : null;
}

/**
 * The quiet run while no line has come since it was marked, else null. A Cloud Run execution that had ended when it was
 * marked stays quiet whatever lines come: they are its last entries arriving late, never the run going on, and its
 * `complete` once they are in is the end it had before this dashboard knew it (tester V15), not news.
 */
function quietRun(s: AppState): string | null {
  const q = s.alerts.quiet;
  return q && (q.ended === true || s.log.lines <= q.lines) ? q.run : null;
}

/**
 * The quiet mark after a change (AlertsState.quiet): set to the current run when it is over at the moment the
 * dashboard first knows its log and writer (history read, writer looked at) or when a launch from here begins,
 * else kept. Pure; the reducer stores it before alertsBetween reads it.
 */
export function quietMark(prev: AppState, next: AppState): AlertsQuiet {
  const kept = next.alerts.quiet ?? null;
  const settled = (s: AppState) => s.log.historyDone && writerKnown(s);
  const launchBegins = next.process.launching === true && prev.process.launching !== true;
  // A run that becomes current from records, not lines and not a launch of this dashboard (a launch from here that
  // died before its first record, tester Z8): over already, it is history too.
  const fromRecords = settled(next) && next.log.current !== prev.log.current && next.log.lines === prev.log.lines && next.process.launching !== true;
  // At a launch the run before is judged as it was (the launch itself makes its writer look alive).
  const judged = launchBegins ? prev : (settled(next) && !settled(prev)) || fromRecords ? next : null;
  if (!judged?.log.current) return kept;
  const status = runStatus(judged.log.current, judged.now, writerOf(judged));
  if (!OVER.has(status)) return kept;
  const e = judged.place?.execution;
  return { run: runKey(judged)!, lines: judged.log.lines, ...(e && !isActive(e) ? { ended: true as const } : {}) };
}

type AlertsQuiet = AppState['alerts']['quiet'] & object | null;

/** Whether what runs the log was known: a look at its writers, a run of ours, or a Cloud Run listing. */
function writerKnown(s: AppState): boolean {
  if (s.place) return s.place.listedAt !== null || s.place.execution !== null;
  return s.process.writersChecked || s.process.attached || s.process.external;
}
