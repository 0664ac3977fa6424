import { withoutSourceName } from './source-words.js';
import { applyLines, archived, runsOf } from './apply-lines.js';
import { LAUNCH_BLOCKED, STOP_REFUSED, TAIL_LIMIT, type AppState, type FailedFilesState, type LogState, type SourceState } from './app-state.js';
import { alertsBetween, quietMark } from '../alerts/alert-events.js';
import { confirmSituation } from './confirm-situation.js';
import type { AppEvent } from './events.js';
import { inZone } from '../failures/file-times.js';
import type { FailedFile } from '../failures/failed-file.js';
import { cloneRun, seededRun, type RunState } from './run.js';
import { keptRun } from './kept-run.js';
import type { ParsedBatch } from '../log-line.js';
import { behindByLaunch, LAUNCH_BEFORE_MS } from './launch-match.js';
import { GENERAL } from '../parser/keyed-lines.js';
import { zoneGuessText } from './zone-guess-text.js';
import { clockStepText } from './clock-step-text.js';
import { otherWriters, ourRunLive, pidsText } from './writer.js';
import type { MovedLog } from '../follow/moved-log.js';
import { movedText, shortPath } from './moved-text.js';

const NOTICE_LIMIT = 5;

/**
 * The one reducer: pure, every state change goes through here. A confirm box is fixed once open: no
 * event replaces it, and when the situation it asked about changes, it closes with a notice.
 */
export function reduce(state: AppState, event: AppEvent): AppState {
  if (event.type === 'ui/confirm' && event.confirm) {
    if (state.ui.confirm) return withNotice(state, `one question at a time: "${firstWords(state.ui.confirm.message)}" is still open`, 'warn', ONE_QUESTION);
    const confirm = { ...event.confirm, basis: confirmSituation(event.confirm.kind, state).key };
    // The box is what the operator answers next: the help and the filter prompt it opened over close (the filter's
    // text so far is kept), or keys meant for the box would be the filter's text (tester AG4).
    return { ...state, ui: { ...state.ui, confirm, choosingGroup: null, help: false, filtering: false } };
  }
  let next = guardConfirm(step(state, event));
  if (event.type === 'coverage/result' || event.type === 'coverage/error') next = endRefresh(next, event);
  return withAlerts(state, next);
}

/** Alerts this change fires (kept in state; the sink outside React writes them). */
function withAlerts(prev: AppState, next: AppState): AppState {
  if (prev === next || (prev.log === next.log && prev.now === next.now && prev.process === next.process && prev.coverage === next.coverage && prev.place === next.place)) return next;
  const quiet = quietMark(prev, next);
  if (quiet !== (next.alerts.quiet ?? null)) next = { ...next, alerts: { ...next.alerts, quiet } };
  const fired = alertsBetween(prev, next);
  if (fired.length === 0) return next;
  return { ...next, alerts: { ...next.alerts, seq: next.alerts.seq + fired.length, recent: next.alerts.recent.concat(fired).slice(-ALERTS_KEPT) } };
}

const ALERTS_KEPT = 50;

/** Closes an open box whose situation changed under it; nothing it offered happens. */
function guardConfirm(state: AppState): AppState {
  const open = state.ui.confirm;
  if (!open) return state;
  const now = confirmSituation(open.kind, state);
  if (now.key === open.basis) return state;
  const closed = withoutNotice({ ...state, ui: { ...state.ui, confirm: null } }, ONE_QUESTION);
  // A Cloud Run job's `x` asks to cancel its execution: its box is the cancel question.
  const question = open.kind === 'stop' && state.place ? 'cancel' : QUESTION[open.kind];
  return withNotice(closed, `Nothing was done: the ${question} question closed, as ${now.words}.`, 'warn', BOX_CLOSED);
}

/** "one question at a time: … is still open": said of an open box, it goes with the box (tester W23). */
const ONE_QUESTION = 'one-question';
/** "Nothing was done: the … question closed, as …": about the run then, it goes when another run begins (tester W23). */
const BOX_CLOSED = 'box-closed';

/**
 * Notices about an earlier run (keyed `run:ID`: launched, stopped, ended, cancel sent, execution ended) and a box
 * closed under it go when another run becomes the one shown: they lingered above the next run's screen (tester W23).
 */
function withoutEarlierRunNotices(prev: AppState, next: AppState): AppState {
  const id = next.process.runId;
  if (id === null || id === prev.process.runId) return next;
  const stale = (key: string | undefined) => key === BOX_CLOSED || (key !== undefined && key.startsWith('run:') && key !== `run:${id}`);
  if (!next.ui.notices.some((n) => stale(n.key))) return next;
  return { ...next, ui: { ...next.ui, notices: next.ui.notices.filter((n) => !stale(n.key)) } };
}

/**
 * `x`'s words on a stop under way (`stopping run …: sent SIGINT at …; SIGTERM at … if it is still running`) say one
 * stage of it: they go when it moves on (SIGTERM sent, the SIGKILL question), when it is over, or when another run is
 * shown (tester AC11: they stood above `run … stopped`).
 */
function withoutStaleStopNotices(prev: AppState, next: AppState): AppState {
  const p = prev.process;
  const q = next.process;
  if (p.stopping === q.stopping && p.stopSignals.length === q.stopSignals.length && p.runId === q.runId && p.alive === q.alive) return next;
  if (!next.ui.notices.some((n) => n.key?.startsWith('stop:'))) return next;
  return { ...next, ui: { ...next.ui, notices: next.ui.notices.filter((n) => !n.key?.startsWith('stop:')) } };
}

const QUESTION: Record<string, string> = { stop: 'stop', kill: 'SIGKILL', resume: 'resume', retry: 'retry', launch: 'launch' };

/** The question's first sentence, to name a box in a notice. */
function firstWords(message: string): string {
  const end = message.indexOf('?');
  return end > 0 ? message.slice(0, end + 1) : message;
}

function withNotice(state: AppState, text: string, tone: 'info' | 'warn' | 'fail', key?: string): AppState {
  const kept = key ? state.ui.notices.filter((n) => n.key !== key) : state.ui.notices;
  const notices = kept.concat({ at: state.now, text, tone, ...(key ? { key } : {}) }).slice(-NOTICE_LIMIT);
  return { ...state, ui: { ...state.ui, notices } };
}

/** The notice of the zone a log's clock was guessed to be in (log-zone-guess.ts). */
const ZONE_GUESS = 'zone-guess';
/** The notice of a DST change of the log's clock read as one (parser/log-clock.ts). */
const CLOCK_STEP = 'clock-step';

/**
 * When the live local run of ours began, on the log's clock (its launch record's time, less how far the log's clock is
 * behind ours), or null when none is live. A launch not yet in the history read back: the run seeded from it.
 */
function ourRunSince(state: AppState, log: AppState['log']): number | null {
  const p = state.process;
  if (state.place || !ourRunLive(p)) return null;
  const rec = p.history.find((h) => h.id === p.runId);
  if (rec) return rec.startedAt - (log.clockBehindMs ?? 0);
  return log.current?.startedAt ?? null;
}

/** What is left of the log's state when its content is replaced: the new content is counted from nothing. */
function droppedLog(log: AppState['log']): AppState['log'] {
  return { ...log, current: null, history: [], trail: null, beside: null, resumable: null, unlisted: 0, tail: [], lines: 0, bytesRead: 0, exists: true, seed: null, truncated: false };
}

/**
 * The timestamp of a batch's first record (epoch ms), null when that record has none (a traceback), undefined
 * when the batch has no record.
 */
function firstRecordAt(batch: ParsedBatch): number | null | undefined {
  const keyed = batch.keyed;
  if (keyed && keyed.size > 0 && keyed.order[0] !== GENERAL) return keyed.at[0];
  if (batch.lines.length === 0) return undefined;
  const at = (batch.lines[0] as { at?: number | null }).at;
  return typeof at === 'number' ? at : null;
}

/** The notice of a log that cannot be read: it goes once the log is read again or found missing (tester T23). */
const LOG_PROBLEM = 'log-problem';

function withoutLogProblem(state: AppState): AppState {
  if (!state.log.problem) return state;
  return withoutNotice({ ...state, log: { ...state.log, problem: null } }, LOG_PROBLEM);
}

function withoutNotice(state: AppState, key: string): AppState {
  if (!state.ui.notices.some((n) => n.key === key)) return state;
  return { ...state, ui: { ...state.ui, notices: state.ui.notices.filter((n) => n.key !== key) } };
}

/** The notice of a log read under another name while its writer goes on there. */
const LOG_MOVED = 'log-moved';

/**
 * Said while it lasts (tester W20: after `mv bf.log bf.log.1` the screen said `waiting`, "No run in the log yet",
 * while the run went on in bf.log.1), and once more when the path is read again.
 */
function movedNotice(state: AppState, before: MovedLog | null): AppState {
  const moved = state.log.moved;
  if (moved) return withNotice(state, movedText(state.log.path, moved), 'warn', LOG_MOVED);
  if (!before) return state;
  return withNotice(state, `${pidsText(before.pids)} no longer write${before.pids.length === 1 ? 's' : ''} ${shortPath(state.log.path, before.to)}: following ${shortPath(state.log.path, state.log.path)} again`, 'info', LOG_MOVED);
}

/** The notice of processes not started here writing the log beside our live run: it lasts while they do. */
const OTHER_WRITERS = 'other-writers';

/**
 * Said while it lasts, in words (tester V18: a backfill started twice by mistake hid ours as `running (external)`):
 * which pids, and that ours stays ours and stoppable (the run note says how its lines are counted: run-notes.ts).
 */
function otherWritersNotice(prev: AppState, next: AppState): AppState {
  const before = otherWriters(prev.process).join(',');
  const now = otherWriters(next.process);
  if (now.join(',') === before) return next;
  if (!now.length) return withoutNotice(next, OTHER_WRITERS);
  return withNotice(next, `${pidsText(now)}, not started here, also write${now.length === 1 ? 's' : ''} this log; x stops only ours`, 'warn', OTHER_WRITERS);
}

/** `g` says "checking…" until every source has answered; a source that fails replaces it with why. */
function endRefresh(state: AppState, event: AppEvent): AppState {
  if (!state.ui.notices.some((n) => n.key === 'refresh')) return state;
  if (event.type === 'coverage/error') return withNotice(state, `${event.source} check failed: ${withoutSourceName(event.source, event.error.message)}`, 'fail', 'refresh');
  const checking = [state.coverage.storage, state.coverage.warehouse].some((s) => s?.checking);
  return checking ? state : withoutNotice(state, 'refresh');
}

function step(state: AppState, event: AppEvent): AppState {
  switch (event.type) {
    case 'clock/tick':
      return event.now === state.now ? state : { ...state, now: event.now };
    case 'log/waiting':
      return withoutLogProblem({ ...state, log: { ...state.log, exists: false, looked: true } });
    case 'log/problem':
      return withNotice({ ...state, log: { ...state.log, problem: event.message } }, event.message, 'fail', LOG_PROBLEM);
    case 'log/moved':
      return movedNotice({ ...state, log: { ...state.log, moved: event.moved } }, state.log.moved ?? null);
    case 'log/rotated':
      return { ...state, log: { ...state.log, rotatedFrom: event.files, rotatedRunAt: state.log.current?.startedAt ?? null, rotatedLines: state.log.lines, rotatedCompressed: event.compressed ?? null } };
    case 'log/zone-guess': {
      // Said for as long as it holds: every time on the screen rests on it.
      // The failed-keys files' times are on the log's clock: read again in the zone now guessed (tester AE1).
      const failed = state.failed.fromFiles ? failedInZone(state.failed, state.failed.fromFiles, state.failed.current, event.guess?.zone ?? state.log.zone) : state.failed;
      const next = { ...state, log: { ...state.log, zoneGuess: event.guess }, failed };
      return event.guess ? withNotice(next, zoneGuessText(event.guess), 'warn', ZONE_GUESS) : withoutNotice(next, ZONE_GUESS);
    }
    case 'log/clock-step': {
      // Said on the job screen as it is read; status says it while it lies in the run shown (clock-step-text.ts).
      const next = { ...state, log: { ...state.log, clockStep: event.step } };
      return event.step ? withNotice(next, clockStepText(event.step), 'warn', CLOCK_STEP) : withoutNotice(next, CLOCK_STEP);
    }
    case 'log/reset':
      // Truncated in place (logrotate's copytruncate, a writer opened with > or >> going on): the runs read so far
      // stay until the new content's first record says whether it goes on from them (tester W7: a run of 86 keys
      // read 58 after the nightly rotation, its workers and start time gone). A new file replaces the old.
      // The same for the new file after a log moved aside under its writer (tester W20): it goes on from the old one
      // (logrotate's `create`), unless its first record is older than what was read (the old content again).
      if (event.reason === 'truncated' || event.reason === 'rotated') return { ...state, log: { ...state.log, bytesRead: 0, resets: state.log.resets + 1, exists: true, truncated: true } };
      return { ...state, log: { ...droppedLog(state.log), resets: state.log.resets + 1 } };
    case 'log/begin':
      // Every figure of the run before (counts, rate, ETA, workers, elapsed, arrivals) belonged to that run only.
      return {
        ...state,
        log: { ...state.log, current: seededRun(event.seed), history: [], trail: null, beside: null, resumable: null, unlisted: 0, tail: [], lines: 0, linesAtSeed: 0, bytesRead: 0, suspiciousKeys: 0, damagedKeys: 0, resets: state.log.resets + 1, exists: true, lastArrivalAt: null, seed: event.seed },
      };
    case 'log/launched': {
      // The run before ended: its figures (counts, rate, elapsed, workers) must not stand for the new one until
      // the new one's first lines are read (a Python script takes a second or two to log its banner).
      // The child of a local launch in the same step as its run's seed: never a state with the new run and no writer,
      // which read `ended` and alerted `run ended without a summary after 0 keys` 50 ms after y (h59's 10:39 note).
      if (event.startingPid !== undefined) return step({ ...state, process: { ...state.process, startingPid: event.startingPid } }, { ...event, startingPid: undefined });
      if (state.log.bytesRead !== event.bytesBefore) return state;
      const run = state.log.current;
      // The launch's own attempt, read from its lines as a start death (round 12: `0/?`, `elapsed –`): the same run, with
      // its launch's key count, start, workers and timeout, never a second row beside it.
      if (event.deadStart && run?.deadStart && !run.hasActivity) {
        const dead = cloneRun(run);
        dead.startedAt = event.seed.startedAt;
        dead.total = event.seed.total;
        dead.workers ??= event.seed.workers;
        dead.timeoutSec ??= event.seed.timeoutSec;
        return { ...state, log: { ...state.log, current: dead, clockBehindMs: null } };
      }
      // Lines read from here on are the new run's (dead-start.ts reads only those).
      // Its times are this machine's (the launch's): how far the run before's writer's clock was off is not the new
      // run's, until its own lines say (a log 5 years behind made a run launched here read `0:00` for good).
      const fresh = { current: seededRun(event.seed), linesAtSeed: event.linesBefore ?? state.log.lines, clockBehindMs: null, beside: null, resumable: null };
      // The runs before go to history as a new banner sends them (a second writer's too, in the order they began),
      // their failures to the trail (log-trail.ts).
      const before = [state.log.beside, run].filter((r): r is RunState => !!r).sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0));
      if (before.length === 0) return { ...state, log: { ...state.log, ...fresh } };
      let { history, trail } = state.log;
      let unlisted = state.log.unlisted ?? 0;
      for (const r of before) [history, trail, unlisted] = archived(history, trail, unlisted, r);
      return { ...state, log: { ...state.log, ...fresh, history, trail, unlisted } };
    }
    case 'log/kept': {
      // Only over a run no line has spoken for (seeded from its launch, or none): a line read is the log's word.
      // `over`: a part of its log read (Cloud Logging failed part way), the outcomes another read kept whole stand instead.
      const { current, seed } = state.log;
      if (!event.over && (state.log.lines > 0 || current?.hasActivity)) return state;
      const seeded = () => seededRun(seed ?? { startedAt: event.outcomes.startedAt, total: null, workers: null, timeoutSec: null });
      const base = event.over ? seeded() : (current ?? seeded());
      return { ...state, log: { ...state.log, current: keptRun(base, event.outcomes, event.complete, event.keptFrom), exists: true } };
    }
    case 'log/unlaunched': {
      const { current, lines, linesAtSeed } = state.log;
      // Lines read since (a traceback, a usage error) make it a run that died at start: it stays, saying why.
      if (current?.startedAt !== event.startedAt || lines !== linesAtSeed) return state;
      const b = event.before;
      return { ...state, log: { ...state.log, current: b.current, history: b.history, trail: b.trail, beside: b.beside ?? null, resumable: b.resumable ?? null, unlisted: b.unlisted, linesAtSeed: b.linesAtSeed, clockBehindMs: b.clockBehindMs } };
    }
    case 'log/batch': {
      // A whole log again replaces what was read, in one event: never a moment with no run (alerts, frames).
      // Entries after all, over a run that stood in from its kept outcomes: the log's own lines replace it, never add to it.
      let log = event.replace || state.log.current?.keptFrom !== undefined ? { ...state.log, current: state.log.seed ? seededRun(state.log.seed) : null, history: [], trail: null, beside: null, resumable: null, unlisted: 0, tail: [], lines: 0, linesAtSeed: 0, lastRecordAt: null, suspiciousKeys: 0, damagedKeys: 0 } : state.log;
      if (log.truncated) {
        const at = firstRecordAt(event.batch);
        if (at === undefined) return state; // nothing to judge by yet (NULs, a blank line)
        // Lines older than the newest read are the old content written again: counting them twice would double it.
        const lastAt = log.current?.lastActivityAt ?? null;
        log = at !== null && lastAt !== null && at < lastAt ? droppedLog(log) : { ...log, truncated: false };
      }
      // A run seeded from its launch (our clock) whose log speaks for the first time: its start goes onto the log's
      // clock, which these lines tell (tester AA1: a writer 10 min behind read `0:00` for its whole run, its banner
      // joining a run begun 10 min later by its clock; one ahead would have begun a run of its own).
      // Under the 2 min a line's arrival tells, its launch does (tester AK3: 90 s behind, the seed kept our clock while
      // its lines came on the writer's: `its end reads 1:24 before its start`, then `complete · 0:00`).
      const behind = event.arrivedAt === undefined ? state.log.clockBehindMs : (clockBehind(state.log.clockBehindMs, event.arrivedAt, event.batch.lastAt) ?? behindAtLaunch(log, event.batch));
      log = seededOnLogClock(log, event.arrivedAt === undefined ? null : (behind ?? null));
      // A local run of ours live: another writer's start does not take its place (tester Y8); only the log's run that began
      // with its launch is it, never an earlier unfinished one read meanwhile (tester AC9).
      const runs = applyLines(runsOf(log), event.batch.lines, event.batch.keyed, event.task, ourRunSince(state, { ...log, clockBehindMs: behind }));
      const tail = event.batch.tail.length === 0 ? log.tail : log.tail.concat(event.batch.tail).slice(-TAIL_LIMIT);
      return withoutLogProblem({
        ...state,
        log: {
          ...log,
          ...runs,
          tail,
          exists: true,
          lines: log.lines + event.batch.lineCount,
          lastRecordAt: event.batch.lastAt !== null && event.batch.lastAt > (log.lastRecordAt ?? -Infinity) ? event.batch.lastAt : (log.lastRecordAt ?? null),
          // The first line read after a gap (log/lost) closes its span.
          ...(log.lost && log.lost.beforeAt === null && typeof firstRecordAt(event.batch) === 'number' ? { lost: { ...log.lost, beforeAt: firstRecordAt(event.batch) as number } } : {}),
          suspiciousKeys: log.suspiciousKeys + (event.batch.suspiciousKeys ?? 0) + (event.batch.damagedKeys ?? 0),
          ...(event.batch.damagedKeys ? { damagedKeys: (log.damagedKeys ?? 0) + event.batch.damagedKeys } : {}),
          lastArrivalAt: event.arrivedAt ?? state.log.lastArrivalAt,
          clockBehindMs: behind,
        },
      });
    }
    case 'log/written': {
      // The file's modification time is when its newest line was written (when that line is a record).
      const clockBehindMs = event.at === null ? state.log.clockBehindMs : clockBehind(state.log.clockBehindMs ?? null, event.at, state.log.current?.lastActivityAt ?? null);
      return { ...state, log: { ...state.log, clockBehindMs, modifiedAt: event.modifiedAt } };
    }
    case 'log/progress':
      return withoutLogProblem({ ...state, log: { ...state.log, exists: true, looked: true, bytesRead: event.bytesRead, size: event.size, historyDone: event.historyDone || state.log.historyDone } });
    case 'log/history-done':
      return state.log.historyDone ? state : { ...state, log: { ...state.log, historyDone: true } };
    case 'log/lost': {
      // Said once per gap run: several gaps in one spell add up, from the first one's last line read.
      const was = state.log.lost;
      const run = state.log.current?.startedAt ?? null;
      const same = was && was.runStartedAt === run;
      const bytes = event.bytes === null || (same && was.bytes === null) ? null : (same ? was.bytes! : 0) + event.bytes;
      // The newest compressed copy named by any of its gaps (they are said as one).
      const compressed = event.compressed ?? (same ? was.compressed : undefined);
      return { ...state, log: { ...state.log, lost: { bytes, afterAt: same ? was.afterAt : (state.log.lastRecordAt ?? null), beforeAt: null, runStartedAt: run, ...(compressed ? { compressed } : {}) } } };
    }
    case 'log/overlong':
      return { ...state, log: { ...state.log, overlongBytes: state.log.overlongBytes + event.bytes } };
    case 'expected/loaded':
      return { ...state, coverage: { ...state.coverage, expected: event.expected, expectedError: null } };
    case 'expected/failed':
      return { ...state, coverage: { ...state.coverage, expectedError: event.message } };
    case 'coverage/configured':
      return withSource(state, event.source, () => ({ ...emptySource(event.label), waits: event.waits ?? null }));
    case 'coverage/checking':
      return withSource(state, event.source, (s) => ({ ...s, checking: true, checkingSince: s.checking ? (s.checkingSince ?? event.at ?? state.now) : (event.at ?? state.now), progress: s.checking ? s.progress : null }));
    case 'coverage/progress':
      return withSource(state, event.source, (s) => (s.checking ? { ...s, progress: event.progress } : s));
    case 'coverage/result':
      return withSource(state, event.source, (s) => ({
        ...s,
        keys: event.result.keys,
        checkedAt: event.at,
        checking: false,
        checkingSince: null,
        progress: null,
        error: null,
        hint: null,
        errorAt: null,
        failuresInRow: 0,
        bytesBilled: event.result.bytesBilled ?? s.bytesBilled,
        method: event.result.method,
        note: event.result.note ?? null,
        requests: event.result.requests,
      }));
    case 'coverage/error':
      // Keep the last good keys: a failing source shows stale figures, not zero.
      return withSource(state, event.source, (s) => ({ ...s, checking: false, checkingSince: null, progress: null, error: event.error.message, hint: event.error.hint, errorAt: event.at, failuresInRow: s.failuresInRow + 1 }));
    case 'failed/update': {
      // Each source reads a file's times in this machine's zone; the log's (configured or guessed) is known here.
      return { ...state, failed: failedInZone({ ...state.failed, notes: event.notes }, event.files, event.current, state.log.zoneGuess?.zone ?? state.log.zone) };
    }
    case 'failed/unread':
      return { ...state, failed: { ...state.failed, unread: event.reason } };
    case 'failed/tried':
      return { ...state, failed: withRuns({ ...state.failed, triedFiles: event.tried }) };
    case 'failed/executions':
      return { ...state, failed: withRuns({ ...state.failed, executions: { files: event.files, tried: event.tried } }) };
    case 'process/update': {
      const next = { ...state, process: { ...state.process, ...event.patch } };
      // Writers not started here seen gone: their run ended at this look (tester Y7); seen again, it goes on.
      // Or when the look found it gone late says (runtime.ts lookAtWriters: the dashboard was stopped meanwhile).
      if (state.process.external !== next.process.external) next.process.externalEndedAt = next.process.external ? null : (event.patch.externalEndedAt ?? state.now);
      // `not launched: the log is being written by pid …` or `run … is still running` said of a writer or run
      // now gone is stale (tester U16): it goes with it.
      const gone = (state.process.external && !next.process.external) || (state.process.alive === true && next.process.alive === false);
      // And `x`'s refusal (`no run of ours is running`) once a run of ours is live: it denied that run (tester W6).
      const ours = !ourRunLive(state.process) && ourRunLive(next.process);
      const kept = withoutStaleStopNotices(state, withoutEarlierRunNotices(state, ours ? withoutNotice(next, STOP_REFUSED) : next));
      return otherWritersNotice(state, gone ? withoutNotice(kept, LAUNCH_BLOCKED) : kept);
    }
    case 'process/history':
      return { ...state, process: { ...state.process, history: event.runs } };
    case 'place/update': {
      if (!state.place) return state;
      const next = { ...state.place, ...event.patch };
      // A failing streak keeps when it began; an answer ends it (tester W18: `since when`, not only the last try).
      if ('error' in event.patch) next.errorSince = event.patch.error === null ? null : state.place.error !== null ? (state.place.errorSince ?? state.place.errorAt) : (event.patch.errorAt ?? state.now);
      return { ...state, place: next };
    }
    case 'ui/view': {
      // The history opens at its top: the newest of each section. The `/` filter belongs to the failures
      // table: leaving it clears it, or `r` on the dashboard would retry only keys no screen shows (tester V2).
      const leaving = state.ui.view === 'failures' && event.view !== 'failures';
      const filter = leaving ? { filter: '', filtering: false } : {};
      return { ...state, ui: { ...state.ui, ...filter, view: event.view, help: false, historyTop: event.view === 'history' ? 0 : state.ui.historyTop } };
    }
    case 'ui/help':
      return { ...state, ui: { ...state.ui, help: event.open ?? !state.ui.help } };
    case 'ui/filter-start':
      return { ...state, ui: { ...state.ui, filtering: true } };
    case 'ui/filter-input':
      return { ...state, ui: { ...state.ui, filter: event.text } };
    case 'ui/filter-end':
      return { ...state, ui: { ...state.ui, filtering: false, filter: event.keep ? state.ui.filter : '' } };
    case 'ui/cursor':
      return { ...state, ui: { ...state.ui, cursorKey: event.key } };
    case 'ui/history-top':
      return { ...state, ui: { ...state.ui, historyTop: Math.max(0, event.top) } };
    case 'ui/confirm': {
      const next = { ...state, ui: { ...state.ui, confirm: event.confirm, choosingGroup: null } };
      return event.confirm ? next : withoutNotice(next, ONE_QUESTION);
    }
    case 'ui/choose-group':
      return { ...state, ui: { ...state.ui, choosingGroup: event.choice } };
    case 'ui/notice':
      return withNotice(state, event.text, event.tone, event.key);
    case 'ui/notice-end':
      return withoutNotice(state, event.key);
    case 'alerts/past':
      return { ...state, alerts: { ...state.alerts, past: event.alerts } };
    case 'ui/resize':
      return { ...state, ui: { ...state.ui, width: event.width, height: event.height } };
  }
}

/**
 * The runs the failure rule reads: the failed-keys files and a Cloud Run job's earlier executions, with the keys
 * each tried. Without executions the watcher's own array stands (caches keyed on it keep working).
 */
function withRuns(failed: FailedFilesState): FailedFilesState {
  // Before any failed-keys files are read (a Cloud Run job without `failed` never reads any: tester X3), none: never
  // `files`, which holds the executions merged last time and would count each of them again.
  const own = failed.fromFiles ?? NO_FILES;
  const ex = failed.executions;
  if (!ex || (ex.files.length === 0 && ex.tried.size === 0)) return { ...failed, files: own, tried: failed.triedFiles ?? null };
  const tried = new Map([...(failed.triedFiles ?? []), ...ex.tried]);
  return { ...failed, files: [...own, ...ex.files], tried };
}

const NO_FILES: FailedFilesState['files'] = [];

/** `failed` with `files` and `current` as its files, their times read in `zone` (file-times.ts inZone), runs merged again. */
function failedInZone(failed: FailedFilesState, files: readonly FailedFile[], current: FailedFile | null, zone: string | undefined): FailedFilesState {
  const out = files.map((f) => inZone(f, zone));
  const fromFiles = out.every((f, i) => f === files[i]) ? (files as FailedFile[]) : out;
  return withRuns({ ...failed, fromFiles, current: current && inZone(current, zone) });
}

function emptySource(label: string): SourceState {
  return { label, keys: null, checkedAt: null, checking: false, error: null, hint: null, errorAt: null, bytesBilled: null, method: null, requests: 0, failuresInRow: 0 };
}

function withSource(state: AppState, source: 'storage' | 'warehouse', update: (s: SourceState) => SourceState): AppState {
  const current = state.coverage[source] ?? emptySource(source);
  return { ...state, coverage: { ...state.coverage, [source]: update(current) } };
}

/**
 * How far a writer a little behind ours is behind, told by its launch (launch-match.ts behindByLaunch): the first lines
 * of the run seeded from a launch here (no line of its own yet) read that long "before" it, within LAUNCH_BEFORE_MS
 * (more is a clock the lines' arrival tells: clockBehind). Null when they do not.
 */
function behindAtLaunch(log: LogState, batch: ParsedBatch): number | null {
  const run = log.current;
  if (!run || run.startedAt === null || log.linesAtSeed === undefined || run.hasActivity || run.lastActivityAt !== null) return null;
  const first = firstRecordAt(batch);
  if (typeof first !== 'number' || run.startedAt - first > LAUNCH_BEFORE_MS) return null;
  return behindByLaunch(first, run.startedAt);
}

/**
 * The log with its current run, seeded from a launch and not yet spoken for by any line, begun on the log's clock
 * (`behindMs` behind ours) instead of ours: its own lines then join it at their times, and its elapsed time is its
 * clock's. Unchanged when the clock agrees with ours or the run has lines of its own.
 */
function seededOnLogClock(log: LogState, behindMs: number | null): LogState {
  const run = log.current;
  // Seeded (linesAtSeed), and no line with a time applied to it yet (an untimed `nohup:` line may come first).
  if (!behindMs || !run || run.startedAt === null || log.linesAtSeed === undefined || run.hasActivity || run.lastActivityAt !== null) return log;
  const moved = cloneRun(run);
  moved.startedAt = run.startedAt - behindMs;
  return { ...log, current: moved };
}

/**
 * A log's clock this far from ours is not the write's own delay: its writer's clock is off (see clockBehindMs).
 * Minutes, not half an hour (tester X12: a clock 7 min behind read `stalled` in status for a run writing a line
 * every 5 s): the newest line of a batch (or the file's) is compared with when it was written, so a logger's
 * buffering delays older lines of a flush, never the newest.
 */
const CLOCK_OFF_MS = 2 * 60_000;
/** Differences within this of the one kept are the same clock (write delays jitter by seconds). */
const CLOCK_SAME_MS = 60_000;

/**
 * How far the log's clock is behind ours, from a line's time and when it was written (`at`, our clock): kept
 * while the difference stays within CLOCK_SAME_MS of it, so elapsed does not jitter with each write's delay;
 * null once lines come on time again.
 */
function clockBehind(kept: number | null | undefined, at: number, lineAt: number | null): number | null {
  if (lineAt === null) return kept ?? null;
  const d = at - lineAt;
  // Under CLOCK_OFF_MS a write's delay cannot be told from an offset: one kept (its launch told it: behindAtLaunch)
  // stands while the lines agree with it; else on time.
  if (Math.abs(d) < CLOCK_OFF_MS) return kept != null && Math.abs(kept - d) < CLOCK_SAME_MS ? kept : null;
  return kept != null && Math.abs(kept - d) < CLOCK_SAME_MS ? kept : d;
}
