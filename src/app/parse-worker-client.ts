import { existsSync, readlinkSync } from 'node:fs';
import { poolWorkElsewhere } from '../process-end.js';
import { fromMessage } from '../parser/batch-transfer.js';
import type { LogClockState } from '../parser/log-clock.js';
import type { ParseJob, WorkerBatch, WorkerDone, WorkerReady } from '../parser/parse-worker.js';
import type { ParsedBatch } from '../log-line.js';
import { markStartup } from '../startup-timing.js';
import { warmFailedStore } from '../state/failed-keys.js';
import { coreFree, CPU_PRESSURE_FILE, cpuPressure, newParseWorker, PARSE_WORKER_MIN_BYTES, parseWorkerMode } from './parse-worker-gate.js';
import { takeLaunchedParseWorker } from './parse-worker-launch.js';

export { coreFree, cpuPressure, PARSE_WORKER_MIN_BYTES, PRESSURE_FREE_PERCENT } from './parse-worker-gate.js';

/*
 * Reading a long log's history on the second core: the parse worker (parser/parse-worker.ts) reads and
 * parses, this thread folds the batches as they come. The worker starts in tens of milliseconds, so it is
 * only worth it for a long stretch (PARSE_WORKER_MIN_BYTES).
 */

/** ParseJob.control's slot of the worker's reads under way (parser/parse-worker.ts readAt). */
const READING = 3;

/**
 * The file a worker's fd reads, as the end names it: its path from /proc (a link read in the kernel, never on the
 * file's own mount, so a hung mount does not hold it), else only what it is.
 */
function readName(fd: number | null): string {
  let file = '';
  try {
    if (fd !== null) file = ` ${readlinkSync(`/proc/self/fd/${fd}`)}`;
  } catch {
    // No /proc (macOS), or the fd closed meanwhile: unnamed.
  }
  return `log${file} (read by the parse worker)`;
}

/** The built worker beside the running bundle (dist/src/, or a chunk in dist/src/chunks/), or null (running from sources). */
export function parseWorkerUrl(): URL | null {
  for (const rel of ['./parse-worker.cjs', '../parse-worker.cjs']) {
    const url = new URL(rel, import.meta.url);
    if (url.protocol === 'file:' && existsSync(url)) return url;
  }
  return null;
}

/**
 * Whether and how to parse a long history in the worker: BACKFILL_TUI_PARSE_WORKER=off never, =on for a
 * history of any length (tests, comparisons); otherwise from PARSE_WORKER_MIN_BYTES, when the worker is built
 * and a core is free when the history is read (`freeCoreOnly`: see coreIsFree). On a busy machine the two threads
 * wait for a core at every hand-over and the worker costs more CPU than it saves the main thread: same rounds
 * at load 9, 80 / 200 MB, wall 2.06 / 3.56 s without it against 3.04 / 5.36 s with it.
 */
export function parseWorkerChoice(env: NodeJS.ProcessEnv = process.env, url: URL | null = parseWorkerUrl()): { url: URL; minBytes: number; freeCoreOnly: boolean } | null {
  const mode = parseWorkerMode(env);
  if (url === null || mode === 'off') return null;
  return mode === 'on' ? { url, minBytes: 1, freeCoreOnly: false } : { url, minBytes: PARSE_WORKER_MIN_BYTES, freeCoreOnly: true };
}

/**
 * Whether a core is free for the worker. Where Linux reports CPU pressure (/proc/pressure/cpu), from the share
 * of the last 10 s in which some thread waited for a CPU: below PRESSURE_FREE_PERCENT. That is other work on
 * the machine, not this program's own recent runs: a run that kept both cores busy (this worker and its fold)
 * made nobody wait, where the 1-minute load average goes on counting it for a minute (a bench or a cron job
 * that runs `status` back to back turned its own worker off). Elsewhere the 1-minute load average below the
 * cores − 0.5. node:os is loaded only when asked.
 */
export async function coreIsFree(pressure = CPU_PRESSURE_FILE): Promise<boolean> {
  const { availableParallelism, loadavg } = await import('node:os');
  return coreFree(loadavg()[0], availableParallelism(), cpuPressure(pressure));
}

/** What `parseInWorker` reads and how; the rest of a ParseJob is its own. */
export type WorkerRead = Omit<ParseJob, 'control' | 'ahead'>;

/** Whether two reads are the same: the same file, bytes, read sizes and clock (every field of its state). */
function sameRead(a: WorkerRead, b: WorkerRead): boolean {
  const scalar = (['fd', 'from', 'to', 'readBytes', 'maxLineBytes', 'tailLimit', 'tailZoneBytes'] as const).every((k) => a[k] === b[k]);
  const clock = (Object.keys(a.clock) as (keyof LogClockState)[]).every((k) => Object.is(a.clock[k], b.clock[k]));
  return scalar && clock && Object.keys(a.clock).length === Object.keys(b.clock).length;
}

/**
 * What came back: every batch up to byte `through` was delivered; `clock` is the clock after them (null: none came);
 * `readAhead`: they came from the worker's read ahead (ParseWorker.readAhead).
 */
export interface WorkerOutcome {
  through: number;
  clock: LogClockState | null;
  readAhead: boolean;
  /** What the worker said at its end: bytes of shared memory it made for columns (absent: it did not say). */
  columnBytes?: number;
}

/** Batches of a read ahead taken before it is claimed (see ParseWorker.held): up to about 64 MB of log held in all. */
const HOLD = 48;

/** Where the worker is to start, when the caller has read on while it started (see parseInWorker's `meanwhile`). */
export type WorkerStart = Pick<WorkerRead, 'from' | 'clock'>;

type Worker = import('node:worker_threads').Worker;

/**
 * A parse worker started before its job is known: it loads (tens of milliseconds, more on a busy machine) while
 * this thread looks for where the history starts (history-start.ts reads a one-run log's whole length
 * backwards), so the two overlap. Once loaded it may read ahead the stretch the history most likely is
 * (`readAhead`): a one-run log's history starts at its first line, so the worker reads it while this thread is
 * still looking. Nothing it reads ahead is folded before the history's start is known (parseInWorker takes it
 * only for that very job), so what is folded is the same either way. Until it is given a job it keeps no process
 * alive; `stop()` ends one that will not get one.
 */
export class ParseWorker {
  /** Int32 [0] batches taken, [1] non-zero: stop, [2] batches folded (ParseJob.control). */
  readonly flags: Int32Array;
  ready = false;
  exited = false;
  /** Where its messages after `ready` go, and its end (set by parseInWorker). */
  onMessage: ((m: WorkerBatch | WorkerDone) => void) | null = null;
  onExit: (() => void) | null = null;
  /** The read asked for ahead (`readAhead`), and whether the worker was given it (it was loaded before it was claimed). */
  private ahead: WorkerRead | null = null;
  private onAhead: (() => void) | null = null;
  private aheadPosted = false;
  /**
   * What the read ahead sent before it was claimed. The first HOLD batches are taken at once (the worker reads on
   * while a long one-run log is looked through backwards: a gigabyte takes a few hundred milliseconds); past
   * them it waits as for any batches not taken, `AHEAD` more at most.
   */
  private held: (WorkerBatch | WorkerDone)[] = [];
  /** How many of `held` were taken at once (parseInWorker must not count them again). */
  private heldTaken = 0;
  /** Its read ahead was told to stop (not the one needed): until it says done, it takes no job (`ready` is false). */
  private draining = false;
  /** Who waits for it to be ready for a job (`whenReady`). */
  private waiting: (() => void)[] = [];
  /** It was given a job (or its read ahead) and has not said done. */
  private busy = false;

  private constructor(
    private readonly worker: Worker,
    readonly control: SharedArrayBuffer,
  ) {
    this.flags = new Int32Array(control);
    worker.on('message', (m: WorkerReady | WorkerBatch | WorkerDone) => this.received(m));
    // A worker that fails (no memory, a bug) leaves the rest to the caller's own reading: nothing is lost. Its
    // end is taken at 'exit', which Node emits only after the batches it sent before failing are delivered.
    worker.on('error', () => {});
    worker.on('exit', () => this.ended());
    worker.unref();
    // Its reads are in libuv's pool, which an exit waits for, and this thread cannot see them: told to the end.
    this.untrack = poolWorkElsewhere(() => (Atomics.load(this.flags, READING) > 0 ? readName(this.fd) : null));
  }

  /** Stops telling the end of its reads (poolWorkElsewhere). */
  private readonly untrack: () => void;
  /** The file of the job it was last given (its fd), named when the end cannot wait for its read. */
  private fd: number | null = null;

  private received(m: WorkerReady | WorkerBatch | WorkerDone): void {
    if (m.type === 'done') this.busy = false;
    if (m.type === 'ready') {
      markStartup('parse worker loaded');
      this.becomeReady();
      if (this.ahead !== null) this.postAhead(this.ahead);
    } else if (this.draining) {
      // The read ahead that was not the one needed: nothing of it is used; once it has stopped, a job may come.
      if (m.type === 'done') {
        Atomics.store(this.flags, 0, 0);
        Atomics.store(this.flags, 1, 0);
        Atomics.store(this.flags, 2, 0);
        this.draining = false;
        this.becomeReady();
      }
    } else if (this.onMessage) this.onMessage(m);
    else if (this.aheadPosted) {
      this.held.push(m);
      if (m.type === 'batch' && this.heldTaken < HOLD) {
        this.heldTaken++;
        Atomics.add(this.flags, 0, 1);
        Atomics.notify(this.flags, 0);
      }
    }
  }

  private ended(): void {
    this.exited = true;
    this.untrack();
    this.becomeReady();
    this.onExit?.();
  }

  static async start(url: URL): Promise<ParseWorker> {
    // Loaded here: most commands never start a worker, and the module brings Node's messaging with it.
    const { Worker } = await import('node:worker_threads');
    markStartup('parse worker starting');
    const { worker, control } = newParseWorker(Worker, url);
    return new ParseWorker(worker, control);
  }

  /**
   * The worker the launcher started for this command (parse-worker-launch.ts), once; null when it started none.
   * What it did before it was taken (its `ready`, or its end) is taken now, in order.
   */
  static launched(): ParseWorker | null {
    const launched = takeLaunchedParseWorker();
    if (launched === null) return null;
    const parser = new ParseWorker(launched.worker, launched.control);
    launched.release();
    for (const m of launched.messages) parser.received(m as WorkerReady | WorkerBatch | WorkerDone);
    if (launched.exited) parser.ended();
    return parser;
  }

  /**
   * Asks it to read `job` as soon as it has loaded, before anyone asks for it (still keeping no process alive),
   * and to call `begun` when it was given it. What it sends is held for parseInWorker, which takes it only for
   * the same job (see `claim`).
   */
  readAhead(job: WorkerRead, begun?: () => void): void {
    this.ahead = job;
    this.onAhead = begun ?? null;
    if (this.ready) this.postAhead(job);
  }

  /** Gives the worker its read ahead (`begun` is told). */
  private postAhead(job: WorkerRead): void {
    if (this.aheadPosted) return;
    this.aheadPosted = true;
    this.busy = true;
    markStartup('parse worker reading ahead');
    this.fd = job.fd;
    this.worker.postMessage(job);
    this.onAhead?.();
  }

  /**
   * Whether this worker reads `job` by what it read ahead: 'ahead' when its read ahead is exactly `job`
   * (`takeHeld` gives what it sent so far; a worker still loading is given it as it loads, and sends on from
   * there); otherwise 'fresh': a read ahead not begun is called off, and one
   * begun (the history starts later in the file) is told to stop and dropped: the worker is `ready` for a job
   * again once it has stopped, in a few milliseconds (parseInWorker's `meanwhile` reads in this thread till then).
   */
  claim(job: WorkerRead): 'fresh' | 'ahead' {
    const ahead = this.ahead;
    this.ahead = null;
    if (!this.aheadPosted) {
      // Still loading, its read ahead not given yet: when that is this very job it stays asked for, given as the
      // worker loads. The caller then waits for its batches rather than parse the first ones in its own thread
      // meanwhile: cold there, and making a second isolate optimise the parser, on a machine whose other core
      // is loading the worker (a one-run log's history starts where the read ahead does).
      if (ahead !== null && !this.exited && sameRead(ahead, job)) {
        this.ahead = ahead;
        return 'ahead';
      }
      return 'fresh';
    }
    this.aheadPosted = false;
    if (ahead !== null && sameRead(ahead, job)) return 'ahead';
    const finished = this.held.some((m) => m.type === 'done');
    this.held = [];
    this.heldTaken = 0;
    if (finished) {
      // It read all of it already: nothing to stop, the next job counts its batches from none.
      Atomics.store(this.flags, 0, 0);
      Atomics.store(this.flags, 2, 0);
    } else {
      this.draining = true;
      this.ready = false;
      Atomics.store(this.flags, 1, 1);
      Atomics.notify(this.flags, 0);
    }
    return 'fresh';
  }

  /** Whether `claim(job)` would give 'ahead' (it reads, or will read, exactly `job` ahead). Asks only. */
  readsAhead(job: WorkerRead): boolean {
    return this.ahead !== null && sameRead(this.ahead, job) && (this.aheadPosted || !this.exited);
  }

  /**
   * Stops the job it was given (or the read ahead claimed for it) but keeps it for another: what it still sends of
   * that job is dropped, and it is `ready` again once it has stopped (a few milliseconds), as `claim` leaves a read
   * ahead not needed. The caller then gives it a job or stops it (until then it may keep the process alive).
   */
  halt(): void {
    this.onMessage = null;
    this.onExit = null;
    this.ahead = null;
    this.onAhead = null;
    this.aheadPosted = false;
    this.held = [];
    this.heldTaken = 0;
    if (this.exited) return;
    if (!this.busy) {
      // Not loaded yet (its read ahead now never given), or done already: nothing to stop.
      Atomics.store(this.flags, 0, 0);
      Atomics.store(this.flags, 2, 0);
      return;
    }
    this.draining = true;
    this.ready = false;
    Atomics.store(this.flags, 1, 1);
    Atomics.notify(this.flags, 0);
  }

  /** What the read ahead sent before it was claimed, in order, and how many of its batches were taken (handed over once). */
  takeHeld(): { held: (WorkerBatch | WorkerDone)[]; taken: number } {
    const out = { held: this.held, taken: this.heldTaken };
    this.held = [];
    this.heldTaken = 0;
    return out;
  }

  /** Resolves once it can be given a job (loaded, and any read ahead it was told to drop has stopped), or it ended. */
  whenReady(): Promise<void> {
    if (this.ready || this.exited) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private becomeReady(): void {
    this.ready = true;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }

  /** From now on it keeps the process alive until it is done or stopped (its read ahead was claimed). */
  keepAlive(): void {
    this.worker.ref();
  }

  /** Gives it its job: from now on it keeps the process alive until it is done or stopped. */
  post(job: Omit<ParseJob, 'control' | 'ahead'>): void {
    this.busy = true;
    this.worker.ref();
    this.fd = job.fd;
    this.worker.postMessage(job);
  }

  /** Tells it to stop reading and ends it; whatever it still does is of no use now, and its exit frees its memory. */
  stop(): void {
    Atomics.store(this.flags, 1, 1);
    Atomics.notify(this.flags, 0);
    void this.worker.terminate();
  }
}

/**
 * Reads `job` in a parse worker (one started ahead by ParseWorker.start, or started here from its URL) and calls
 * `onBatch` with each batch in file order (and the lines cut for being too long before it, and how far the
 * worker has read). While the worker starts, `meanwhile` may read on in this thread until `started()` says it is
 * ready, and says where the worker is to take over. Resolves when the worker is done, failed or was stopped by
 * `signal`: with how far the delivered batches reach, so the caller reads the rest itself. Rejects with what
 * `onBatch` threw. The worker is ended either way, unless `keep` (and no throw): then it is halted instead
 * (ParseWorker.halt: at once when `signal` aborts, even from within `onBatch`), and the caller gives it another job or
 * stops it.
 */
export async function parseInWorker(
  from: URL | ParseWorker,
  job: WorkerRead,
  onBatch: (batch: ParsedBatch, overlong: number[], read: number) => void,
  signal?: AbortSignal,
  meanwhile?: (started: () => boolean) => Promise<WorkerStart>,
  keep = false,
): Promise<WorkerOutcome> {
  const worker = from instanceof ParseWorker ? from : await ParseWorker.start(from);
  // A long read: the fold's failed-keys store is to be optimized once (failed-keys.ts says why), before its first batch.
  warmFailedStore();
  const claim = worker.claim(job);
  const flags = worker.flags;
  const outcome: WorkerOutcome = { through: job.from, clock: null, readAhead: claim === 'ahead' };
  let settled = false;
  let finish: (error?: unknown) => void = () => {};
  const finished = new Promise<WorkerOutcome>((resolve, reject) => {
    finish = (error) => (error === undefined ? resolve(outcome) : reject(error));
  });
  // Settled before anyone awaits it (the worker failed while `meanwhile` ran): not an unhandled rejection.
  finished.catch(() => {});
  const stop = (): void => {
    // Kept for another job: halted at once, so nothing after the batch being folded (`onBatch` may abort) is taken.
    if (keep) return settle();
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 0);
  };
  const settle = (error?: unknown): void => {
    if (settled) return;
    settled = true;
    signal?.removeEventListener('abort', stop);
    if (keep && error === undefined) worker.halt();
    else worker.stop();
    finish(error);
  };
  signal?.addEventListener('abort', stop, { once: true });
  /** Batches of the read ahead that were taken while held (the first ones it sent). */
  let takenAlready = 0;
  const onMessage = (m: WorkerBatch | WorkerDone): void => {
    if (settled) return;
    if (m.type === 'done') {
      markStartup('parse worker done');
      outcome.columnBytes = m.columnBytes;
      return settle();
    }
    if (outcome.clock === null) markStartup('parse worker first batch');
    outcome.through = m.through;
    outcome.clock = m.clock;
    if (takenAlready > 0) takenAlready--;
    else {
      Atomics.add(flags, 0, 1);
      Atomics.notify(flags, 0);
    }
    if (signal?.aborted) return settle();
    try {
      onBatch(fromMessage(m.batch), m.overlong, m.read);
      // Folded: nothing of the batch's columns is kept (keys are copied out), so the worker may fill them again.
      // (Not once halted meanwhile: its counts start over for its next job.)
      if (!settled) Atomics.add(flags, 2, 1);
    } catch (err) {
      // As a handler's throw in the caller's own reading would: the read fails.
      settle(err);
    }
  };
  worker.onMessage = onMessage;
  worker.onExit = () => settle();
  if (claim === 'ahead') {
    // Read ahead from this very start with this very clock: what it sent meanwhile goes first, in order.
    markStartup('parse worker started');
    worker.keepAlive();
    const { held, taken } = worker.takeHeld();
    takenAlready = taken;
    // Its own handler: one that halts it on the way (`keep`) takes it off the worker.
    for (const m of held) onMessage(m);
    if (worker.exited) settle();
    return finished;
  }
  if (worker.exited) settle();
  let start: WorkerStart = { from: job.from, clock: job.clock };
  try {
    if (meanwhile && !settled) start = await meanwhile(() => worker.ready || settled);
  } catch (err) {
    settle();
    throw err;
  }
  outcome.through = start.from;
  outcome.clock = start.clock;
  // A worker whose read ahead is still stopping takes the job once it has (a few milliseconds).
  if (!settled && start.from < job.to) await worker.whenReady();
  if (settled || start.from >= job.to || signal?.aborted) {
    settle();
    return outcome;
  }
  markStartup('parse worker started');
  worker.post({ ...job, ...start });
  return finished;
}
