import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { formatBytes } from './format.js';
import { kindOf } from './follow/tracked-file.js';

/**
 * Reading a file the operator named (the expected keys, a failed-keys file, the config, a file kept in the state
 * directory), as the log is read (follow/tracked-file.ts): only a regular file is ever opened, and only so many
 * bytes are read. A FIFO with no writer blocks an open for good, in a thread of libuv's pool that nothing can
 * cancel and that Node waits for when the process exits (tester AH9: the dashboard could not be left, `status`
 * never exited); a device such as /dev/zero never ends (AH9: 620 MB read before `Invalid string length`).
 *
 * The kind is looked at with a stat before the open, and again through the open descriptor: the open itself is
 * non-blocking, so a FIFO put at the path between the two cannot hang it either.
 */

/** Expected keys: a date a row is 11 bytes, a game id with its date 22; the NBA's every game since 1946 is ~70,000
 * rows (1.5 MB). 64 MB is 3 million such rows (300,000 keys of the longest, 200 characters), far past any backfill's
 * list, and what a dashboard can hold as one string and its lines; a bigger file is a wrong path (a log, a dump). */
export const EXPECTED_MAX_BYTES = 64_000_000;
/** A failed-keys file: one entry a failed key, ~100 bytes and its error (300 characters of a long one); a run fails
 * at most the keys it launched. 64 MB is 200,000 such entries, more than the longest expected list's keys each
 * failing with a long error; parsed, it is held whole. */
export const FAILED_MAX_BYTES = 64_000_000;
/** A config: a few KB for a dozen jobs; 4 MB is no config anyone wrote. */
export const CONFIG_MAX_BYTES = 4_000_000;

/** Why a file the operator named was not read. `missing`: nothing at the path (ENOENT). */
export type UserFileProblem = 'missing' | 'not-a-file' | 'too-big' | 'unreadable';

/** A file the operator named that was not read; `message` names it (with `label`) and says why. */
export class UserFileError extends Error {
  constructor(
    message: string,
    readonly problem: UserFileProblem,
    /** The words after the file's name (`is a FIFO (named pipe), not a regular file: never opened`). */
    readonly reason: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** What a read is told: how to name the file in words (`expected keys file`), and its size bound. */
export interface UserFileRead {
  label: string;
  maxBytes: number;
  /** The bound's reason in a few words, said with a refusal (`room for 3 million keys`). */
  why?: string;
  /** Said after the reason for a refused file: where it was named (`"expected" of job a`). */
  where?: string;
  /**
   * A pipe is read too (readUserTextSync only: the config given as `--config <(jq …)` or `/dev/stdin`), to its end
   * within this many ms: opened non-blocking, so a FIFO that no one writes is said at once, never waited for.
   */
  pipeWaitMs?: number;
}

const whereWords = (r: UserFileRead) => (r.where ? ` (${r.where})` : '');

/** The refusal of a file whose stat is `st`, or null when it may be read. */
function refusal(path: string, st: Stats, r: UserFileRead): UserFileError | null {
  if (!st.isFile()) {
    const reason = `is ${kindOf(st)}, not a regular file: never opened`;
    return new UserFileError(`${r.label} ${path} ${reason}${whereWords(r)}`, 'not-a-file', reason);
  }
  if (st.size > r.maxBytes) return tooBig(path, st.size, r);
  return null;
}

/** `size`: the file's by its stat; null when it grew past the bound while read. */
function tooBig(path: string, size: number | null, r: UserFileRead): UserFileError {
  const is = size === null ? 'grew past' : `is ${formatBytes(size)}, over`;
  const why = r.why ? ` (${r.why}; a wrong path?)` : '';
  const reason = `${is} the ${formatBytes(r.maxBytes)} such a file may be${why}: not read`;
  return new UserFileError(`${r.label} ${path} ${reason}${whereWords(r)}`, 'too-big', reason);
}

/** An error of the file system as a UserFileError naming the file (ENOENT: `missing`). */
function failed(path: string, err: unknown, r: UserFileRead): UserFileError {
  if (err instanceof UserFileError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UserFileError(`${r.label} not found: ${path}`, 'missing', 'not found', code);
  return new UserFileError(`cannot read ${r.label} ${path}: ${(err as Error).message}`, 'unreadable', (err as Error).message, code);
}

/** The reads under way (`expected keys file /data/keys.csv`), for the words of an end that cannot wait for them. */
const inFlight = new Map<number, string>();
let nextRead = 0;

/** The files being read now, named as their reads name them (process-end.ts says them when it cannot wait). */
export function readsInFlight(): Iterable<string> {
  return new Set(inFlight.values());
}

/** How much is read at a time once past the size the stat gave (a file still being written). */
const CHUNK = 64 * 1024;

/**
 * The read of a regular file of `size` bytes by its stat, as steps, for readUserText (awaited reads) and
 * readUserTextSync (blocking ones) alike: each step is a buffer `buf` to fill from file offset `at`, and is given back how
 * many bytes were read into it. One read for the size the stat gave; more only while the file grows under us, up
 * to the bound (past it: too big). Returns the text, as UTF-8.
 */
function* readSteps(path: string, size: number, r: UserFileRead): Generator<{ buf: Buffer; at: number }, string, number> {
  const parts: Buffer[] = [];
  let total = 0;
  let want = size + 1;
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.min(want, r.maxBytes + 1 - total));
    const bytesRead = yield { buf, at: total };
    if (bytesRead === 0) break;
    parts.push(buf.subarray(0, bytesRead));
    total += bytesRead;
    if (total > r.maxBytes) throw tooBig(path, null, r);
    want = CHUNK;
  }
  return Buffer.concat(parts, total).toString('utf8');
}

/**
 * Reads the regular file at `path` as UTF-8, at most `maxBytes`: a FIFO, a device, a directory or a socket is
 * refused unopened, a file over the bound unread (a file that grows past it while read, too). Throws a
 * UserFileError. `stat`: the file's, through the descriptor the bytes were read from.
 */
export async function readUserText(path: string, r: UserFileRead): Promise<{ text: string; stat: Stats }> {
  const id = nextRead++;
  inFlight.set(id, `${r.label} ${path}`);
  try {
    const before = refusal(path, await stat(path), r);
    if (before) throw before;
    const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
      // A lease another process holds on the file (Samba's, an NFS server's) refuses a non-blocking open while it is
      // broken; a regular file's (only those have leases), so it is opened as it always was: once the holder lets go,
      // within the kernel's lease-break-time (45 s). Checked through its descriptor below all the same.
      if (err.code === 'EAGAIN') return open(path, constants.O_RDONLY);
      throw err;
    });
    try {
      const st = await fh.stat();
      const now = refusal(path, st, r);
      if (now) throw now;
      const steps = readSteps(path, st.size, r);
      for (let step = steps.next(); ; ) {
        if (step.done) return { text: step.value, stat: st };
        const { buf, at } = step.value;
        step = steps.next((await fh.read(buf, 0, buf.length, at)).bytesRead);
      }
    } finally {
      await fh.close().catch(() => {});
    }
  } catch (err) {
    throw failed(path, err, r);
  } finally {
    inFlight.delete(id);
  }
}

/** Opens `path` non-blocking, or blocking when a lease held on it refused that (see readUserText). */
function openWaitingForLease(path: string): number {
  try {
    return openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return openSync(path, constants.O_RDONLY);
    throw err;
  }
}

/** Blocks this thread for `ms` (the config is read before anything else runs: nothing else waits on it). */
const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Reads a pipe to its end (its writer closing it), at most `r.maxBytes`, within `waitMs`: non-blocking, so a FIFO with
 * no writer reads as empty at once (said), and a writer that goes quiet is said at the bound, never waited on for good.
 */
function readPipeSync(path: string, r: UserFileRead, waitMs: number): { text: string; stat: Stats } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    const parts: Buffer[] = [];
    let total = 0;
    const until = Date.now() + waitMs;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, r.maxBytes + 1 - total));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        if (Date.now() > until) throw new UserFileError(`${r.label} ${path} is a pipe not finished within ${waitMs / 1000} s: not read`, 'unreadable', `is a pipe not finished within ${waitMs / 1000} s: not read`);
        pause(10);
        continue;
      }
      if (n === 0) break;
      parts.push(buf.subarray(0, n));
      total += n;
      if (total > r.maxBytes) throw tooBig(path, null, r);
    }
    if (total === 0) throw new UserFileError(`${r.label} ${path} is a FIFO (named pipe) with nothing written to it: nothing read`, 'unreadable', 'is a FIFO (named pipe) with nothing written to it: nothing read');
    return { text: Buffer.concat(parts, total).toString('utf8'), stat: st };
  } finally {
    closeSync(fd);
  }
}

/** readUserText, synchronously (the config, read before anything else runs). */
export function readUserTextSync(path: string, r: UserFileRead): { text: string; stat: Stats } {
  try {
    const first = statSync(path);
    if (first.isFIFO() && r.pipeWaitMs !== undefined) return readPipeSync(path, r, r.pipeWaitMs);
    const before = refusal(path, first, r);
    if (before) throw before;
    const fd = openWaitingForLease(path);
    try {
      const st = fstatSync(fd);
      const now = refusal(path, st, r);
      if (now) throw now;
      const steps = readSteps(path, st.size, r);
      for (let step = steps.next(); ; ) {
        if (step.done) return { text: step.value, stat: st };
        const { buf, at } = step.value;
        step = steps.next(readSync(fd, buf, 0, buf.length, at));
      }
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw failed(path, err, r);
  }
}

/**
 * Appends `text` to the file at `path` (made when missing), only when it is a regular file: opened non-blocking, so
 * a FIFO there with no reader fails at once (ENXIO) instead of waiting for one, and anything but a regular file is
 * closed unwritten (a file of the state directory someone replaced: the dashboard writes only into what it made).
 */
export async function appendRegular(path: string, text: string): Promise<void> {
  const refuse = (st: Stats) => new Error(`${path} is ${kindOf(st)}, not a regular file: nothing written to it`);
  const fh = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o644).catch(async (err: NodeJS.ErrnoException) => {
    // ENXIO: a FIFO no one reads; said as what is there.
    const st = err.code === 'ENXIO' ? await stat(path).catch(() => null) : null;
    throw st && !st.isFile() ? refuse(st) : err;
  });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw refuse(st);
    await fh.write(text, null, 'utf8');
  } finally {
    await fh.close().catch(() => {});
  }
}

/**
 * Opens the file at `path` for appending (made when missing), synchronously, only when it is a regular file: as
 * appendRegular, a FIFO with no reader fails at once instead of blocking this thread for good, and anything but a
 * regular file is closed and refused (`… is a FIFO (named pipe), not a regular file`). Returns the descriptor.
 */
export function openAppendRegularSync(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o644);
  } catch (err) {
    let st: Stats | null = null;
    try {
      st = (err as NodeJS.ErrnoException).code === 'ENXIO' ? statSync(path) : null;
    } catch {
      // gone meanwhile: the open's own error
    }
    throw st && !st.isFile() ? new Error(`it is ${kindOf(st)}, not a regular file: nothing written to it`) : err;
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new Error(`it is ${kindOf(st)}, not a regular file: nothing written to it`);
  }
  return fd;
}
