import type { ListProgress } from '../coverage/source.js';
import type { MovedLog } from '../follow/moved-log.js';
import type { TaskOf } from './execution-tasks.js';
import type { Alert } from '../alerts/alert-events.js';
import type { ParsedBatch } from '../log-line.js';
import type { SourceError, SourceResult } from '../coverage/source.js';
import type { FailedFile } from '../failures/failed-file.js';
import type { ExecutionOutcomes } from '../cloud-run/execution-outcomes.js';
import type { PlaceState } from './place-state.js';
import type { RunSeed } from './run.js';
import type { Confirm, ExpectedInfo, LogClockStep, LogState, ProcessState, RecordedRun, View, ZoneGuess } from './app-state.js';

/** Every change to the app state, from sources and from keys. Types are 'domain/verb'. */
export type AppEvent =
  | { type: 'clock/tick'; now: number }
  | { type: 'log/waiting' }
  /**
   * The log file as it was once read to its end: its modification time (our clock), and `at`, the same time when the
   * file's last line is a record (when its newest record was written: clockBehindMs), else null.
   */
  | { type: 'log/written'; at: number | null; modifiedAt: number }
  /** The log's times are read in a guessed zone from now on (null: judged, no guess; see log-zone-guess.ts). */
  | { type: 'log/zone-guess'; guess: ZoneGuess | null }
  /** The log's clock skipped or repeated an hour its zone as read does not (parser/log-clock.ts); null: none in this file. */
  | { type: 'log/clock-step'; step: LogClockStep | null }
  | { type: 'log/reset'; reason: 'truncated' | 'replaced' | 'rotated' }
  /** The log is read under another name while its writer goes on there (moved aside), or at its path again (null). */
  | { type: 'log/moved'; moved: MovedLog | null }
  /**
   * Another log begins (a new Cloud Run execution is followed): nothing the last one said belongs to it, and its
   * run starts from what its launch said until its own lines come.
   */
  | { type: 'log/begin'; seed: RunSeed }
  /**
   * The followed execution's log has no entry in Cloud Logging and its outcomes were kept whole: they stand for its run
   * (kept-run.ts). `keptFrom`: the file, as said on the screens; `complete`: its log held the summary.
   */
  | { type: 'log/kept'; outcomes: ExecutionOutcomes; complete: boolean; keptFrom: string; over?: true }
  /** Rotated files beside the log were read first, oldest first, as its run's earlier part (rotated-prelude.ts). */
  | { type: 'log/rotated'; files: string[]; /** The compressed rotation the run's earlier part is likely in (`bf.log.1.gz`), not read. */ compressed?: string }
  /**
   * A run was launched into the same log (a local run): it is the current run from now on, from what its launch
   * said, unless the log has spoken since `bytesBefore` (its own lines were read first: they say it better).
   */
  | { type: 'log/launched'; seed: RunSeed; bytesBefore: number; /** The log's lines before the launch (default: all read so far). */ linesBefore?: number; /** A local launch's child, in its start window (process.startingPid), in the same step as its seed. */ startingPid?: number; /** The current run is the launch's attempt read from its lines (a start death): it takes the seed's facts, nothing goes to history. */ deadStart?: true }
  /**
   * That launch failed to start (its child exited at once): when it wrote nothing, the run it seeded (begun at
   * `startedAt`) was no run, and the log's runs go back to what they were (`before`, the log state at the seed).
   */
  | { type: 'log/unlaunched'; startedAt: number; before: Pick<LogState, 'current' | 'history' | 'trail' | 'beside' | 'resumable' | 'unlisted' | 'linesAtSeed' | 'clockBehindMs'> }
  /** `arrivedAt`: when lines appended while following arrived (not for the history read). */
  /** `replace`: the batch is the whole log again (a Cloud Run log put back in order): read from the start, in one step. */
  /** `task`: one task's lines of a Cloud Run execution of several (execution-tasks.ts). */
  | { type: 'log/batch'; batch: ParsedBatch; arrivedAt?: number; replace?: boolean; task?: TaskOf | null }
  | { type: 'log/progress'; bytesRead: number; size: number; historyDone: boolean }
  | { type: 'log/overlong'; bytes: number }
  /** Bytes the log held between two reads that no file holds any more (follower's onLost: tester AD14). */
  | { type: 'log/lost'; bytes: number | null; /** A rotation compressed since the last read that likely holds them (not read). */ compressed?: string }
  /** The log cannot be read (what stands at the path, or the error): said until it is read or found missing. */
  | { type: 'log/problem'; message: string }
  /** A log with no file (Cloud Run): what was there at start has been read, so what comes next is news (alerts). */
  | { type: 'log/history-done' }
  | { type: 'expected/loaded'; expected: ExpectedInfo }
  | { type: 'expected/failed'; message: string }
  /** `waits`: why it is not looked at yet (the warehouse's query waits for the expected keys to tell dates from ids). */
  | { type: 'coverage/configured'; source: 'storage' | 'warehouse'; label: string; waits?: string }
  | { type: 'coverage/checking'; source: 'storage' | 'warehouse'; /** When the look began (ms); default the state's clock. */ at?: number }
  /** How far the look in flight is, once a second while it runs. */
  | { type: 'coverage/progress'; source: 'storage' | 'warehouse'; progress: ListProgress }
  | { type: 'coverage/result'; source: 'storage' | 'warehouse'; result: SourceResult; at: number }
  | { type: 'coverage/error'; source: 'storage' | 'warehouse'; error: SourceError; at: number }
  | { type: 'failed/update'; files: FailedFile[]; current: FailedFile | null; notes: string[] }
  | { type: 'failed/tried'; tried: Map<string, Set<string>> }
  /** A one-shot look could not read the failed-keys files: why (snapshot.ts). */
  | { type: 'failed/unread'; reason: string }
  /** Earlier Cloud Run executions' failed keys (and the keys each was launched with, by path), as runs beside the files. */
  | { type: 'failed/executions'; files: FailedFile[]; tried: Map<string, Set<string>> }
  | { type: 'process/update'; patch: Partial<ProcessState> }
  | { type: 'process/history'; runs: RecordedRun[] }
  | { type: 'place/update'; patch: Partial<PlaceState> }
  | { type: 'ui/view'; view: View }
  | { type: 'ui/help'; open?: boolean }
  | { type: 'ui/filter-start' }
  | { type: 'ui/filter-input'; text: string }
  | { type: 'ui/filter-end'; keep: boolean }
  | { type: 'ui/cursor'; key: string | null }
  | { type: 'ui/history-top'; top: number }
  | { type: 'ui/confirm'; confirm: Confirm | null }
  | { type: 'ui/choose-group'; choice: { groups: { label: string; keys: string[] }[]; index: number } | null }
  | { type: 'ui/notice'; text: string; tone: 'info' | 'warn' | 'fail'; key?: string }
  | { type: 'ui/notice-end'; key: string }
  | { type: 'ui/resize'; width: number; height: number }
  | { type: 'alerts/past'; alerts: Alert[] };
