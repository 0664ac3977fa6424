import type { RecordedRun } from '../state/app-state.js';
import type { RunLabel } from '../runner/keys-file.js';
import type { SettingsTaken } from './settings-taken.js';

/** What a launch asks for: the keys and the settings the confirm box showed. */
export interface PlaceLaunchRequest {
  keys: string[];
  workers: number;
  timeout: number;
  label: RunLabel;
}

/** A launch's result: the run's id (and what names it: a pid or an execution), or why nothing started. */
export type PlaceLaunchOutcome =
  /** `what` names the run's handle ("pid 4123", "execution J-x7k2p"); `suffix` adds to the launch notice. */
  | { ok: true; runId: string; what: string; suffix?: string; notices: string[] }
  | { ok: false; message: string; notices: string[] };

/** Where the stop/cancel got to. */
export type PlaceStopOutcome = { ok: true; message: string } | { ok: false; message: string } | { ok: 'needs-kill'; message: string };

/**
 * Where a backfill runs: a local process or a Cloud Run Job execution (STYLE point 10, after Dagster's run
 * launchers). The controller asks the place, never which kind it is. Every method reports through the events
 * the place dispatches (process/*, place/*, log/*) as well as its return value; none throws for an expected
 * failure (a refused launch, a cancel the API rejects), which comes back as a message.
 */
export interface RunPlace {
  readonly kind: 'local' | 'cloud-run';
  /** Operator's words: "local process" or "Cloud Run job bdl-boxscore-backfill (us-west2)". */
  readonly label: string;
  /** Why this place cannot be given a list of keys (e.g. the job's args take none), or null. */
  keysUnsupported(): string | null;
  /**
   * The question `s` asks when no keys can be given (keysUnsupported): the run goes as configured and chooses what
   * it scrapes, with only the settings it takes (`workers`, `timeout` in s) in the words.
   */
  keylessQuestion(workers: number, timeout: number): string;
  /**
   * Where a launch goes, in a confirm box's words after its count (` on Cloud Run job J in us-west2 (project P)`), or ''
   * for a process on this machine: the operator must know what they launch where (tester Z10).
   */
  launchWhere(): string;
  /**
   * What a launch of `req` would run, as one line for its box (tester AJ8: the box never said it): a local command as a
   * shell would run it, its keys file named as it will be; a Cloud Run job's args. From the settings as taken last.
   */
  commandShown(req: PlaceLaunchRequest): string;
  /** Which of `workers` and `timeout` the command's placeholders carry: a box states only those (tester X4). */
  settingsTaken(): SettingsTaken;
  /**
   * What the place has not learnt yet that `s`, `r` and `x` depend on (local: who writes the log; Cloud Run: the
   * job's executions), in the operator's words, or null once known. Keys wait for it rather than answer wrongly.
   */
  notKnownYet(): string | null;
  /** Why a launch is refused right now (a run going, ours or external), or null. */
  launchBlocked(): string | null;
  /**
   * What `x` asks now: a stop (or, after a stop was ignored, the SIGKILL question as its own box), or why there
   * is nothing to ask (nothing running, a stop under way and where it is).
   */
  /** Not ok: why, said in a notice; `key` when the notice is about one thing that moves on (a stop under way). */
  stopQuestion(): { ok: true; kind: 'stop' | 'kill'; message: string } | { ok: false; tone: 'info' | 'warn'; message: string; key?: string };
  /** Starts a run on `keys`; never two at once, never twice for one request. */
  launch(req: PlaceLaunchRequest): Promise<PlaceLaunchOutcome>;
  /** Stops (local: SIGINT then SIGTERM) or cancels (Cloud Run) the current run, after the operator's `y`. */
  stop(): Promise<PlaceStopOutcome>;
  /** The second confirm of a stop that needed one (local SIGKILL); Cloud Run has none. */
  kill(): Promise<PlaceStopOutcome>;
  /** Finds what is running now and follows it (re-attach on start); starts the place's log source. */
  start(): Promise<void>;
  /** Recent runs for the `h` history view, oldest first. */
  recentRuns(): Promise<RecordedRun[]>;
  /** Stops watching (never the run itself). */
  close(): Promise<void>;
}
