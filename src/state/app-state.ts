import type { ListProgress } from '../coverage/source.js';
import type { FailedFile } from '../failures/failed-file.js';
import type { ExpectedKeys } from '../coverage/expected-keys.js';
import type { Alert } from '../alerts/alert-events.js';
import type { TailLine } from '../log-line.js';
import type { LogRuns } from './apply-lines.js';
import type { RunSeed } from './run.js';
import type { Survivor } from '../runner/session.js';
import type { ProcStart } from '../runner/proc.js';
import { NBA_CALENDAR, type PhaseCalendar } from '../phases/calendar.js';
import type { PlaceState } from './place-state.js';
import type { MovedLog } from '../follow/moved-log.js';

/** Expected keys as read from the configured file. */
export type ExpectedInfo = ExpectedKeys;

/** One key source (storage or warehouse) as the pollers last saw it. */
export interface SourceState {
  label: string;
  keys: Set<string> | null;
  checkedAt: number | null;
  checking: boolean;
  /** When the look in flight began (the state's clock), so a slow one can say how long it has taken. */
  checkingSince?: number | null;
  /** How far the look in flight is (objects listed so far), heard once a second while it runs (tester Z10). */
  progress?: ListProgress | null;
  error: string | null;
  hint: string | null;
  errorAt: number | null;
  bytesBilled: number | null;
  method: string | null;
  /** Why the count was taken this way (e.g. a streaming buffer made BigQuery scan); null when usual. */
  note?: string | null;
  requests: number;
  /** Polls failed in a row since the last answer (an alert fires at 3). */
  failuresInRow: number;
  /** Why it is not looked at yet (`waits for the expected keys`), until its looks start. */
  waits?: string | null;
}

export interface CoverageState {
  expected: ExpectedInfo | null;
  expectedError: string | null;
  storage: SourceState | null;
  warehouse: SourceState | null;
  targets: number[];
}

export interface FailedFilesState {
  /** Every run's list of failed keys the failure rule reads: the failed-keys files, then earlier executions. */
  files: FailedFile[];
  current: FailedFile | null;
  /** Keys each run tried, by failed-file path, where known (runs launched from here). */
  tried: Map<string, Set<string>> | null;
  notes: string[];
  /** The failed-keys files alone (the watcher's) and what each tried; `files`/`tried` add `executions`. */
  fromFiles?: FailedFile[];
  triedFiles?: Map<string, Set<string>> | null;
  /** A Cloud Run job's earlier executions as runs (never the one the log follows), and their launched keys. */
  executions?: { files: FailedFile[]; tried: Map<string, Set<string>> };
  /**
   * Why a one-shot look could not read the failed-keys files (not within --timeout, or an error), else null/absent:
   * which keys fail is then not known (tester Z12's class: the log's failures alone were given as the list).
   */
  unread?: string | null;
}

/** The process side: what we launched or re-attached to, and who else writes the log. */
export interface ProcessState {
  runId: string | null;
  pid: number | null;
  procStart: ProcStart | null;
  /** We launched it or re-attached to a run we launched. */
  attached: boolean;
  /** Alive per /proc; null when unknown. */
  alive: boolean | null;
  /** The log is written by a process we did not start. */
  external: boolean;
  externalPids: number[];
  /**
   * When a look at who writes the log first found the processes not started here gone (our clock), or null/absent:
   * their run ended then, not at its last line (tester Y7: a writer that hung 5:55 and died read `ended · 0:00`).
   */
  externalEndedAt?: number | null;
  /**
   * When writers not started here were seen to go by any dashboard, as runs.jsonl records them (WriterEndRecord; our
   * clock, oldest first): a run no launch of ours started ended at the first after its last line (writer.ts), on every
   * dashboard and in `status`, where those that did not watch it had only its lines (tester AI4). Absent: none.
   */
  writerEnds?: number[];
  /** We looked at who has the log open (Linux /proc); with no writer and no summary the run has ended. */
  writersChecked: boolean;
  /** When that look was taken (epoch ms): lines written after it prove a writer the look did not see. */
  writersCheckedAt: number | null;
  /**
   * That look found no writer but could not see them all: the log is another user's and processes of that user hide
   * their descriptors from us (log-writers.ts hiddenWriterPossible). No writer found then proves no end.
   */
  writersHidden?: boolean;
  /** A launch from here is under way: lines may be its own before its pid is known. */
  launching?: boolean;
  /** That launch's child, from its spawn until the launch settles (its 1 s start window): `x` waits for it (tester W6). */
  startingPid?: number | null;
  keepAwake: string | null;
  /** Why the machine could not be kept awake for the run launched here (no inhibitor works), else null. */
  keepAwakeProblem: string | null;
  stopping: 'sigint' | 'sigterm' | 'needs-kill' | null;
  /** The signals the current stop has sent, in order, with when (epoch ms). */
  stopSignals: { signal: 'SIGINT' | 'SIGTERM'; at: number }[];
  /**
   * The pid of the process the rest of the stop was handed to when the dashboard was left during it (its SIGTERM:
   * runner/stop-carrier.ts), or null/absent (tester Y9).
   */
  stopCarrier?: number | null;
  stopped: boolean;
  exitCode: number | null;
  /** When our run's process was seen to exit (epoch ms, our clock), or null: its elapsed time ends there (V7). */
  exitedAt?: number | null;
  /** Records from runs.jsonl for the history view. */
  history: RecordedRun[];
  /**
   * The launched command exited and left these processes of its session running (a wrapper that backgrounds the
   * backfill: tester W24): the run is theirs now, still ours, stopped through its session's process groups.
   */
  left?: { exitCode: number | null; signal: string | null; at: number; pids: Survivor[] } | null;
}

/** One launch as runs.jsonl recorded it, folded with its end record. */
export interface RecordedRun {
  id: string;
  label: string;
  keyCount: number;
  keysFile: string | null;
  /** The command was given the keys file (a `{keysFile}` in it): the run's total is then its key count. */
  keysGiven?: boolean;
  /** The workers and timeout (s) the launch asked for, where recorded. */
  workers?: number;
  timeout?: number;
  pid: number;
  startedAt: number;
  endedAt: number | null;
  exitCode: number | null;
  reason: string | null;
  counts?: { succeeded: number; failed: number; skipped: number } | null;
  /** A Cloud Run execution started elsewhere (gcloud, the console): not launched from here. */
  external?: boolean;
  /** Its key count is not known (an execution started elsewhere whose args name no keys). */
  keysUnknown?: boolean;
  /** Keys present in storage when the run was launched and when it ended (coverage movement). */
  storageBefore?: number | null;
  storageAfter?: number | null;
  /**
   * When the listing `storageAfter` counts was taken (epoch ms; absent in records written before it was kept): a
   * dashboard that found the run ended unwatched lists storage when it finds it, maybe hours and other runs later
   * (tester AJ9), so `h` says when (history-lines.ts storageMovedWords).
   */
  storageAfterAt?: number | null;
  /** Stopped by a recorded stop, its process gone and no end recorded yet: `endedAt` is the stop's time (process-info.ts). */
  endFromStop?: true;
  /** A stop was asked, and the run went on to write its summary all the same (reason `complete`). */
  stopIgnored?: true;
  /**
   * A Cloud Run execution launched here that the region's listing does not hold (`no longer listed by the region`):
   * shown from its records, with why it is not the region's word (tester Z3).
   */
  unlisted?: string;
  /** A Cloud Run launch whose jobs.run made no execution (its dashboard closed before the region answered: AE13). */
  neverExecuted?: true;
  /** Why it failed to start, as its end record says (`Command not found: python4`), for reason `failed-to-start`. */
  message?: string;
}

export type View = 'dashboard' | 'failures' | 'history';

export type ConfirmKind = 'launch' | 'resume' | 'retry' | 'stop' | 'kill';

/** A question on screen: nothing that starts or stops a process happens without `y`. */
export interface Confirm {
  kind: ConfirmKind;
  message: string;
  keys: string[];
  workers: number | null;
  timeout: number | null;
  /**
   * A retry that left persistent keys out (failed in every run that tried them: a retry will not help):
   * `a` launches these instead, the offered keys and the persistent ones together. `keys` is empty when
   * every key offered was persistent; then only `a` launches.
   */
  withPersistent?: string[];
  /** The question `a` puts in this box's place (retry-offer.ts): asking, never launching (tester U15). */
  allMessage?: string;
  /** The situation the question was asked in (set by the reducer when the box opens; see confirm-situation.ts). */
  basis?: string;
  /**
   * A launch box's command as it will run (`runs: python -u backfill.py --csv=…`; RunPlace.commandShown), from the
   * config as it was when the box opened: shown under the question, cut to the box's width (tester AJ8).
   */
  command?: string;
  /** The launch settings the box was asked with (launch-settings.ts launchSettingsKey): `y` launches only those. */
  launchSettings?: string;
}

export interface UiState {
  view: View;
  help: boolean;
  filter: string;
  filtering: boolean;
  /** Failure table cursor, by key so a refresh does not move it. */
  cursorKey: string | null;
  /** The history view's first line shown (it scrolls; see history-lines.ts). */
  historyTop: number;
  confirm: Confirm | null;
  /** `R`: choosing one error group to retry. */
  choosingGroup: { groups: { label: string; keys: string[] }[]; index: number } | null;
  /** Notices; one with a `key` describes work in progress: the next notice with that key replaces it, and it ends with the work. */
  notices: { at: number; text: string; tone: 'info' | 'warn' | 'fail'; key?: string }[];
  width: number;
  height: number;
}

/** The zone a log's clock was guessed to be in, with no `timezone` configured (src/app/log-zone-guess.ts). */
export interface ZoneGuess {
  /** The fixed-offset zone the log is read in from now on (`UTC-05:00`). */
  zone: string;
  /** How far the log's clock reads behind this machine's (ms; negative: ahead). */
  behindMs: number;
  /** What the guess rests on: the file's modification time, or when lines arrived while followed. */
  from: 'file' | 'arrival';
  /**
   * The history read ahead for the guess (log-zone-guess.ts anchored) stopped on an error before the file's end: how far
   * it got, of how much, and the error; a clock change past that is not in the guess. Absent when read whole.
   */
  readAhead?: { bytesRead: number; size: number; error: string };
}

/**
 * A change of the log's clock its zone as read does not have (parser/log-clock.ts): an hour skipped (spring forward)
 * read as no time passing, or an hour repeated (fall back) read as time going on.
 */
export interface LogClockStep {
  kind: 'skip' | 'set-back';
  /** The first line after it, as read (epoch ms). */
  at: number;
  /** The wall time it happened at, before it (UTC-as-wall ms): 02:00 of 02:00→03:00 or of 02:00→01:00. */
  wall: number;
  /** A zone of the tz database that changed so that night (`America/New_York`); null: none did, the change was seen as the lines came, or read from the log alone (`alone`). */
  zone: string | null;
  /** No zone changed then and the lines were not seen coming: read from the log alone, an hour's step between lines a minute apart (a clock set by hand?). */
  alone?: true;
  /** The `timezone` configured (whose rules have no such change), or null: none (the system's zone, or a guess). */
  timezone: string | null;
}

export interface LogState extends LogRuns {
  path: string;
  exists: boolean;
  /** The follower has looked at the path (found a file, or found none and waits): until then nothing is known of the log. */
  looked: boolean;
  bytesRead: number;
  size: number;
  historyDone: boolean;
  /** Physical lines read, counted from where the history read began (see history-start.ts). */
  lines: number;
  /** `lines` when the current run was seeded from its launch: the lines after it are that run's (dead-start.ts). */
  linesAtSeed?: number;
  /**
   * The newest record time read (epoch ms, the log's clock as read), whatever the line said; null or absent while no
   * line read has carried the backfill's `TIME - LEVEL - ` prefix (foreign-log.ts). A run's lines after its last
   * outcome (`WARNING - Interrupted` as it winds down) are its end when it ends unwatched (unwatched-end.ts).
   */
  lastRecordAt?: number | null;
  /**
   * Lines the log held between two reads that are in no file any more (two copytruncates while the dashboard was
   * suspended, the older copy deleted: tester AD14): how many bytes, between which record times (the log's clock; the
   * one before the gap, the first after it once read), in the run read then (its start). `bytes` null: how many is not
   * known (a `>>` writer's cut whose copy is not found: tester AG10), and that any line is lost only the counts prove.
   */
  lost?: { bytes: number | null; afterAt: number | null; beforeAt: number | null; runStartedAt: number | null; /** A rotation compressed since (`bf.log.1.gz`) likely holding them, not read; absent when none. */ compressed?: string } | null;
  overlongBytes: number;
  /** Keys longer than MAX_KEY_CHARS seen in the log (cut for display, never launched). */
  suspiciousKeys: number;
  /** Of `suspiciousKeys`: lines whose key holds bytes that are not UTF-8 (the rest are keys cut at 200 characters). */
  damagedKeys?: number;
  resets: number;
  tail: TailLine[];
  /** When lines last arrived while the log was followed (epoch ms, our clock), or null. */
  lastArrivalAt: number | null;
  /**
   * The file's modification time once its history was read (epoch ms, our clock), or null/absent: a write after the
   * last look at who writes it proves a writer that look did not see (writer.ts). Never a line's own time: a log's
   * clock may be off, or its zone guessed to fit now (tester Z11).
   */
  modifiedAt?: number | null;
  /**
   * How far the log's clock is behind ours when it is off by more than a zone can explain or a zone guess took
   * off (a writer's clock set wrong: U17's second shape, 9,439 h behind), from when lines arrived or the file's
   * modification time; null or absent when on time. While its writer lives, the run's elapsed time, idle time,
   * stall and rate window are read on the log's clock.
   */
  clockBehindMs?: number | null;
  /**
   * Rotated files beside the log (`bf.log.1`, `bf.log-20261130`) read first, oldest first, because the file at the
   * path begins in the middle of their run (tester X13); absent or empty when none.
   */
  rotatedFrom?: string[];
  /** The start of the run those files began (its startedAt when they were read): the one the note is about. */
  rotatedRunAt?: number | null;
  /** Lines read when those files had been read: no more since, the run is all in them (no record at the path). */
  rotatedLines?: number;
  /**
   * The compressed rotation beside the log the run's earlier part is likely in (`bf.log.1.gz`) when what was read
   * begins mid-run; named, never read. Absent or null when none.
   */
  rotatedCompressed?: string | null;
  /** The zone the log's times are read in when it was guessed (no `timezone`), else null or absent. */
  zoneGuess?: ZoneGuess | null;
  /** The newest clock change read as one (a DST night the zone read does not have), else null or absent. */
  clockStep?: LogClockStep | null;
  /** The configured `timezone` the log's times are read in; absent: this machine's (or the guessed one). */
  zone?: string;
  /** Why the log cannot be read (a directory, a FIFO, no permission), until it is read or found missing; else null. */
  problem?: string | null;
  /**
   * What the launch of the run this log belongs to said (a Cloud Run execution followed), or null (a local log):
   * the run starts from it, and starts from it again when the log is read again from its start.
   */
  seed?: RunSeed | null;
  /**
   * The file was truncated in place and nothing has been read since: the first record decides whether its new
   * content goes on from what was read (logrotate's copytruncate under a writer that goes on) or is older content
   * written again (then what was read is dropped, as for a replaced file). See reducer 'log/reset'.
   */
  truncated?: boolean;
  /**
   * The log moved aside (`mv`, logrotate's `create`) while a process goes on writing it: read there, under the
   * name its writer's descriptor gives, until that writer is gone (tester W20). Absent or null: read at its path.
   */
  moved?: MovedLog | null;
}

/** Alerts the reducer derived (see src/alerts/alert-events.ts); the alert sink writes each once, by `seq`. */
export interface AlertsState {
  /** How many alerts have fired since start: a sink writes those past the last seq it wrote. */
  seq: number;
  /** The newest alerts of this session, oldest first. */
  recent: Alert[];
  /** The newest lines of alerts.jsonl from earlier sessions, for the history view. */
  past: Alert[];
  /**
   * The run (alert-events.ts runKey) that was already over when this dashboard first knew its writer or when a launch
   * from here began, with the log's line count then: no alert is about it until a line comes after (tester Y11).
   * `ended`: a Cloud Run execution that had ended then: lines after are its late entries, and it stays quiet.
   */
  quiet?: { run: string; lines: number; ended?: true } | null;
}

/** The whole app: one object, changed only by the reducer. */
export interface AppState {
  job: string;
  now: number;
  /** Named date ranges failures are grouped by (config `phases`). */
  phases: PhaseCalendar;
  log: LogState;
  coverage: CoverageState;
  failed: FailedFilesState;
  process: ProcessState;
  /** Where the run lives when it is not a local process (a Cloud Run Job); null for a local run. */
  place: PlaceState | null;
  ui: UiState;
  alerts: AlertsState;
}

/** Lines kept for the log pane: a ring, never more. */
export const TAIL_LIMIT = 300;

/** The key of the notice saying why `s`/`r` cannot launch: it goes once the run or writer it names is gone (U16). */
export const LAUNCH_BLOCKED = 'launch-blocked';

/** The key of the notice saying why `x` has nothing to stop: it goes once a run of ours is live (tester W6). */
export const STOP_REFUSED = 'stop-refused';
/** The key of `x`'s notice during run ID's stop (where it stands): it goes when the stop moves on or is over. */
export const stopNoticeKey = (runId: string) => `stop:${runId}`;

/** The state before any source has spoken. */
export function initialState(opts: { job: string; log: string; now: number; targets: number[]; width?: number; height?: number; phases?: PhaseCalendar; place?: PlaceState | null; zone?: string }): AppState {
  return {
    job: opts.job,
    now: opts.now,
    phases: opts.phases ?? NBA_CALENDAR,
    log: { path: opts.log, exists: false, looked: false, bytesRead: 0, size: 0, historyDone: false, lines: 0, overlongBytes: 0, suspiciousKeys: 0, resets: 0, tail: [], current: null, history: [], lastArrivalAt: null, problem: null, ...(opts.zone ? { zone: opts.zone } : {}) },
    coverage: { expected: null, expectedError: null, storage: null, warehouse: null, targets: opts.targets },
    failed: { files: [], current: null, notes: [], tried: null },
    process: { runId: null, pid: null, procStart: null, attached: false, alive: null, external: false, externalPids: [], writersChecked: false, writersCheckedAt: null, keepAwake: null, keepAwakeProblem: null, stopping: null, stopSignals: [], stopped: false, exitCode: null, history: [] },
    place: opts.place ?? null,
    alerts: { seq: 0, recent: [], past: [] },
    ui: { view: 'dashboard', help: false, filter: '', filtering: false, cursorKey: null, historyTop: 0, confirm: null, choosingGroup: null, notices: [], width: opts.width ?? 80, height: opts.height ?? 24 },
  };
}
