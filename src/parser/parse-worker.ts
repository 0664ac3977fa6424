/**
 * The parse worker (a worker thread; app/parse-worker-client.ts starts it): reads a stretch of a log's history
 * by itself and sends its parsed batches back, so the thread that started it only folds them. It reads the
 * bytes [from, to) of the fd it is given (fds belong to the process, not a thread), cuts them into lines as
 * the follower does (follow/line-splitter.ts, the same overlong-line and NUL rules) and parses them with the
 * built-in grammar's keyed columns and a clock that goes on from the caller's, so its batches fold to what
 * the caller's own reading would give. It stops at the last whole line before `to`, or when told to.
 *
 * workerData: the ParseJob's `control` and `ahead`. Messages out: WorkerReady once loaded; then, once sent the
 * rest of its ParseJob, a WorkerBatch per batch and one WorkerDone.
 */
import { read } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { LineSplitter } from '../follow/line-splitter.js';
import { type BatchMessage, toMessage } from './batch-transfer.js';
import { parseChunk } from './chunk.js';
import { compileGrammar } from './index.js';
import { columnsFolded, lendColumns, newColumnsJob, shareColumns, sharedColumnBytes } from './keyed-lines.js';
import { LogClock, type LogClockState } from './log-clock.js';
import { warmParser } from './warm-up.js';

/** The parser was warmed (warm-up.ts): once per worker. */
let warmed = false;

/** What the worker is asked to read. */
export interface ParseJob {
  fd: number;
  /** A line start: the caller has no unfinished line before it. */
  from: number;
  to: number;
  clock: LogClockState;
  /** Bytes per read (and so per batch, at most). */
  readBytes: number;
  maxLineBytes: number;
  /** Lines of the log pane kept from a batch that ends within `tailZoneBytes` of `to` (0 from the others). */
  tailLimit: number;
  tailZoneBytes: number;
  /**
   * Int32 [0] batches the caller has taken (it adds and notifies), [1] non-zero: stop, [2] batches the caller has
   * folded (their columns' memory is then used again: keyed-lines.ts lendColumns), [3] reads of the worker under way
   * in libuv's pool (readAt), which the caller's end must not wait on (process-end.ts: a hung mount).
   */
  control: SharedArrayBuffer;
  /** Batches sent and not yet taken before the worker waits (bounds the memory it can run ahead with). */
  ahead: number;
}

/** One batch: its lines end at byte `through` of the file; `read` bytes were read so far; `clock` after it. */
export interface WorkerBatch {
  type: 'batch';
  batch: BatchMessage;
  /** Bytes of lines cut for being too long (follow/line-splitter.ts), before this batch's lines. */
  overlong: number[];
  through: number;
  read: number;
  clock: LogClockState;
}

export interface WorkerReady {
  type: 'ready';
}

export interface WorkerDone {
  type: 'done';
  through: number;
  /** Bytes of shared memory this worker has made for columns so far (keyed-lines.ts: the rest was used again). */
  columnBytes: number;
}

const STOP = 1;
const FIRST_READ_BYTES = 64 << 10;
const TAKEN = 0;
const FOLDED = 2;
const READING = 3;

async function run(job: ParseJob): Promise<void> {
  const port = parentPort!;
  const control = new Int32Array(job.control);
  newColumnsJob();
  const grammar = compileGrammar(undefined, job.clock.zone);
  const clock = LogClock.from(job.clock);
  let overlong: number[] = [];
  const splitter = new LineSplitter(job.maxLineBytes, (n) => overlong.push(n), true);
  // Two buffers, not from Buffer's pool (the worker's reads own their memory): the next read fills one, on the
  // thread pool, while this thread parses the other. The copy out of the page cache is then off this thread,
  // the slower of the two (the caller folds faster than this parses). Each read goes in after `room` bytes, where the
  // splitter puts the line the read before left unfinished: the read's lines are then parsed where they are.
  const room = splitter.headRoom;
  const bufs = [Buffer.allocUnsafeSlow(room + job.readBytes), Buffer.allocUnsafeSlow(room + job.readBytes)];
  let which = 0;
  let pos = job.from;
  let through = job.from;
  let sent = 0;
  // Small reads first: the caller waits for the first batch, and this thread's first parse is its slowest (cold code).
  let want = Math.min(FIRST_READ_BYTES, job.readBytes);
  let pending: Promise<number> | null = pos < job.to ? readAt(control, job.fd, bufs[which], room, Math.min(want, job.to - pos), pos) : null;
  // While the first read is on its way: every line shape once, so the first optimized parser has them all.
  if (!warmed) {
    warmed = true;
    warmParser(job.clock.zone);
  }
  try {
    while (pending !== null && Atomics.load(control, STOP) === 0) {
      const n = await pending;
      pending = null;
      if (n === 0) break; // the file shrank: the caller's next look finds out
      const buf = bufs[which];
      const start = pos;
      pos += n;
      want = Math.min(want * 2, job.readBytes);
      which ^= 1;
      if (pos < job.to) pending = readAt(control, job.fd, bufs[which], room, Math.min(want, job.to - pos), pos);
      const lines = splitter.pushInPlace(buf, room, room + n);
      if (lines === null) continue;
      through = start + buf.lastIndexOf(10, room + n - 1) + 1 - room;
      const near = job.to - through <= job.tailZoneBytes;
      // The columns of the batches folded since the last look are this batch's to fill.
      columnsFolded(Atomics.load(control, FOLDED));
      const batch = parseChunk(lines, grammar, near ? job.tailLimit : 0, clock, true);
      const out: WorkerBatch = { type: 'batch', batch: toMessage(batch), overlong, through, read: pos, clock: clock.state() };
      overlong = [];
      // No transfer list: the columns are shared (batch-transfer.ts says why).
      port.postMessage(out);
      if (batch.keyed) lendColumns(sent, batch.keyed);
      sent++;
      // Once `ahead` batches wait, read on only when half of them are taken: one wake-up per several batches
      // (on a busy machine each wake-up of a thread can cost a time slice).
      let taken = Atomics.load(control, TAKEN);
      if (sent - taken >= job.ahead) {
        for (; sent - taken > job.ahead >> 1 && Atomics.load(control, STOP) === 0; taken = Atomics.load(control, TAKEN)) {
          Atomics.wait(control, TAKEN, taken, 1000);
        }
      }
    }
  } finally {
    // No read of the caller's fd may outlive the job (the caller closes it once told done).
    await pending?.catch(() => 0);
  }
  const done: WorkerDone = { type: 'done', through, columnBytes: sharedColumnBytes() };
  port.postMessage(done);
}

/**
 * Reads up to `length` bytes at `position` into `buf` from `offset` on, on the thread pool. Counted in `control`'s
 * READING while under way: the caller's thread cannot see this thread's requests, and its end must not wait on one
 * a hung mount holds (h82's note: process-end's watchdog did not know of it, and the exit waited for good).
 */
function readAt(control: Int32Array, fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  Atomics.add(control, READING, 1);
  return new Promise((resolve, reject) =>
    read(fd, buf, offset, length, position, (err, n) => {
      Atomics.sub(control, READING, 1);
      return err ? reject(err) : resolve(n);
    }),
  );
}

/**
 * The worker says it is ready, then reads the jobs it is sent, one after the other: a read ahead (its start guessed:
 * see ParseWorker.readAhead) may be told to stop and be followed by the job needed, sent once it said done.
 */
if (parentPort && workerData) {
  // Before the warm-up, so that its batches are made as the real ones are.
  shareColumns();
  const port = parentPort;
  port.on('message', (job: Omit<ParseJob, 'control' | 'ahead'>) => {
    // A failure ends the worker as a throw would (the caller reads the rest itself).
    run({ ...(workerData as Pick<ParseJob, 'control' | 'ahead'>), ...job }).catch((err: unknown) => {
      process.nextTick(() => {
        throw err;
      });
    });
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReady);
}
