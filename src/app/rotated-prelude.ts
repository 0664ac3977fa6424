import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LogLine } from '../log-line.js';
import { linesOf, LogClock, parseChunk, type Grammar } from '../parser/index.js';
import type { LogClockState } from '../parser/log-clock.js';
import { guessFromFile, zoneBefore, type ZoneGuess } from './log-zone-guess.js';
import { movesRun } from '../state/apply-lines.js';
import type { AppEvent } from '../state/events.js';
import type { FollowWriters } from '../follow/moved-log.js';
import { procWriters } from './proc-writers.js';
import { compressedBefore, rotations } from '../follow/rotated-siblings.js';

/**
 * A log rotated under a run (tester X13: Python's WatchedFileHandler reopening `bf.log` after `mv bf.log bf.log.1`,
 * logrotate before the dashboard opened): the file at the path begins in the middle of a run, whose beginning is in
 * the rotated files beside it (`bf.log.1`, `bf.log-20261130`, `bf.log.2` before it). A `status` or a dashboard opened
 * then counted only the part since the rotation (`117/200 · 0:29` for `170/200 · 0:43`, the night's failures missing
 * from f, r and missing --from failures). Those files are read first, oldest first, as the run's earlier part; they
 * are only read (never written, moved or deleted).
 */
export interface RotatedPrelude {
  /** Rotated files holding the run's earlier part, oldest first: read before the file at the path. */
  files: string[];
  /**
   * The compressed rotation the part before the oldest read (a file or the log) likely is in, when that part begins
   * mid-run (`bf.log.1.gz`): named, not read (rotated-siblings.ts compressedBefore).
   */
  compressed?: string;
}

/** How much of each file's start and end is parsed to judge it (a run's first and last records are there). */
const PEEK_BYTES = 64 * 1024;
/** At most this many rotated files are chained (logrotate's `rotate 7` keeps seven), of at most this many looked at. */
const MAX_CHAIN = 10;
const MAX_SIBLINGS = 20;

/**
 * The rotated files to read before `log` (see RotatedPrelude), or null when the file at the path begins with a run
 * or an earlier run's end, no rotated file is beside it, or it cannot be read. One readdir when nothing is rotated.
 */
export async function rotatedPrelude(log: string, grammar: Grammar, writers: FollowWriters | undefined = procWriters()): Promise<RotatedPrelude | null> {
  const { plain: siblings, compressed } = await rotations(log);
  if (siblings.length === 0 && compressed.length === 0) return null;
  // No file at the path (moved aside by hand, or by a logrotate without `create`, and its writer has finished) is
  // read as an empty one: the job's last run is in the newest rotated file (tester Z9: `waiting`, no run, for a
  // run that had just completed in bf.log.1).
  const here = (await stat(log).then(() => false, (err: NodeJS.ErrnoException) => err?.code === 'ENOENT')) ? NO_RECORD : await peek(log, grammar);
  // A file that holds no record (logrotate's `create`, then the writer died) or begins mid-run.
  // (A file that cannot be read is the follower's to say why.)
  if (!here || (!here.empty && !here.midRun)) return null;
  // Only compressed rotations beside it: the log's start is in one of them, not read, when it begins mid-run.
  if (siblings.length === 0) return here.midRun ? withCompressed({ files: [] }, log, log, compressed) : null;
  let before = here.empty ? Number.POSITIVE_INFINITY : (here.firstAt ?? Number.POSITIVE_INFINITY);
  // Ordered by their lines' own times, newest first (a copy's modification time says nothing of its order).
  const peeked: { file: string; p: Peek; lastAt: number }[] = [];
  for (const s of siblings.slice(0, MAX_SIBLINGS)) {
    const p = await peek(s.file, grammar);
    if (p && !p.empty && p.lastAt !== null) peeked.push({ file: s.file, p, lastAt: p.lastAt });
  }
  peeked.sort((a, b) => b.lastAt - a.lastAt);
  const files: string[] = [];
  for (const { file, p, lastAt } of peeked) {
    if (files.length >= MAX_CHAIN) break;
    // Lines later than the part it would go on into: not that part's earlier part.
    if (lastAt > before) continue;
    // The run the path goes on with is this file's last, unfinished one. With no record at the path, the newest
    // rotated file's last run is the job's last run, finished or not.
    if (p.lastComplete && !(here.empty && files.length === 0)) break;
    files.unshift(file);
    if (!p.midRun) break;
    before = p.firstAt ?? before;
  }
  // A rotated file a process still writes is the follower's: it reads the log there (tester W20), whole.
  for (const file of files) {
    const st = await stat(file).catch(() => null);
    if (st && writers && (await writers.holding({ dev: st.dev, ino: st.ino }).catch(() => [])).length > 0) return null;
  }
  // Rotated files that do not hold the run's beginning still hold its earlier part: read them (the state says the
  // run begins mid-way, from its first run's `beganMidway`); where the part before them likely is, when compressed.
  const oldest = files.length === 0 ? null : peeked.find((p) => p.file === files[0])!.p;
  if (oldest === null) return here.midRun ? withCompressed({ files: [] }, log, log, compressed) : null;
  return oldest.midRun ? withCompressed({ files }, log, files[0], compressed) : { files };
}

/** `pre` with the compressed rotation before `oldest`, when there is one. */
async function withCompressed(pre: RotatedPrelude, log: string, oldest: string, names: string[]): Promise<RotatedPrelude | null> {
  const compressed = await compressedBefore(log, oldest, names).catch(() => null);
  if (compressed !== null) return { ...pre, compressed };
  return pre.files.length === 0 ? null : pre;
}

/** What a path with no file, or with a file of no record, gives. */
const NO_RECORD: Peek = { empty: true, midRun: false, firstAt: null, lastAt: null, lastComplete: false };

interface Peek {
  /** No record in the file. */
  empty: boolean;
  /** Its first records move a run before any banner (`✅ Scraped`, `[31/200] Processing`, a Progress line). */
  midRun: boolean;
  firstAt: number | null;
  lastAt: number | null;
  /** Its last run wrote its summary. */
  lastComplete: boolean;
}

/** The records at the start and end of `file` (PEEK_BYTES each), or null when it cannot be read. */
async function peek(file: string, grammar: Grammar): Promise<Peek | null> {
  const h = await open(file, 'r').catch(() => null);
  if (!h) return null;
  try {
    const size = (await h.stat()).size;
    const head = await records(h, 0, Math.min(size, PEEK_BYTES), grammar);
    const tail = size <= PEEK_BYTES ? head : await records(h, size - PEEK_BYTES, PEEK_BYTES, grammar);
    const dated = (l: LogLine) => l.at > 0;
    if (!head.some(dated)) return { empty: true, midRun: false, firstAt: null, lastAt: null, lastComplete: false };
    const first = head.find((l) => l.kind === 'start' || l.kind === 'loaded' || l.kind === 'complete' || movesRun(l.kind));
    const midRun = first !== undefined && movesRun(first.kind) && !((first.kind === 'queued' || first.kind === 'processing') && first.index === 1);
    let lastStart = -1;
    let lastCompleteAt = -1;
    let lastAt: number | null = null;
    tail.forEach((l, i) => {
      if (l.kind === 'start') lastStart = i;
      if (l.kind === 'complete') lastCompleteAt = i;
      if (dated(l)) lastAt = l.at;
    });
    return { empty: false, midRun, firstAt: head.find(dated)?.at ?? null, lastAt, lastComplete: lastCompleteAt > lastStart };
  } catch {
    return null;
  } finally {
    await h.close();
  }
}

/** The records of [from, from + length) of the file, whole lines only. */
async function records(h: import('node:fs/promises').FileHandle, from: number, length: number, grammar: Grammar): Promise<LogLine[]> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await h.read(buf, 0, length, from);
  let chunk = buf.subarray(0, bytesRead);
  // A window in the middle of the file starts mid-line: from the next line.
  if (from > 0) chunk = chunk.subarray(chunk.indexOf(10) + 1);
  const end = chunk.lastIndexOf(10);
  // Times as written, not moved by a clock change the window's clock took (a skip or a set back in a short file, read
  // whole): the files are ordered by them, and the part after a change is read on in the next file from nothing.
  const clock = new LogClock(grammar.zone);
  const lines = linesOf(parseChunk(chunk.subarray(0, end + 1), grammar, 0, clock));
  const shift = clock.state().shift;
  return shift === 0 ? lines : lines.map((l) => (l.at > 0 ? { ...l, at: l.at - shift } : l));
}

/**
 * Reads the rotated files before the log as the run's earlier part (see RotatedPrelude): each through `readOnce`
 * (the log's own one-shot read, its batches only: progress, zone and write times are the path's), then says what
 * was read in a `log/rotated` event. Nothing when no rotation is found. The files and then the log are read as one
 * log: each goes on with the clock the one before it left (a skip or a set back taken in bf.log.1 moves the lines
 * after it, in bf.log too, and is said there), and the clock this gives is the log's to go on from (null: nothing
 * read). `guess`: the zone guessed from the log (undefined: guessed here).
 */
export async function readRotatedPrelude(
  log: string,
  grammar: Grammar,
  dispatch: (e: AppEvent) => void,
  readOnce: (file: string, dispatch: (e: AppEvent) => void, grammar: Grammar, clock: LogClockState | null) => Promise<LogClockState>,
  now: () => number = Date.now,
  guess?: ZoneGuess | null,
): Promise<LogClockState | null> {
  const pre = await rotatedPrelude(log, grammar).catch(() => null);
  if (!pre) return null;
  // Nothing to read: only where the log's start likely is, compressed (said with the run's `begins mid-run`).
  if (pre.files.length === 0) {
    dispatch({ type: 'log/rotated', files: [], ...(pre.compressed ? { compressed: pre.compressed } : {}) });
    return null;
  }
  const batches = (e: AppEvent) => {
    if (e.type === 'log/batch' || e.type === 'log/overlong') dispatch(e);
  };
  const first = await beginningGrammar(log, pre.files, grammar, now, guess);
  const read: string[] = [];
  let clock: LogClockState | null = null;
  for (const file of pre.files) {
    // A file that cannot be read leaves the clock where the one before it did.
    const after: LogClockState | null = await readOnce(file, batches, clock ? { ...grammar, zone: clock.zone } : first, clock).catch(() => null);
    if (after === null) continue;
    clock = after;
    read.push(file);
  }
  if (read.length) dispatch({ type: 'log/rotated', files: read, ...(pre.compressed ? { compressed: pre.compressed } : {}) });
  return clock;
}

/**
 * The grammar the oldest rotated file is read in: the zone the whole log, read as one, would begin in. `timezone`, or
 * with none and no zone guessed this machine's, from its first line on, as one file is read. A zone guessed from the
 * file at the path is its newest line's, after every clock change the rotated files hold that the zone does not have
 * (a skip, a set back): it is moved back over each (log-zone-guess.ts zoneBefore), newest file first, so the run's
 * lines before a skip in bf.log.1 read as written, not an hour early with its start (h66's leftover), as
 * log-zone-guess.ts anchored does for one file.
 */
async function beginningGrammar(log: string, files: string[], grammar: Grammar, now: () => number, guess: ZoneGuess | null | undefined): Promise<Grammar> {
  if (grammar.zone !== undefined) return grammar;
  let zone = (guess !== undefined ? guess : await guessFromFile(log, grammar, now).catch(() => null))?.zone;
  if (zone === undefined) return grammar;
  for (let i = files.length - 1; i >= 0; i--) zone = await zoneBefore(files[i], grammar, zone).catch(() => zone);
  return { ...grammar, zone };
}
