import { read, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { LineSplitter } from '../follow/line-splitter.js';
import type { BulkAhead, BulkRange, FollowHandlers, UnsureStart } from '../log-follower.js';
import type { ParsedBatch } from '../log-line.js';
import { fixedZone, LogClock, parseChunk, zoneOffset, type Grammar } from '../parser/index.js';
import type { LogClockState } from '../parser/log-clock.js';
import { coreIsFree, ParseWorker, parseInWorker, type WorkerOutcome, type WorkerRead } from './parse-worker-client.js';
import { startsIn, UNSURE_STARTS } from './history-start.js';
import { TAIL_LIMIT } from '../state/app-state.js';
import { markStartup } from '../startup-timing.js';
import type { AppEvent } from '../state/events.js';
import { guessZone, newestLineAt, type ZoneGuess } from './log-zone-guess.js';

/** Only chunks this close to the end of the file can hold lines the log pane will show. */
const TAIL_ZONE_BYTES = 1 << 20;
/** The parse worker's read size: a batch of about 14,000 lines, few enough messages, little memory. */
const WORKER_READ_BYTES = 1 << 20;
/** This thread's read size while the worker starts (the follower's). */
const THREAD_READ_BYTES = 256 << 10;

/** A parse worker for long histories (app/parse-worker-client.ts parseWorkerChoice): its file, and from how many bytes. */
export interface ParseWorkerChoice {
  url: URL;
  minBytes: number;
  /** Only when a core is free as the history is read (parse-worker-client.ts coreIsFree). */
  freeCoreOnly?: boolean;
  /** The worker's read size (default 1 MiB; tests use small reads for many batch ends). */
  readBytes?: number;
  /**
   * Filled in as it goes: bytes read in this thread while the worker started, and bytes the worker read; reads
   * ahead begun (see ParseWorker.readAhead) and the bytes of those that were used; workers started early taken.
   */
  stats?: { inThread: number; fromWorker: number; readAhead?: number; fromAhead?: number; early?: number };
  /**
   * A worker started before the log was opened (`startEarly`): the first file's history of at least `minBytes`
   * takes it instead of starting its own, so its load overlaps the zone guess and the tail read too.
   */
  early?: EarlyWorker | null;
}

/**
 * A parse worker started as soon as a reader knows its log is long (a stat), before the reading itself begins: a
 * worker takes 50–130 ms to load, and the reader's first steps (the zone guess from the tail, the backwards scan
 * for the history's start) can run meanwhile. Taken once by the reader's first file; `drop` ends it if it was not.
 */
export class EarlyWorker {
  private started: Promise<ParseWorker | null> | null;

  constructor(started: Promise<ParseWorker | null>) {
    this.started = started;
  }

  /** The worker, once: later calls (and a dropped one) give null. */
  take(): Promise<ParseWorker | null> | null {
    const w = this.started;
    this.started = null;
    return w;
  }

  /** Ends it unless it was taken. */
  drop(): void {
    void this.take()?.then((w) => w?.stop());
  }
}

/**
 * Starts the parse worker for `file` now when its length says its history will be read in one (`worker.minBytes`,
 * and a free core when asked): null when it will not be, or the size cannot be had.
 */
export async function startEarly(file: string, worker: ParseWorkerChoice): Promise<EarlyWorker | null> {
  const size = await stat(file).then((st) => (st.isFile() ? st.size : 0), () => 0);
  if (size < worker.minBytes) return null;
  return new EarlyWorker(startWorker(worker));
}

/**
 * The follower's handlers for the log: parsed batches and follow states as events. While a long history
 * is read, chunks far from its end skip decoding lines for the log pane: only the last ones are shown.
 * With `now`, batches that arrive after the history carry their arrival time (liveness, run-view.ts).
 * Outcome lines come as keyed columns (parseChunk's `keyed`) unless `keyed` is false (tests compare both).
 * `guess`: the zone the log's clock was guessed to be in from the file before reading (log-zone-guess.ts),
 * null when judged and none, undefined when the file could not tell: then the first lines to arrive while
 * followed are judged by when they arrived (a run started after the dashboard, in another zone).
 * `worker`: a history of at least `minBytes` is read and parsed in that parse worker, this thread only
 * folding (built-in grammar and keyed columns only): the same events in the same order.
 * `paneless`: for a reader that shows no log pane (status, missing): once a line with a record prefix has
 * been read, batches decode no pane lines (their `tail` is empty; the same records, every outcome line on the
 * one-pass path, parser/hot-lines.ts). Until then a chunk without one is parsed again with its pane lines,
 * from the same clock: a log in another format is named by its newest line (state/foreign-log.ts), which only
 * a log with no dated line needs.
 * `from`: the clock the lines before this file's left (a rotated `bf.log.1` read first as the run's earlier part,
 * rotated-prelude.ts): the file goes on from it as the rest of one log would, so a clock change in the earlier file
 * moves this one's lines as it would in one file, and is said here (tester AE3's rotated residue).
 */
export function logHandlers(
  grammar: Grammar,
  dispatch: (e: AppEvent) => void,
  now?: () => number,
  keyed = true,
  guess?: ZoneGuess | null,
  worker?: ParseWorkerChoice | null,
  paneless = false,
  from?: LogClockState | null,
): FollowHandlers & { clockState(): LogClockState } {
  /** A line with a record prefix has been read from this file (paneless readers decode pane lines until then). */
  let dated = false;
  let bytesRead = 0;
  let size = 0;
  let historyDone = false;
  let judged = guess !== undefined || grammar.zone !== undefined;
  // The earlier file was read from the zone the run began in: the guess from this file's newest line, after a change
  // the earlier one holds, is said as that zone, as for the whole log read as one (log-zone-guess.ts anchored), so the
  // failed-keys files' times are read in it too.
  if (guess && from && from.zone !== undefined && from.zone !== guess.zone) guess = beganIn(guess, from.zone);
  let zone = guess ? guess.zone : grammar.zone;
  if (guess) dispatch({ type: 'log/zone-guess', guess });
  // One clock per file: the repeated hour of a DST change is resolved by the order of its lines.
  let clock = from ? LogClock.from(from) : new LogClock(zone);
  /** The `timezone` configured, or null (the system's zone, or a guess): said with a clock change read as one. */
  const timezone = guess ? null : (grammar.zone ?? null);
  /** When the clock change last said came (as read), so each is said once; NaN: none said for this file. */
  let saidStep = Number.NaN;
  /**
   * When the last two chunks came while followed (our clock; NaN before): a line of the next chunk was written at
   * most that long after the line before it, so the clock can tell an hour its writer's clock jumped from an hour
   * that passed (LogClock.followed), whatever the tz database says (tester AE2/AE3).
   */
  let cameAt = Number.NaN;
  let cameBefore = Number.NaN;
  /**
   * Says the newest DST change the clock took that its zone does not have (parser/log-clock.ts), once: when the
   * history is read, then as lines come.
   */
  const sayStep = () => {
    const step = clock.lastStep();
    if (step === null || step.at === saidStep) return;
    saidStep = step.at;
    dispatch({ type: 'log/clock-step', step: { ...step, timezone } });
  };
  /** The worker started for the file just opened (prepareBulk), until readBulk takes it; null: none is to be. */
  let prepared: Promise<ParseWorker | null> | null = null;
  /** The parse worker's read of `range`, with this file's clock as it stands now. */
  const jobFor = (range: BulkAhead): WorkerRead => ({
    fd: range.fd,
    from: range.from,
    to: range.to,
    clock: clock.state(),
    readBytes: worker?.readBytes ?? WORKER_READ_BYTES,
    maxLineBytes: range.maxLineBytes,
    tailLimit: TAIL_LIMIT,
    tailZoneBytes: TAIL_ZONE_BYTES,
  });
  /** Each batch the worker sends, folded. */
  const foldBatch = (range: BulkRange) => (batch: ParsedBatch, overlong: number[], read: number) => {
    for (const bytes of overlong) dispatch({ type: 'log/overlong', bytes });
    dispatch({ type: 'log/batch', batch });
    range.progress(read);
  };
  /**
   * The worker's read ahead from the file's start folded while the history's start is not known (BulkRange.unsure:
   * no run start in the log's last megabytes), the run starts it meets counted: with no more than UNSURE_STARTS in
   * the whole file the history starts there (history-start.ts), and a one-run log is never looked through backwards.
   * Past them, the read stops and the start is looked for; a later start replaces what was folded (a `log/batch`
   * with `replace`, one event) and the worker reads from there. Lines cut for their length are said once it is known.
   */
  const betOnStart = async (parser: ParseWorker, range: BulkRange, unsure: UnsureStart, minBytes: number): Promise<number> => {
    const begun = clock.state();
    let starts = 0;
    let overlongBytes = 0;
    const doubt = new AbortController();
    const abort = () => doubt.abort();
    range.signal.addEventListener('abort', abort, { once: true });
    const read = await parseInWorker(
      parser,
      jobFor(range),
      (batch, overlong, bytesRead) => {
        for (const bytes of overlong) overlongBytes += bytes;
        dispatch({ type: 'log/batch', batch });
        range.progress(bytesRead);
        starts += startsIn(batch.lines);
        if (starts > UNSURE_STARTS) doubt.abort();
      },
      doubt.signal,
      undefined,
      true,
    ).finally(() => range.signal.removeEventListener('abort', abort));
    const took = (outcome: WorkerOutcome, at: number) => {
      if (outcome.clock) clock = LogClock.from(outcome.clock);
      if (worker?.stats) {
        worker.stats.fromWorker += Math.max(0, outcome.through - at);
        if (outcome.readAhead) worker.stats.fromAhead = (worker.stats.fromAhead ?? 0) + Math.max(0, outcome.through - at);
      }
      return outcome.through;
    };
    if (range.signal.aborted) {
      parser.stop();
      return took(read, range.from);
    }
    // Read to its end (the worker said done) with no more than UNSURE_STARTS run starts: it starts here.
    const whole = !doubt.signal.aborted && read.columnBytes !== undefined;
    if (whole) unsure.decide(range.from);
    const start = whole ? range.from : await unsure.settle().catch(() => range.from);
    markStartup('history start found');
    if (start === range.from) {
      if (overlongBytes > 0) dispatch({ type: 'log/overlong', bytes: overlongBytes });
      took(read, range.from);
      if (whole || read.through >= range.to) {
        parser.stop();
        return read.through;
      }
      // It stopped betting (or failed) part of the way: the rest from where it got, with its clock.
      const on = await parseInWorker(parser, jobFor({ ...range, from: read.through }), foldBatch(range), range.signal);
      return took(on, read.through);
    }
    // A later start: what was folded goes, in one event, and the read begins there with the clock it began with.
    dispatch({ type: 'log/batch', batch: { lines: [], lineCount: 0, lastAt: null, tail: [] }, replace: true });
    clock = LogClock.from(begun);
    if (range.to - start < minBytes) {
      parser.stop();
      return start;
    }
    const later = await parseInWorker(parser, jobFor({ ...range, from: start }), foldBatch(range), range.signal);
    return Math.max(start, took(later, start));
  };
  /**
   * The bet of betOnStart without a worker, for a history shorter than the worker's (worker.minBytes): this thread reads
   * from the file's start as the follower would (onChunk), counting run starts, where the follower would first have the
   * start looked for back through the whole file (at 20 MB ~20 MB of copies and searches before the first line is read).
   * Read to the end with no more than UNSURE_STARTS run starts in its whole lines, the history starts here (an unfinished
   * last line is the follower's, read again from its start). Past them, the start is looked for: here, the read goes
   * on; later, what was folded is replaced and the follower reads from there with the clock the read began with.
   */
  const betInThread = async (range: BulkRange, unsure: UnsureStart): Promise<number> => {
    const begun = clock.state();
    const datedBefore = dated;
    let starts = 0;
    let overlongBytes = 0;
    // Read as the follower reads (its read size, a line carried from one read to the next), so the chunks parsed are
    // the ones it would parse: with each read cut at its last line end instead, the parser met chunk ends its
    // optimized code had no feedback for (hotRun thrown away once a run at 20 MB).
    let at = range.from;
    /** After the last whole line handed on: where the follower reads on (an unfinished line it reads again). */
    let pos = range.from;
    const buf = Buffer.allocUnsafe(THREAD_READ_BYTES);
    const splitter = new LineSplitter(range.maxLineBytes, (bytes) => (overlongBytes += bytes), true);
    while (at < range.to && starts <= UNSURE_STARTS && !range.signal.aborted) {
      // On the thread pool, as the follower reads.
      const n = await new Promise<number>((resolve, reject) => read(range.fd, buf, 0, Math.min(buf.length, range.to - at), at, (err, bytes) => (err ? reject(err) : resolve(bytes))));
      if (n === 0) break;
      const end = buf.lastIndexOf(10, n - 1);
      const lines = splitter.push(buf.subarray(0, n));
      at += n;
      if (end >= 0) pos = at - n + end + 1;
      if (lines !== null) starts += startsIn(onChunk(lines).lines);
      range.progress(pos);
      await nextTurn();
    }
    if (range.signal.aborted) return pos;
    // Every whole line read and no more than UNSURE_STARTS run starts in them: it starts here. (A file that shrank meanwhile
    // ends the read early: the look decides.)
    if (starts <= UNSURE_STARTS && at >= range.to) unsure.decide(range.from);
    const start = await unsure.settle().catch(() => range.from);
    markStartup('history start found');
    if (start === range.from) {
      if (overlongBytes > 0) dispatch({ type: 'log/overlong', bytes: overlongBytes });
      return pos;
    }
    // A later start: what was folded goes, in one event, and the follower reads from there as it began.
    dispatch({ type: 'log/batch', batch: { lines: [], lineCount: 0, lastAt: null, tail: [] }, replace: true });
    clock = LogClock.from(begun);
    dated = datedBefore;
    return start;
  };
  /** Parses a chunk of lines and dispatches its batch (FollowHandlers.onChunk; betInThread reads with it too). */
  const onChunk = (chunk: Buffer): ParsedBatch => {
    if (!judged && historyDone && now) {
      const newest = newestLineAt(chunk);
      if (newest !== null) {
        judged = true;
        const g = guessZone(newest, now(), 'arrival');
        if (g) {
          zone = g.zone;
          clock = new LogClock(zone);
          dispatch({ type: 'log/zone-guess', guess: g });
        }
      }
    }
    if (historyDone && now) {
      const t = now();
      clock.followed(t - cameBefore);
      cameBefore = cameAt;
      cameAt = t;
    }
    const farFromEnd = size - bytesRead - chunk.length > TAIL_ZONE_BYTES;
    const tailLimit = farFromEnd ? 0 : TAIL_LIMIT;
    let batch: ParsedBatch;
    if (paneless && tailLimit > 0) {
      const before = dated ? null : clock.state();
      batch = parseChunk(chunk, grammar, 0, clock, keyed);
      if (batch.lastAt !== null) dated = true;
      else if (before) {
        const within = clock.followedWithin();
        clock = LogClock.from(before);
        clock.followed(within);
        batch = parseChunk(chunk, grammar, tailLimit, clock, keyed);
      }
    } else batch = parseChunk(chunk, grammar, tailLimit, clock, keyed);
    // Lines appended while we follow prove a live writer whatever their timestamps say.
    dispatch({ type: 'log/batch', batch, ...(historyDone && now ? { arrivedAt: now() } : {}) });
    if (historyDone) sayStep();
    return batch;
  };
  return {
    clockState: () => clock.state(),
    onChunk: (chunk) => {
      onChunk(chunk);
    },
    onReset: (reason) => {
      // The new file's size is not known until its first progress report: until then nothing is far from its
      // end (keeping the old file's size would skip decoding the new file's first lines for the pane).
      bytesRead = 0;
      size = 0;
      dated = false;
      cameAt = Number.NaN;
      cameBefore = Number.NaN;
      // A new file may come from another writer: its first lines judge its clock again.
      if (grammar.zone === undefined) {
        judged = false;
        zone = undefined;
        dispatch({ type: 'log/zone-guess', guess: null });
      }
      clock = new LogClock(zone);
      if (!Number.isNaN(saidStep)) {
        saidStep = Number.NaN;
        dispatch({ type: 'log/clock-step', step: null });
      }
      dispatch({ type: 'log/reset', reason });
    },
    onWaiting: () => dispatch({ type: 'log/waiting' }),
    onMoved: (moved) => dispatch({ type: 'log/moved', moved }),
    onProgress: (p) => {
      bytesRead = p.bytesRead;
      size = p.size;
      historyDone ||= p.historyDone;
      dispatch({ type: 'log/progress', ...p });
      // A history's newest change is said once it is read, however it was read (in this thread, or in the parse
      // worker, which hands back only its clock at the end): the same events either way.
      if (p.historyDone) sayStep();
    },
    onOverlong: (bytes) => dispatch({ type: 'log/overlong', bytes }),
    onLost: (bytes, compressed) => dispatch({ type: 'log/lost', bytes, ...(compressed ? { compressed } : {}) }),
    ...(worker && keyed && grammar.custom.length === 0 && {
      prepareBulk: (bytes, ahead) => {
        void prepared?.then((w) => w?.stop());
        prepared = null;
        if (bytes < worker.minBytes) {
          worker.early?.drop();
          return () => {};
        }
        // Started now, it loads while the follower looks for where the history starts, and then reads ahead the
        // history a one-run log has (from the file's start: see ParseWorker.readAhead) with the clock a read from
        // there gets. It is used only if the follower offers exactly that.
        const job = jobFor(ahead);
        const early = worker.early?.take() ?? null;
        if (early && worker.stats) worker.stats.early = (worker.stats.early ?? 0) + 1;
        const started = (early ?? startWorker(worker)).then((w) => {
          const stats = worker.stats;
          w?.readAhead(job, () => {
            if (stats) stats.readAhead = (stats.readAhead ?? 0) + 1;
          });
          return w;
        });
        prepared = started;
        return () => {
          if (prepared !== started) return;
          prepared = null;
          void started.then((w) => w?.stop());
        };
      },
      readBulk: async (bulk) => {
        let range = bulk;
        const ready = prepared;
        prepared = null;
        // Too short for the worker: an unsure start is bet on in this thread, else the follower reads it all.
        if (range.to - range.from < worker.minBytes) {
          void ready?.then((w) => w?.stop());
          return range.unsure && !range.signal.aborted ? betInThread(range, range.unsure) : range.from;
        }
        const parser = await (ready ?? startWorker(worker));
        if (parser === null) return range.from;
        if (range.unsure && !range.signal.aborted) {
          if (parser.readsAhead(jobFor(range))) return betOnStart(parser, range, range.unsure, worker.minBytes);
          // Not read ahead from there: the start is looked for to the end first, as for any log.
          const start = await range.unsure.settle().catch(() => range.from);
          if (start > range.from) {
            if (range.to - start < worker.minBytes) {
              parser.stop();
              return start;
            }
            range = { ...range, from: start };
          }
        }
        markStartup('history start found');
        const readBytes = worker.readBytes ?? WORKER_READ_BYTES;
        let handedOver = range.from;
        const job = jobFor(range);
        const done = await parseInWorker(
          parser,
          job,
          foldBatch(range),
          range.signal,
          // While the worker starts, this thread reads on itself rather than wait (never into the last stretch).
          async (started) => {
            let pos = range.from;
            const step = Math.min(readBytes, THREAD_READ_BYTES);
            const buf = Buffer.allocUnsafe(step);
            const splitter = new LineSplitter(range.maxLineBytes, (bytes) => dispatch({ type: 'log/overlong', bytes }), true);
            while (!started() && range.to - pos > 2 * readBytes + TAIL_ZONE_BYTES && !range.signal.aborted) {
              const n = readSync(range.fd, buf, 0, step, pos);
              const lines = n > 0 ? splitter.push(buf.subarray(0, n)) : null;
              // The next read starts after this one's last whole line: the rest is read again, not kept.
              splitter.reset();
              // No whole line in a read (a line longer than it): the worker takes it from here.
              if (lines === null) break;
              dispatch({ type: 'log/batch', batch: parseChunk(lines, grammar, 0, clock, true) });
              pos += buf.lastIndexOf(10, n - 1) + 1;
              range.progress(pos);
              await nextTurn();
            }
            handedOver = pos;
            return { from: pos, clock: clock.state() };
          },
        );
        // Our own reading goes on where the worker's stopped, with its clock (the repeated hour, a set-back clock).
        if (done.clock) clock = LogClock.from(done.clock);
        if (worker.stats) {
          worker.stats.inThread += handedOver - range.from;
          worker.stats.fromWorker += Math.max(0, done.through - handedOver);
          if (done.readAhead) worker.stats.fromAhead = (worker.stats.fromAhead ?? 0) + Math.max(0, done.through - range.from);
        }
        return done.through;
      },
    }),
  };
}

/** `guess` said in the fixed zone `zone` instead (a whole number of hours apart: the changes an earlier file took). */
function beganIn(guess: ZoneGuess, zone: string): ZoneGuess {
  const moved = zoneOffset(guess.zone, 0) - zoneOffset(zone, 0);
  return { ...guess, zone: fixedZone(zoneOffset(zone, 0)), behindMs: guess.behindMs + moved * 60_000 };
}

/** A parse worker for a long history, or null when it is only for a free core and none is. */
async function startWorker(worker: ParseWorkerChoice): Promise<ParseWorker | null> {
  // One the launcher started for this command (app/parse-worker-launch.ts) has been loading since: it comes first.
  const launched = ParseWorker.launched();
  if (launched !== null) return launched;
  if (worker.freeCoreOnly && !(await coreIsFree())) return null;
  // One that cannot be started leaves the reading to this thread.
  return ParseWorker.start(worker.url).catch(() => null);
}
