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
import { readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { LineSplitter } from '../follow/line-splitter.js';
import { type BatchMessage, toMessage } from './batch-transfer.js';
import { parseChunk } from './chunk.js';
import { compileGrammar } from './index.js';
import { LogClock, type LogClockState } from './log-clock.js';

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
  /** Int32 [0] batches the caller has taken (it adds and notifies), [1] non-zero: stop. */
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
}

const STOP = 1;
const FIRST_READ_BYTES = 64 << 10;
const TAKEN = 0;

function run(job: ParseJob): void {
  const port = parentPort!;
  const control = new Int32Array(job.control);
  const grammar = compileGrammar(undefined, job.clock.zone);
  const clock = LogClock.from(job.clock);
  let overlong: number[] = [];
  const splitter = new LineSplitter(job.maxLineBytes, (n) => overlong.push(n), true);
  // Not from Buffer's pool: the worker's reads own their memory.
  const buf = Buffer.allocUnsafeSlow(job.readBytes);
  let pos = job.from;
  let through = job.from;
  let sent = 0;
  // Small reads first: the caller waits for the first batch, and this thread's first parse is its slowest (cold code).
  let want = Math.min(FIRST_READ_BYTES, buf.length);
  while (pos < job.to && Atomics.load(control, STOP) === 0) {
    const n = readSync(job.fd, buf, 0, Math.min(want, job.to - pos), pos);
    want = Math.min(want * 2, buf.length);
    if (n === 0) break; // the file shrank: the caller's next look finds out
    const start = pos;
    pos += n;
    const lines = splitter.push(buf.subarray(0, n));
    if (lines === null) continue;
    through = start + buf.lastIndexOf(10, n - 1) + 1;
    const near = job.to - through <= job.tailZoneBytes;
    const { message, transfer } = toMessage(parseChunk(lines, grammar, near ? job.tailLimit : 0, clock, true));
    const out: WorkerBatch = { type: 'batch', batch: message, overlong, through, read: pos, clock: clock.state() };
    overlong = [];
    port.postMessage(out, transfer);
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
  const done: WorkerDone = { type: 'done', through };
  port.postMessage(done);
}

/** The worker says it is ready, then reads the job it is sent (its start known only then: see parseInWorker). */
if (parentPort && workerData) {
  const port = parentPort;
  port.once('message', (job: Omit<ParseJob, 'control' | 'ahead'>) => run({ ...(workerData as Pick<ParseJob, 'control' | 'ahead'>), ...job }));
  port.postMessage({ type: 'ready' } satisfies WorkerReady);
}
