import { open, type FileHandle } from 'node:fs/promises';
import { LineSplitter } from './line-splitter.js';
import { rotatedSiblings } from './rotated-siblings.js';

/** At most this many rotated files beside the log are looked at for the copy of a cut. */
const MAX_LOOKED = 5;
const CHUNK = 256 * 1024;

/**
 * The lines a copytruncate left only in its copy: the log was copied (`bf.log.1`, `bf.log-20261201`), then cut
 * under its writer, and what the writer wrote between our last read and the cut is in the copy alone. The copy is
 * the newest rotated file beside `log` that begins with the bytes the log began with (`head`), holds more than
 * `from` bytes (or exactly `from`, given `tail`), and, where `tail` is given, holds those bytes just before `from`.
 * Its lines from the one `from` falls in to its end go to `onChunk` (whole lines, each chunk ending in '\n'; an
 * unfinished last line is the cut's own loss and is dropped). Resolves the copy's path and size, or null when none
 * was found. Only reads.
 */
export async function readCutCopy(
  log: string,
  opts: { head: Buffer; tail: Buffer | null; from: number; maxLineBytes: number; signal: AbortSignal; onChunk: (lines: Buffer) => void },
): Promise<{ file: string; size: number; mtimeMs: number } | null> {
  if (opts.head.length === 0) return null;
  for (const { file, mtimeMs } of (await rotatedSiblings(log)).slice(0, MAX_LOOKED)) {
    const h = await open(file, 'r').catch(() => null);
    if (!h) continue;
    try {
      const size = (await h.stat()).size;
      // One that ends where our read did is the copy too, with nothing we had not read (tester AI2: not found, a `>>`
      // writer's cut was said as lines in no file).
      if (size < opts.from || (size === opts.from && !opts.tail) || !(await holds(h, opts.head, 0)) || (opts.tail && !(await holds(h, opts.tail, opts.from - opts.tail.length)))) continue;
      await readLines(h, await lineStart(h, opts.from, opts.maxLineBytes), size, opts);
      return { file, size, mtimeMs };
    } finally {
      await h.close().catch(() => undefined);
    }
  }
  return null;
}

/**
 * The copies of later cuts, taken while nothing read the log (tester AD7: two copytruncates during a Ctrl-Z lost the
 * middle copy's lines). A `>` writer goes on at its offset after a cut, so a later copy is NULs up to where the log was
 * cut before it, then what the writer wrote until its own cut: read from there to its end, then the copy after it,
 * until the writer's offset now (`to`). `read`: copies already read; `since`: when the log was last written as we
 * had read it (a copy is newer). What no copy holds (one deleted by a rotation that
 * keeps one copy, `rotate 1`: tester AD14) is said to `onLost` in bytes, in its place among the lines. Only reads.
 */
export async function readLaterCopies(
  log: string,
  opts: { from: number; to: number; read: string[]; maxLineBytes: number; signal: AbortSignal; onChunk: (lines: Buffer) => void; onLost?: (bytes: number) => void; since?: number },
): Promise<void> {
  const read = new Set(opts.read);
  let from = opts.from;
  while (from < opts.to && !opts.signal.aborted) {
    // The next cut's copy: the one whose lines begin first at or after `from` (NULs before them).
    let next: { file: string; size: number; textAt: number } | null = null;
    for (const { file } of (await rotatedSiblings(log)).slice(0, MAX_LOOKED)) {
      if (read.has(file)) continue;
      const h = await open(file, 'r').catch(() => null);
      if (!h) continue;
      try {
        const st = await h.stat();
        const size = st.size;
        // Copied after the log's newest write we had read (`since`): an older rotation that also begins with NULs (an
        // earlier day's cut) is never taken for one of these (2 s for file systems with coarse times).
        if (size <= from || (opts.since !== undefined && opts.since >= 0 && st.mtimeMs < opts.since - 2000) || !(await holds(h, Buffer.alloc(1), 0))) continue;
        const textAt = await firstText(h, Math.min(size, opts.to));
        if (textAt < from || (next && textAt >= next.textAt)) continue;
        next = { file, size, textAt };
      } finally {
        await h.close().catch(() => undefined);
      }
    }
    if (opts.signal.aborted) return;
    if (!next) return opts.onLost?.(opts.to - from);
    if (next.textAt > from) opts.onLost?.(next.textAt - from);
    const h = await open(next.file, 'r').catch(() => null);
    if (!h) return opts.onLost?.(opts.to - next.textAt);
    try {
      await readLines(h, next.textAt, next.size, opts);
    } finally {
      await h.close().catch(() => undefined);
    }
    read.add(next.file);
    from = next.size;
  }
}

/**
 * The copies of later cuts under a writer that appends (`>>`, O_APPEND: tester AG10): after a cut it writes from byte
 * 0, so a later cut's copy begins with its text, not with NULs (readLaterCopies) nor with the log's first bytes (the
 * first cut's copy, readCutCopy). They are the rotated files beside the log copied after the newest write we had read
 * (`since`, strictly: nothing in them says they are this log's, so an older rotation written as late as the log's last
 * write we saw is not one; after `copy` too, the first cut's copy when found) that begin with neither: read whole,
 * oldest first. With
 * no copy of the first cut (one deleted or written over by the next rotation's, `rotate 1`; compressed), what the log
 * held after our last read up to that cut is in no file: said to `onLost` before them, its size not known (null), as
 * no NULs measure it. Only reads.
 */
export async function readAppendedCopies(
  log: string,
  opts: { copy: { file: string; mtimeMs: number } | null; head: Buffer; since: number; maxLineBytes: number; signal: AbortSignal; onChunk: (lines: Buffer) => void; onLost?: (bytes: number | null) => void },
): Promise<void> {
  // When the log was last written as we read it not known: an older rotation could not be told from a later copy.
  const after = opts.since >= 0 ? Math.max(opts.since, opts.copy?.mtimeMs ?? -Infinity) : null;
  const copies: { file: string; mtimeMs: number }[] = [];
  for (const s of after === null ? [] : (await rotatedSiblings(log)).slice(0, MAX_LOOKED)) {
    if (s.file === opts.copy?.file || s.mtimeMs <= after!) continue;
    const h = await open(s.file, 'r').catch(() => null);
    if (!h) continue;
    try {
      if ((opts.head.length > 0 && (await holds(h, opts.head, 0))) || (await holds(h, Buffer.alloc(1), 0))) continue;
      copies.push(s);
    } finally {
      await h.close().catch(() => undefined);
    }
  }
  if (opts.signal.aborted) return;
  if (!opts.copy) opts.onLost?.(null);
  for (const { file } of copies.sort((a, b) => a.mtimeMs - b.mtimeMs)) {
    const h = await open(file, 'r').catch(() => null);
    if (!h) continue;
    try {
      await readLines(h, 0, (await h.stat()).size, opts);
    } finally {
      await h.close().catch(() => undefined);
    }
    if (opts.signal.aborted) return;
  }
}

/** The offset of `h`'s first byte that is not NUL before `limit`, or -1 when there is none (or it cannot be read). */
async function firstText(h: FileHandle, limit: number): Promise<number> {
  const buf = Buffer.allocUnsafe(CHUNK);
  for (let at = 0; at < limit; ) {
    const { bytesRead } = await h.read(buf, 0, Math.min(CHUNK, limit - at), at).catch(() => ({ bytesRead: -1 }));
    if (bytesRead <= 0) return -1;
    for (let i = 0; i < bytesRead; i++) if (buf[i] !== 0) return at + i;
    at += bytesRead;
  }
  return -1;
}

/** Whether `h` holds `bytes` at `at`. */
async function holds(h: FileHandle, bytes: Buffer, at: number): Promise<boolean> {
  if (at < 0) return false;
  const got = Buffer.alloc(bytes.length);
  const { bytesRead } = await h.read(got, 0, got.length, at);
  return bytesRead === bytes.length && got.equals(bytes);
}

/** The start of the line `at` falls in: lines before it were read whole from the log; this one was not. */
async function lineStart(h: FileHandle, at: number, maxLineBytes: number): Promise<number> {
  if (at === 0) return 0;
  const n = Math.min(at, maxLineBytes);
  const buf = Buffer.alloc(n);
  const { bytesRead } = await h.read(buf, 0, n, at - n);
  const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
  return nl === -1 ? at : at - bytesRead + nl + 1;
}

/** `h`'s whole lines from `from` to `to` to `onChunk` (an unfinished last line dropped). */
export async function readLines(h: FileHandle, from: number, to: number, opts: { maxLineBytes: number; signal: AbortSignal; onChunk: (lines: Buffer) => void }): Promise<void> {
  const splitter = new LineSplitter(opts.maxLineBytes);
  const buf = Buffer.allocUnsafe(CHUNK);
  for (let at = from; at < to && !opts.signal.aborted; ) {
    const { bytesRead } = await h.read(buf, 0, Math.min(CHUNK, to - at), at);
    if (bytesRead <= 0) return;
    at += bytesRead;
    const lines = splitter.push(buf.subarray(0, bytesRead));
    if (lines && !opts.signal.aborted) opts.onChunk(lines);
  }
}
