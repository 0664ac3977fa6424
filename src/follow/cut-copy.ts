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
 * `from` bytes, and, where `tail` is given, holds those bytes just before `from`. Its lines from the one `from`
 * falls in to its end go to `onChunk` (whole lines, each chunk ending in '\n'; an unfinished last line is the
 * cut's own loss and is dropped). Resolves the copy's path and size, or null when none was found. Only reads.
 */
export async function readCutCopy(
  log: string,
  opts: { head: Buffer; tail: Buffer | null; from: number; maxLineBytes: number; signal: AbortSignal; onChunk: (lines: Buffer) => void },
): Promise<{ file: string; size: number } | null> {
  if (opts.head.length === 0) return null;
  for (const { file } of (await rotatedSiblings(log)).slice(0, MAX_LOOKED)) {
    const h = await open(file, 'r').catch(() => null);
    if (!h) continue;
    try {
      const size = (await h.stat()).size;
      if (size <= opts.from || !(await holds(h, opts.head, 0)) || (opts.tail && !(await holds(h, opts.tail, opts.from - opts.tail.length)))) continue;
      await readLines(h, await lineStart(h, opts.from, opts.maxLineBytes), size, opts);
      return { file, size };
    } finally {
      await h.close().catch(() => undefined);
    }
  }
  return null;
}

/** Bytes before a later copy's `from` that must be NULs for it to be the next cut's copy (and its first byte). */
const NUL_CHECK = 4096;

/**
 * The copies of later cuts, taken while nothing read the log (tester AD7: two copytruncates during a Ctrl-Z lost the
 * middle copy's lines). A `>` writer goes on at its offset after a cut, so the next copy is NULs up to where the copy
 * before it ended (`from`), then what the writer wrote until that next cut: read from `from` to its end, then the
 * copy after it, until the writer's offset now (`to`). `read`: copies already read. Only reads.
 */
export async function readLaterCopies(
  log: string,
  opts: { from: number; to: number; read: string[]; maxLineBytes: number; signal: AbortSignal; onChunk: (lines: Buffer) => void },
): Promise<void> {
  const read = new Set(opts.read);
  let from = opts.from;
  while (from < opts.to && !opts.signal.aborted) {
    let next: { file: string; size: number } | null = null;
    for (const { file } of (await rotatedSiblings(log)).slice(0, MAX_LOOKED)) {
      if (read.has(file)) continue;
      const h = await open(file, 'r').catch(() => null);
      if (!h) continue;
      try {
        const size = (await h.stat()).size;
        const check = Math.min(NUL_CHECK, from);
        if (size <= from || !(await holds(h, Buffer.alloc(1), 0)) || !(await holds(h, Buffer.alloc(check), from - check))) continue;
        await readLines(h, from, size, opts);
        next = { file, size };
        break;
      } finally {
        await h.close().catch(() => undefined);
      }
    }
    if (!next) return;
    read.add(next.file);
    from = next.size;
  }
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
