import type { LogLine, ParsedBatch } from '../log-line.js';
import { KeyedLines, stringArray } from './keyed-lines.js';

/*
 * A parsed batch as it crosses from the parse worker (parse-worker.ts) to the thread that folds it. The keyed
 * columns are typed arrays on SharedArrayBuffers (keyed-lines.ts shareColumns), shared, not copied; each failure's
 * kind and error text go as indexes into the batch's distinct texts (a run's 400,000 failures say 'HTTP 500' and
 * 'timeout': cloning a string per failure would cost the receiving thread more than the rest of the batch). The other
 * records, a few in a hundred lines, are cloned as they are, and so are the small arrays made here.
 *
 * Nothing is transferred. A transfer detaches the buffer in the sending thread, and V8 then takes back, for good and
 * for the whole isolate, its promise that no ArrayBuffer is ever detached (the ArrayBufferDetaching protector):
 * from the first batch sent on, every typed array and DataView read of the worker's optimized code checks its buffer
 * first (two more instructions a read, ~30 reads a line in hot-run.ts), and code optimized before it (the warm-up's)
 * is thrown away. The columns were transferred until round 15: the worker then ran ~8 % more instructions at 80 MB.
 */

/** A ParsedBatch with its keyed columns made transferable (`toMessage`); `fromMessage` gives it back. */
export interface BatchMessage extends Omit<ParsedBatch, 'keyed'> {
  keyed?: KeyedMessage;
  progress?: ProgressMessage;
}

/**
 * The batch's Progress lines (one in fifty lines of a long run) as numbers: cloning a LogLine object costs the
 * receiving thread about a microsecond, remaking it a few tens of nanoseconds. `lines` then holds the others.
 */
interface ProgressMessage {
  /** Where each one stands among all the batch's `lines`, ascending. */
  index: Int32Array;
  /** Per line: at, done, total, succeeded, skipped, failed (NaN: null). */
  fields: Float64Array;
}

type ProgressLine = Extract<LogLine, { kind: 'progress' }>;
const PROGRESS_FIELDS = 6;

interface KeyedMessage {
  order: Uint8Array;
  size: number;
  count: number;
  at: Float64Array;
  h1: Int32Array;
  h2: Int32Array;
  keyEnd: Int32Array;
  keyBytes: Uint8Array;
  /** Per KEYED_FAILED record: index in `texts` of its failure kind, then of its error. */
  failureTexts: Uint32Array;
  texts: string[];
}

/**
 * The batch as a message, to post with no transfer list (see above): its keyed columns are shared when the batch was
 * parsed with shared columns (the parse worker's), and copied by the post otherwise.
 */
export function toMessage(batch: ParsedBatch): BatchMessage {
  const { keyed, ...rest } = withProgressApart(batch);
  if (!keyed) return rest;
  // Strings from the start: an empty `[]` holds small integers until its first push, and textIdsPart's optimized
  // push (textId inlined), made while the literal's allocation site still gave arrays of that kind, was thrown away
  // at the next batch's first text (deopt 'not a Smi', 4 of 5 runs at 80 MB).
  const texts = stringArray();
  const failureTexts = textIds(keyed.failures, keyed.errors, texts);
  // A batch's own key bytes (shared, a long read's) go as they are, those in use viewed (copying them was most of what
  // the worker still copied); key bytes in Buffer's pool (a small batch, unshared) as a copy of their own, not the pool.
  const used = keyed.count === 0 ? 0 : keyed.keyEnd[keyed.count - 1];
  const keyBytes = ownsBuffer(keyed.keyBytes) ? keyed.keyBytes.subarray(0, used) : Uint8Array.prototype.slice.call(keyed.keyBytes, 0, used);
  return {
    ...rest,
    keyed: { order: keyed.order, size: keyed.size, count: keyed.count, at: keyed.at, h1: keyed.h1, h2: keyed.h2, keyEnd: keyed.keyEnd, keyBytes, failureTexts, texts },
  };
}

/** The batch with its Progress lines taken out of `lines` into `progress` (the batch itself unchanged). */
function withProgressApart(batch: ParsedBatch): ParsedBatch & { progress?: ProgressMessage } {
  const all = batch.lines;
  let n = 0;
  for (const line of all) if (line.kind === 'progress') n++;
  if (n === 0) return batch;
  const index = new Int32Array(n);
  const fields = new Float64Array(n * PROGRESS_FIELDS);
  const lines: LogLine[] = [];
  let k = 0;
  for (let i = 0; i < all.length; i++) {
    const line = all[i];
    if (line.kind !== 'progress') {
      lines.push(line);
      continue;
    }
    index[k] = i;
    const f = k * PROGRESS_FIELDS;
    fields[f] = line.at;
    fields[f + 1] = line.done;
    fields[f + 2] = line.total;
    fields[f + 3] = line.succeeded ?? Number.NaN;
    fields[f + 4] = line.skipped ?? Number.NaN;
    fields[f + 5] = line.failed ?? Number.NaN;
    k++;
  }
  return { ...batch, lines, progress: { index, fields } };
}

/** `lines` with the Progress lines `withProgressApart` took out back in their places, made as the parser makes them. */
function withProgressBack(lines: LogLine[], progress: ProgressMessage): LogLine[] {
  const { index, fields } = progress;
  const all = new Array<LogLine>(lines.length + index.length);
  let other = 0;
  let k = 0;
  for (let i = 0; i < all.length; i++) {
    if (k < index.length && index[k] === i) {
      const f = k * PROGRESS_FIELDS;
      const line: ProgressLine = { kind: 'progress', at: fields[f], done: fields[f + 1], total: fields[f + 2], succeeded: orNull(fields[f + 3]), skipped: orNull(fields[f + 4]), failed: orNull(fields[f + 5]) };
      all[i] = line;
      k++;
    } else {
      all[i] = lines[other++];
    }
  }
  return all;
}

function orNull(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

/** The batch `toMessage` sent. */
export function fromMessage(m: BatchMessage): ParsedBatch {
  const { keyed, progress, ...rest } = m;
  if (progress) rest.lines = withProgressBack(rest.lines, progress);
  if (!keyed) return rest;
  const n = keyed.failureTexts.length >>> 1;
  const failures = new Array<string>(n);
  const errors = new Array<string>(n);
  textsOf(keyed.failureTexts, keyed.texts, failures, errors);
  const { failureTexts: _, texts: __, ...columns } = keyed;
  return { ...rest, keyed: KeyedLines.restore({ ...columns, failures, errors }) };
}

/*
 * The per-failure loops of toMessage and fromMessage are functions of their own: a loop of a few thousand turns made
 * the function around it hot, and V8 optimised the whole of toMessage and fromMessage (object rest and spread, the
 * progress columns, the message's shape), one of the dearest TurboFan jobs of a long read in each thread, for code
 * that runs once a batch. Now only these small loops are.
 */

/**
 * Failures read per call of textIdsPart and textsOfPart. A batch's loop over its ~2,500 failures in one call was long
 * enough for V8 to mark the function hot inside it: both were optimised twice in every long read, on-stack (OSR) in
 * the first long batch and again for the next call (`--trace-opt`, 80 MB one-run log, textIds in the worker and textsOf
 * in the main thread, 3 of 3 runs). A call of 256 turns spans less than one of V8's interrupt ticks (hot-run.ts
 * HOT_RUN_BYTES says the same of hotRun), so the tick that marks it ends no loop and the next call starts the one compile.
 */
const TEXTS_PER_CALL = 256;

/** Each failure's kind and error as indexes into `texts` (filled with the distinct ones), two per failure. */
function textIds(failures: readonly string[], errors: readonly string[], texts: string[]): Uint32Array {
  const ids = new Map<string, number>();
  const n = failures.length;
  const out = new Uint32Array(n * 2);
  for (let from = 0; from < n; from += TEXTS_PER_CALL) textIdsPart(failures, errors, texts, ids, out, from, Math.min(n, from + TEXTS_PER_CALL));
  return out;
}

/** textIds for the failures [from, to). */
function textIdsPart(failures: readonly string[], errors: readonly string[], texts: string[], ids: Map<string, number>, out: Uint32Array, from: number, to: number): void {
  // A run's failures repeat one or two kinds and errors: the text before is compared first (no Map lookup).
  let failure = '';
  let failureId = -1;
  let error = '';
  let errorId = -1;
  for (let i = from; i < to; i++) {
    const f = failures[i];
    if (failureId < 0 || f !== failure) {
      failure = f;
      failureId = textId(f, texts, ids);
    }
    const e = errors[i];
    if (errorId < 0 || e !== error) {
      error = e;
      errorId = textId(e, texts, ids);
    }
    out[2 * i] = failureId;
    out[2 * i + 1] = errorId;
  }
}

/** `textIds` undone: each failure's kind and error text into `failures` and `errors`. */
function textsOf(ids: Uint32Array, texts: readonly string[], failures: string[], errors: string[]): void {
  const n = failures.length;
  for (let from = 0; from < n; from += TEXTS_PER_CALL) textsOfPart(ids, texts, failures, errors, from, Math.min(n, from + TEXTS_PER_CALL));
}

/** textsOf for the failures [from, to). */
function textsOfPart(ids: Uint32Array, texts: readonly string[], failures: string[], errors: string[], from: number, to: number): void {
  for (let i = from; i < to; i++) {
    failures[i] = texts[ids[2 * i]];
    errors[i] = texts[ids[2 * i + 1]];
  }
}

function textId(text: string, texts: string[], ids: Map<string, number>): number {
  let id = ids.get(text);
  if (id === undefined) {
    id = texts.push(text) - 1;
    ids.set(text, id);
  }
  return id;
}

/** Whether the array is the whole of its buffer (so sending it takes nothing else with it). */
function ownsBuffer(a: ArrayBufferView): boolean {
  // A shared column's buffer is its own, however much of it the column uses (keyed-lines.ts reuses buffers).
  return a.buffer instanceof SharedArrayBuffer || (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength);
}
