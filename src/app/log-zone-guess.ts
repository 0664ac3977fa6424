import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { LineSplitter } from '../follow/line-splitter.js';
import { MAX_LINE_BYTES } from '../log-follower.js';
import { fixedZone, LogClock, zoneOffset, type Grammar } from '../parser/index.js';
import { newestRecordAt } from '../parser/newest-line.js';
import { historyStartFor } from './history-start.js';
import type { ZoneGuess } from '../state/app-state.js';

export type { ZoneGuess };

/**
 * Python writes local time without a zone. With no `timezone` configured the log is read in this machine's
 * zone; a script in a container, on a laptop or on another host often writes another one, and its lines then
 * read hours old while it writes (tester U17: `stalled (external)` and elapsed 5:00:20 for a run 20 s old).
 * A line is written the moment it is timed, so the time it reached the file (the file's modification time
 * for its newest line, or when the dashboard saw it arrive) is that line's instant: the difference, in whole
 * quarter hours as zones are, is how far the log's clock is from this machine's. That is a guess (a file
 * copied or touched later has a later modification time), so it is said wherever the run is shown.
 */

const MINUTE = 60_000;
const QUARTER = 15 * MINUTE;
/** A smaller difference is the write's own delay (buffered output), not a zone. */
const MIN_GUESS_MS = 30 * MINUTE;
/** Once the whole quarter hours are taken off, a line reaches the file within this of its own time. */
const LAG_MS = 2 * MINUTE;
/**
 * The offsets from UTC, in minutes, that zones of the IANA tz database use (standard or summer time): whole hours
 * from UTC-12 to UTC+14 and the few half and three-quarter hours below. A quarter-hour difference that is none of
 * these (UTC-00:30: a file modified half an hour after its newest line) is no zone (tester Y5).
 */
const REAL_OFFSETS: ReadonlySet<number> = new Set([
  ...Array.from({ length: 27 }, (_, i) => (i - 12) * 60),
  -9.5 * 60, -3.5 * 60, -2.5 * 60, 3.5 * 60, 4.5 * 60, 5.5 * 60, 5.75 * 60, 6.5 * 60, 8.75 * 60, 9.5 * 60, 10.5 * 60,
  12.75 * 60, 13.75 * 60,
]);
/** Bytes read from the end of the file to find its newest timed line. */
const TAIL_BYTES = 64 * 1024;
/**
 * A file modified longer ago than this is not being written: its modification time may be when it was copied,
 * downloaded or unpacked, which says nothing of its clock (tester V19: a log copied 2 h after its last line was
 * read as UTC-02:00). Only a log still being written is guessed from its file.
 */
const WRITING_MS = 10 * MINUTE;

/**
 * The zone a log's clock is in, from its newest line's time read in this machine's zone (`newestAt`) and
 * when that line was written (`writtenAt`, this machine's clock); null when they agree within the write's
 * delay or differ by no zone's offset.
 */
export function guessZone(newestAt: number, writtenAt: number, from: ZoneGuess['from']): ZoneGuess | null {
  const d = writtenAt - newestAt;
  const behindMs = Math.round(d / QUARTER) * QUARTER;
  if (Math.abs(behindMs) < MIN_GUESS_MS || Math.abs(d - behindMs) > LAG_MS) return null;
  // Read in this machine's zone a line's instant is off by the two zones' difference: the log's offset is
  // this machine's less that.
  const offset = zoneOffset(undefined, newestAt) - behindMs / MINUTE;
  if (!REAL_OFFSETS.has(offset)) return null;
  return { zone: fixedZone(offset), behindMs, from };
}

/**
 * The newest line time in `bytes` (complete lines), read in this machine's zone, or null when none has one:
 * parseChunk's `lastAt` for them, from the record prefixes alone (parser/newest-line.ts); the same for any
 * grammar (a config grammar times no line that has no record prefix).
 */
export function newestLineAt(bytes: Buffer): number | null {
  return newestRecordAt(bytes);
}

/**
 * Whether the last line of `bytes` with anything but blanks, NULs (a copytruncate's hole) and line ends in it is a
 * record: the file's modification time is when its last line was written, so it times the newest record only then.
 */
function endsWithRecord(bytes: Buffer): boolean {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] <= 32) end--;
  if (end === 0) return false;
  return newestLineAt(bytes.subarray(bytes.lastIndexOf(10, end - 1) + 1, end)) !== null;
}

/** A regular file's size, modification time and its last TAIL_BYTES as whole lines; null: no such file, empty, not readable. */
async function readTail(file: string): Promise<{ size: number; mtimeMs: number; bytes: Buffer } | null> {
  let handle;
  try {
    // A FIFO at the log path must not block here (the follower says what it is): never opened but a regular file.
    if (!(await stat(file)).isFile()) return null;
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null; // not there yet, or not readable: the follower says which
  }
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.size === 0) return null;
    const from = Math.max(0, st.size - TAIL_BYTES);
    const buf = Buffer.alloc(st.size - from);
    const { bytesRead } = await handle.read(buf, 0, buf.length, from);
    let bytes = buf.subarray(0, bytesRead);
    // Whole lines only: a cut first line would read as something else.
    if (from > 0) bytes = bytes.subarray(bytes.indexOf(10) + 1);
    return { size: st.size, mtimeMs: st.mtimeMs, bytes };
  } finally {
    await handle.close();
  }
}

/**
 * When the log's newest record was written, this machine's clock (epoch ms): the file's modification time, which is
 * when its LAST line was written, so only when that line is a record. Undated lines after it (a traceback, argparse's
 * usage of a re-run that died, `nohup:`, a shell's `Terminated`) were written later, any time later (tester Y5: an
 * hour-old run read as UTC-01:00). Null when no file, or its last line has no record prefix.
 */
export async function newestRecordWrittenAt(file: string, seen?: TailSeen | null): Promise<number | null> {
  return (await logWritten(file, seen))?.at ?? null;
}

/**
 * The log file as it is now: its modification time (`modifiedAt`, whatever its last line), and `at`, the same time
 * when its last line is a record (newestRecordWrittenAt), else null; null when no regular file with content.
 */
export async function logWritten(file: string, seen?: TailSeen | null): Promise<{ at: number | null; modifiedAt: number } | null> {
  // The file as it was when its tail was read (same size, same modification time): the same answer, without reading
  // its tail again (a one-shot read asks before and after reading the log: see guessAndTail).
  if (seen) {
    const st = await stat(file).catch(() => null);
    if (st?.isFile() && st.size === seen.size && st.mtimeMs === seen.mtimeMs) return { at: seen.endsWithRecord ? seen.mtimeMs : null, modifiedAt: seen.mtimeMs };
  }
  const tail = await readTail(file);
  return tail && { at: endsWithRecord(tail.bytes) ? tail.mtimeMs : null, modifiedAt: tail.mtimeMs };
}

/** What one read of a log's tail found: the file's size and modification time then, and whether its last line was a record. */
export interface TailSeen {
  size: number;
  mtimeMs: number;
  endsWithRecord: boolean;
}

/**
 * The guess from a log file as it is now: undefined when it cannot say yet (no file, no timed line: the first
 * lines to arrive decide), null when the file's time agrees with its newest line, a zone is configured, or the
 * file's time is not its newest record's (newestRecordWrittenAt).
 */
export async function guessFromFile(file: string, grammar: Grammar, now: () => number = Date.now): Promise<ZoneGuess | null | undefined> {
  if (grammar.zone !== undefined) return null;
  return (await guessFromTail(file, grammar, await readTail(file), now)).guess;
}

/**
 * {@link guessFromFile}, and what its one read of the tail saw (null: no regular file with content there) for
 * {@link newestRecordWrittenAt} after the log is read: a one-shot read (read-log-once.ts) then reads the tail once,
 * whether a zone is configured or not, and the file's size with it.
 */
export async function guessAndTail(file: string, grammar: Grammar, now: () => number = Date.now, openFile?: OpenForRead): Promise<{ guess: ZoneGuess | null | undefined; seen: TailSeen | null }> {
  const tail = await readTail(file);
  if (grammar.zone !== undefined) return { guess: null, seen: tail && seenOf(tail) };
  return guessFromTail(file, grammar, tail, now, openFile);
}

function seenOf(tail: { size: number; mtimeMs: number; bytes: Buffer }): TailSeen {
  return { size: tail.size, mtimeMs: tail.mtimeMs, endsWithRecord: endsWithRecord(tail.bytes) };
}

async function guessFromTail(file: string, grammar: Grammar, tail: { size: number; mtimeMs: number; bytes: Buffer } | null, now: () => number, openFile?: OpenForRead): Promise<{ guess: ZoneGuess | null | undefined; seen: TailSeen | null }> {
  if (!tail) return { guess: undefined, seen: null };
  const seen = seenOf(tail);
  const newest = newestLineAt(tail.bytes);
  if (newest === null) return { guess: now() - tail.mtimeMs > WRITING_MS ? null : undefined, seen };
  // Not written for a while: its modification time may be a copy's, later than its lines, which says nothing of their
  // clock (tester V19). But a newest line later than the file's last write (read in this machine's zone) was not written
  // in it: a zone ahead, and the file's time is that line's or later (a copy's), so read so it is never after it
  // (tester AG9: a finished run from a host in Asia/Kolkata read 5:30 h in the future once its file was 10 min old).
  if (now() - tail.mtimeMs > WRITING_MS && !(newest > tail.mtimeMs + LAG_MS)) return { guess: null, seen };
  const guess = seen.endsWithRecord ? guessZone(newest, tail.mtimeMs, 'file') : null;
  return { guess: guess && (await anchored(file, grammar, guess, tail.mtimeMs, openFile)), seen };
}

/** Bytes a read of the history ahead of the log read takes at a time (anchored). */
const ANCHOR_READ_BYTES = 1 << 20;

/**
 * The guess, anchored on the newest line over the whole history. It rests on that line's time as read from the
 * tail, but the log is read from where its history starts, in the guessed zone, by a clock that takes the skipped
 * and repeated hours of a DST night its zone does not have (parser/log-clock.ts). One met before the tail would move
 * every later line by an hour, the newest too: a live run read an hour idle (`stalled`) or an hour in the future,
 * and its start an hour off (a spring-forward run written in New York, read on a UTC machine: `3:22:30` for a
 * `2:22:30` run, its newest line guessed UTC-04:00, its start read an hour early). So the history is read ahead
 * here (record prefixes only, about a fifth of what reading it costs; only for a log being written in another zone)
 * through the same clock the read will have, and the guess moved by what the clock's changes left over: the zone the
 * log's first lines were written in (UTC-05:00), so its start is read as written and its newest line, after the
 * skipped hour, read as written when the file says. The clock in a fixed offset takes the same changes at the same
 * lines whatever the offset (it judges differences of wall times), so the read takes exactly these.
 */
async function anchored(file: string, grammar: Grammar, guess: ZoneGuess, writtenAt: number, openFile: OpenForRead = openForRead): Promise<ZoneGuess | null> {
  const read = await readAhead(file, grammar, guess.zone, openFile);
  if (read === null) return guess;
  // An error part of the way (a disk's EIO, a network file system gone): the guess rests on what was read, said so;
  // `status` never fails for it (h66's leftover: it failed the command), and the log's own read says its own errors.
  const { newest, shift, pos, size, failed } = read;
  const cut = failed === null ? {} : { readAhead: { bytesRead: pos, size, error: failed } };
  if (newest === -Infinity) return { ...guess, ...cut };
  // Whole hours a skip or set back moved the newest line, as the quarter hours the guess is made of; cut short, the
  // newest line read is not the one the guess was made of: the changes taken in the part read (the clock's shift).
  const moved = failed === null ? Math.round((writtenAt - newest) / QUARTER) * QUARTER : -shift;
  if (moved === 0) return { ...guess, ...cut };
  const behindMs = guess.behindMs + moved;
  if (Math.abs(behindMs) < MIN_GUESS_MS) return null;
  return { ...guess, zone: fixedZone(zoneOffset(guess.zone, 0) - moved / MINUTE), behindMs, ...cut };
}

/**
 * The zone an earlier part of the log (a rotated `bf.log.1` read before the file at the path, rotated-prelude.ts) is to
 * be read in so that it ends in `zone`, the zone the part after it is read in: the same unless the file holds a clock
 * change `zone` does not have (a skip, a set back: parser/log-clock.ts), which its read takes; it then began an hour off
 * that (h66's leftover: a skip inside bf.log.1 read in the zone guessed from bf.log, written after the skip, read the
 * run's start an hour early). Undefined stays undefined (this machine's zone) when nothing moved; an error part of the
 * way: the changes in the part read.
 */
export async function zoneBefore(file: string, grammar: Grammar, zone: string | undefined): Promise<string | undefined> {
  const read = await readAhead(file, grammar, zone, openForRead);
  if (read === null || read.shift === 0 || read.newest === -Infinity) return zone;
  return fixedZone(zoneOffset(zone, read.newest) + read.shift / MINUTE);
}

/**
 * The history of `file` read ahead from where its read will start (history-start.ts), record prefixes only, through a
 * clock in `zone`, as the read will have it: its newest line as read, the clock's shift at the end (the changes it took),
 * how far it got of how much, and the error that stopped it, if one did. Null when the file cannot be opened or is
 * not a regular file.
 */
async function readAhead(file: string, grammar: Grammar, zone: string | undefined, openFile: OpenForRead): Promise<{ newest: number; shift: number; pos: number; size: number; failed: string | null } | null> {
  let handle: ReadHandle;
  try {
    handle = await openFile(file);
  } catch {
    return null;
  }
  let size = 0;
  let pos = 0;
  let newest = -Infinity;
  const clock = new LogClock(zone);
  let failed: string | null = null;
  try {
    const st = await handle.stat();
    if (!st.isFile()) return null;
    size = st.size;
    // Where the read will start (the follower asks the same of the same bytes).
    const pick = historyStartFor({ ...grammar, zone });
    pos = pick ? await pick({ handle: handle as FileHandle, size, maxLineBytes: MAX_LINE_BYTES }).catch(() => 0) : 0;
    const splitter = new LineSplitter(MAX_LINE_BYTES, undefined, true);
    const buf = Buffer.allocUnsafe(Math.min(ANCHOR_READ_BYTES, Math.max(1, size - pos)));
    while (pos < size) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - pos), pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const lines = splitter.push(buf.subarray(0, bytesRead));
      const at = lines && newestRecordAt(lines, clock);
      if (at != null && at > newest) newest = at;
    }
  } catch (err) {
    failed = (err as NodeJS.ErrnoException).code ?? (err as Error).message ?? String(err);
  } finally {
    await handle.close().catch(() => undefined);
  }
  return { newest, shift: clock.state().shift, pos, size, failed };
}

/** What the read-ahead needs of an open file (FileHandle's; a test gives one whose reads fail part of the way). */
export type ReadHandle = Pick<FileHandle, 'stat' | 'read' | 'close'>;
/** Opens the log for the read-ahead. */
export type OpenForRead = (file: string) => Promise<ReadHandle>;
const openForRead: OpenForRead = (file) => open(file, constants.O_RDONLY | constants.O_NONBLOCK);
