import { open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FollowHandlers, HistoryStart, UnsureStart } from '../log-follower.js';
import { LineSplitter } from './line-splitter.js';
import { movedLogOf, sameMoved, type FollowWriters, type MovedLog } from './moved-log.js';
import { kindOf, NotRegularFileError, TrackedFile } from './tracked-file.js';
import { readAppendedCopies, readCutCopy, readLaterCopies, readLines } from './cut-copy.js';
import { movedBeside, rotatedBetween } from './moved-beside.js';
import { compressedCopy } from './rotated-siblings.js';

/** While a moved log's writer is quiet, who holds it is asked at most this often (a walk of /proc each). */
const HOLDERS_LOOK_MS = 1_000;
/** Where the path names no file or an empty one, a log moved aside under its writer is looked for this often (a walk of /proc each; the first check looks at once). */
const MOVED_LOOK_MS = 30_000;

/**
 * The `tail -F` state machine for one path: each `check()` notices a missing,
 * replaced or truncated file, then reads whatever is new. Callers must never
 * run two checks at once (see serial-runner).
 */
export class FileFollower {
  private file: TrackedFile | null = null;
  private everOpened = false;
  private waiting = false;
  /** What stands at the path instead of a readable file, as last reported; null when nothing is wrong. */
  private unusable: string | null = null;
  private historyDone = false;
  private statSize = 0;
  /** The log was seen cut to nothing, its writer's next line not come yet (said as a reset once; see check). */
  private emptied = false;
  private lastProgress = '';
  /** Two read buffers: one is parsed while the next read fills the other. */
  private readonly bufs: [Buffer, Buffer];
  private readonly splitter: LineSplitter;
  private readonly historyStart: HistoryStart | undefined;
  private readonly maxLineBytes: number;
  /** What the handlers' prepareBulk asked to be called once the file just opened had its chance at readBulk. */
  private releaseBulk: (() => void) | null = null;
  /** The history start of the file just opened, when not looked for to the end (FollowOptions.historyStart). */
  private unsure: UnsureStart | null = null;
  /** The log read under another name while its writer goes on (see stayOnMoved); null when the path's file is read. */
  private moved: MovedLog | null = null;
  /** The file read last was a moved log: the path's next file goes on from it (onReset 'rotated'). */
  private leftMoved = false;
  /** The moved file we read last, beside the log under a rotated name: where a second rotation's files begin. */
  private movedFrom: { file: string; mtimeMs: number; head: Buffer } | null = null;
  private lastHoldersLook = -Infinity;
  private lastMovedLook = -Infinity;
  private readonly writers: FollowWriters | undefined;
  private readonly now: () => number;

  constructor(
    private readonly path: string,
    private readonly handlers: FollowHandlers,
    private readonly signal: AbortSignal,
    opts: { chunkSize: number; maxLineBytes: number; historyStart?: HistoryStart; lendChunks?: boolean; writers?: FollowWriters; now?: () => number },
  ) {
    this.writers = opts.writers;
    // Date.now, not performance.now: the global `performance` loads perf_hooks, which status does without.
    this.now = opts.now ?? Date.now;
    // Two fixed read buffers for the whole run: a 1 GB history never sits in memory.
    this.bufs = [Buffer.allocUnsafe(opts.chunkSize), Buffer.allocUnsafe(opts.chunkSize)];
    this.historyStart = opts.historyStart;
    this.maxLineBytes = opts.maxLineBytes;
    this.splitter = new LineSplitter(
      opts.maxLineBytes,
      (n) => {
        if (!this.signal.aborted) this.handlers.onOverlong?.(n);
      },
      opts.lendChunks,
    );
  }

  /** Brings the reader up to date with the path: reopen, rewind or read on. */
  async check(): Promise<void> {
    if (this.signal.aborted) return;
    const st = await statOrNull(this.path);
    if (this.file && (!st || !this.file.isSameFile(st))) {
      // Moved aside while a process goes on writing it: the run is there, not at the path (tester W20).
      if (await this.stayOnMoved(st).catch(() => false)) return;
      // A renamed or deleted log can still hold lines written just before the move. If the old file cannot be
      // read any more, it is dropped all the same: nothing may keep us on a file that is no longer the log.
      await this.readAvailable(this.file).catch(() => undefined);
      // Moved aside under a rotated name with no writer holding it: the path's next file goes on from it.
      if (!this.leftMoved) {
        const moved = (await movedBeside(this.path, this.file.id).catch(() => null)) ?? (await this.rotatedAway(this.file));
        if (moved) {
          this.leftMoved = true;
          this.movedFrom = { ...moved, head: this.file.remembered().head };
        }
      }
      await this.dropFile();
    }
    if (this.signal.aborted) return;
    if (await this.findMoved(st).catch(() => false)) return;
    if (!st) return this.enterWaiting();
    if (!st.isFile()) return this.enterUnusable(`is ${kindOf(st)}, not a regular file`);

    if (!this.file) {
      const opened = await this.open();
      if (this.signal.aborted) return void (await opened?.close());
      if (!opened) return;
      this.file = opened;
      this.waiting = false;
      this.unusable = null;
      // After a moved log, the path's new file goes on from it (logrotate's `create`); else it replaces what was read.
      if (this.everOpened) this.handlers.onReset(this.leftMoved ? 'rotated' : 'replaced');
      // Rotated again while nothing read it: the files in between, before the new one (tester AD7's addendum).
      if (this.leftMoved && this.movedFrom) await this.readBetween(this.movedFrom, opened.id).catch(() => undefined);
      this.leftMoved = false;
      this.movedFrom = null;
      this.everOpened = true;
      // A long history's reader gets ready while its start is looked for (a one-run log is read backwards whole).
      if (!this.historyDone) this.releaseBulk = this.prepareBulk(opened);
      await this.skipOldHistory(opened, opened.sizeAtOpen);
    } else if (await this.file.wasRewritten(st.size, st.mtimeMs)) {
      if (this.signal.aborted) return;
      const file = this.file;
      // Cut to nothing, its writer's next line not come (logrotate's copytruncate between two of them): whether the
      // writer goes on at its own offset (`>`: NULs up to there, which measure what no copy holds) or from byte 0 (`>>`)
      // is not known yet, nor what was lost: nothing is read or judged lost until it writes (tester AI2: `lines … are
      // in no file found (a rotated copy deleted?)` said of a `>` writer's run read whole, the copy ending where the
      // read did, the NULs later showing nothing was lost). The cut itself is said at once, once (the figures' read
      // position starts over).
      if (st.size === 0) {
        if (!this.emptied) this.handlers.onReset('truncated');
        this.emptied = true;
        this.statSize = 0;
        return;
      }
      const emptied = this.emptied;
      this.emptied = false;
      // logrotate's copytruncate copies the log, then truncates it under a writer that goes on: what the writer
      // wrote after our last read and before the cut is only in the copy (tester Z4: a timeout lost, and with a
      // `>` writer the line after the cut read twice). Read it there first, then go on in the file.
      const cut = await file.holeCut(st.size);
      const from = cut ? cut.cutAt : file.offset;
      const { head, tail } = file.remembered();
      // Our splitter holds at most the start of a line the copy holds whole (or NULs): the copy is read from that
      // line's start. A splitter already past the NULs holds the new content's line: it stays.
      const pastNuls = cut !== null && cut.goOnAt === file.offset;
      if (!pastNuls) this.splitter.reset();
      const onChunk = (lines: Buffer) => this.handlers.onChunk(lines);
      const copy = await readCutCopy(this.path, { head, tail: from === file.offset ? tail : null, from, maxLineBytes: this.maxLineBytes, signal: this.signal, onChunk }).catch(() => null);
      // Cut again while nothing read it (two rotations during a Ctrl-Z): the later copies hold what came between; what
      // none holds (the first copy deleted by the second rotation, or not beside the log) is said lost (tester AD14).
      // What no plain copy holds may be in one compressed at once (`compress` without `delaycompress`): named, not read.
      // Looked for before the reads, so the gap is said in its place among their lines.
      const compressed = await compressedCopy(this.path, file.previousMtimeMs).catch(() => null);
      const onLost = (bytes: number | null) => this.handlers.onLost?.(bytes, compressed);
      const later = copy ? copy.size : from;
      if (cut && later < cut.textAt) await readLaterCopies(this.path, { from: later, to: cut.textAt, read: copy ? [copy.file] : [], maxLineBytes: this.maxLineBytes, signal: this.signal, onChunk, onLost, since: file.previousMtimeMs }).catch(() => undefined);
      // A writer that appends (`>>`) writes from byte 0 after a cut, no NULs to measure it: the later cuts' copies begin
      // with its text, and a first copy not found is a gap of a size not known (tester AG10: never said). Only a cut: a log
      // touched, or rewritten in place as long with its first bytes, lost nothing.
      else if (!cut && (st.size < file.offset || (await file.headChanged().catch(() => false)))) await readAppendedCopies(this.path, { copy, head, since: file.previousMtimeMs, maxLineBytes: this.maxLineBytes, signal: this.signal, onChunk, onLost }).catch(() => undefined);
      if (this.signal.aborted) return;
      if (cut) {
        // The writer goes on at its own offset: the file is NULs up to there, then its new lines.
        await file.resumeAt(cut.goOnAt, st);
      } else {
        file.rewind(st);
        if (!emptied) this.handlers.onReset('truncated');
        await this.skipOldHistory(file, st.size);
      }
    }
    this.statSize = st.size;
    await this.readAvailable(this.file);
  }

  /**
   * The file held is no longer at the path. While a process still has it open for writing, it stays the log:
   * read on to its end at every check, and asked about (at most every HOLDERS_LOOK_MS, only when nothing new came)
   * until its writer is gone or the path's new file gets content. True while it stays.
   */
  private async stayOnMoved(st: Stats | null): Promise<boolean> {
    const file = this.file!;
    if (!this.writers) return false;
    const before = file.offset;
    await this.readAvailable(file);
    if (this.signal.aborted) return true;
    // The log goes on in the new file at the path: what was read of the old one stays, the new one follows it.
    if (st?.isFile() && st.size > 0) return false;
    const t = this.now();
    if (this.moved && (file.offset > before || t - this.lastHoldersLook < HOLDERS_LOOK_MS)) return true;
    this.lastHoldersLook = t;
    const fds = await this.writers.holding(file.id);
    if (this.signal.aborted) return true;
    if (fds.length === 0) return false;
    this.report(movedLogOf(fds, file.id));
    return true;
  }

  /**
   * Where the path names no file or an empty one, a file it named before and that a process still writes (found
   * by its name: bf.log.1, bf.log (deleted)) is the log: a dashboard or `status` started after the move reads the
   * run there. At most every MOVED_LOOK_MS. True when one was opened and read.
   */
  private async findMoved(st: Stats | null): Promise<boolean> {
    if (!this.writers || this.moved) return false;
    const emptyHere = !st || (st.isFile() && st.size === 0 && (!this.file || this.file.offset === 0));
    const t = this.now();
    if (!emptyHere || t - this.lastMovedLook < MOVED_LOOK_MS) return false;
    this.lastMovedLook = t;
    const fds = await this.writers.movedFrom(this.path);
    if (fds.length === 0 || this.signal.aborted) return false;
    const opened = await TrackedFile.open(this.writers.openPath(fds[0])).catch(() => null);
    if (!opened) return false;
    // The descriptor may have moved on between the look and the open.
    if (!opened.isSameFile(fds[0].id) || this.signal.aborted) {
      await opened.close();
      return false;
    }
    // The empty file at the path (nothing was read from it) makes way.
    if (this.file) await this.dropFile();
    this.file = opened;
    this.waiting = false;
    this.unusable = null;
    if (this.everOpened) this.handlers.onReset('rotated');
    this.everOpened = true;
    this.lastHoldersLook = t;
    this.report(movedLogOf(fds, opened.id));
    // As for the path's file (check): a long history's reader gets ready while its start is looked for.
    if (!this.historyDone) this.releaseBulk = this.prepareBulk(opened);
    await this.skipOldHistory(opened, opened.sizeAtOpen);
    this.statSize = opened.sizeAtOpen;
    await this.readAvailable(opened);
    return true;
  }

  /** Says where the log is read now, once per change; null: at its path again. */
  private report(moved: MovedLog | null): void {
    if (sameMoved(this.moved, moved)) return;
    this.moved = moved;
    if (!this.signal.aborted) this.handlers.onMoved?.(moved);
  }

  /** Opens the path, or reports why it cannot be followed (missing: waiting; anything else: unusable) and returns null. */
  private async open(): Promise<TrackedFile | null> {
    try {
      return await TrackedFile.open(this.path);
    } catch (err) {
      if (isMissing(err)) this.enterWaiting();
      else if (err instanceof NotRegularFileError) this.enterUnusable(err.message);
      else this.enterUnusable(`cannot be read: ${(err as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied (EACCES)' : (err as Error).message}`);
      return null;
    }
  }

  /** Closes the fd; call once no check is running. */
  async close(): Promise<void> {
    await this.dropFile();
  }

  /** Tells the handlers a history may be offered to readBulk (FollowHandlers.prepareBulk); what to call when done with it. */
  private prepareBulk(file: TrackedFile): (() => void) | null {
    if (!this.handlers.prepareBulk) return null;
    return this.handlers.prepareBulk(file.sizeAtOpen - file.offset, { fd: file.fd, from: file.offset, to: file.sizeAtOpen, maxLineBytes: this.maxLineBytes });
  }

  /** Starts a new file's history where the caller says older lines cannot matter. */
  private async skipOldHistory(file: TrackedFile, size: number): Promise<void> {
    if (!this.historyStart || this.signal.aborted) return;
    const pick = this.historyStart;
    // Looking for a later start is only a shortcut: if it fails (the file shrank meanwhile), read it all.
    const picked = await file.withHandle((handle) => pick({ handle, size, maxLineBytes: this.maxLineBytes })).catch(() => 0);
    // Not known yet: readAvailable offers it to readBulk, or settles it before it reads.
    if (typeof picked !== 'number') this.unsure = picked;
    await this.startAt(file, typeof picked === 'number' ? picked : picked.at, size);
  }

  private async startAt(file: TrackedFile, start: number, size: number): Promise<void> {
    // A pick past the end (a picker that got it wrong) would read nothing and look truncated forever.
    if (start > 0 && start <= size && !this.signal.aborted) await file.startAt(start);
  }

  /**
   * The history start not known yet, settled (`readBulk` may have: then this is its answer) and, when later than
   * what was read, started at. A failed look (the file shrank meanwhile) reads on, as skipOldHistory's.
   */
  private async settleStart(file: TrackedFile, unsure: UnsureStart): Promise<void> {
    if (this.signal.aborted) return;
    const start = await unsure.settle().catch(() => 0);
    if (start > file.offset) await this.startAt(file, start, file.sizeAtOpen);
  }

  private async readAvailable(file: TrackedFile): Promise<void> {
    const release = this.releaseBulk;
    this.releaseBulk = null;
    const unsure = this.unsure;
    this.unsure = null;
    try {
      if (!this.historyDone && this.handlers.readBulk && this.splitter.isEmpty() && file.offset < file.sizeAtOpen) await this.readBulk(file, unsure);
      if (unsure) await this.settleStart(file, unsure);
    } finally {
      release?.();
    }
    if (this.signal.aborted) return;
    let which = 0;
    let pending: Promise<number> | null = file.read(this.bufs[which]);
    try {
      while (pending) {
        const n: number = await pending;
        pending = null;
        if (this.signal.aborted) return;
        const chunk = this.bufs[which].subarray(0, n);
        // Read ahead into the other buffer while this chunk is parsed: disk and parser overlap.
        if (n > 0) {
          which ^= 1;
          pending = file.read(this.bufs[which]);
          const lines = this.splitter.push(chunk);
          if (lines) this.handlers.onChunk(lines);
        }
        // Done with history once the bytes present at open are read, or we caught up with the writer.
        if (n === 0 || file.offset >= file.sizeAtOpen) this.historyDone = true;
        this.reportProgress(file);
        if (n === 0) return;
        // Let a UI draw (and the abort land) between chunks of a long history.
        await nextTurn();
      }
    } finally {
      // Never leave a read running on an fd the caller is about to close.
      if (pending) await (pending as Promise<number>).catch(() => 0);
    }
  }

  /** Lets the handlers read the history's bytes by other means (FollowHandlers.readBulk); reads on where they stopped. */
  private async readBulk(file: TrackedFile, unsure: UnsureStart | null): Promise<void> {
    const from = file.offset;
    const through = await file.withHandle((handle) =>
      this.handlers.readBulk!({
        fd: handle.fd,
        from,
        to: file.sizeAtOpen,
        maxLineBytes: this.maxLineBytes,
        signal: this.signal,
        progress: (bytesRead) => {
          if (!this.signal.aborted) this.reportProgress(file, bytesRead);
        },
        ...(unsure && { unsure }),
      }),
    );
    if (through > from && through <= file.sizeAtOpen) await file.startAt(through);
  }

  private reportProgress(file: TrackedFile, offset = file.offset): void {
    const p = { bytesRead: offset, size: Math.max(this.statSize, offset), historyDone: this.historyDone };
    const key = `${p.bytesRead}/${p.size}/${p.historyDone}`;
    if (key === this.lastProgress) return;
    this.lastProgress = key;
    this.handlers.onProgress(p);
  }

  private enterWaiting(): void {
    this.unusable = null;
    if (this.waiting) return;
    this.waiting = true;
    this.handlers.onWaiting();
  }

  /** Says once what stands at the path instead of a readable regular file; a new finding is said again. */
  private enterUnusable(what: string): void {
    this.waiting = false;
    if (this.unusable === what) return;
    this.unusable = what;
    this.handlers.onUnusable?.(what);
  }

  /**
   * The file read, deleted since, when rotated files beside the log were written after its last write: it was moved
   * aside and then deleted by the next rotation (`rotate 1`, twice while nothing read it), and those files came between
   * it and the path's new one, which goes on from them (a log removed and begun again has none). Null otherwise.
   */
  private async rotatedAway(file: TrackedFile): Promise<{ file: string; mtimeMs: number } | null> {
    const st = await file.stat().catch(() => null);
    if (!st || st.nlink > 0) return null;
    const gone = { file: '', mtimeMs: st.mtimeMs };
    const between = await rotatedBetween(this.path, { ...gone, head: file.remembered().head }, null).catch(() => []);
    return between.length ? gone : null;
  }

  /** Each rotated file between the moved one and the path's new one, whole, oldest first (see rotatedBetween). */
  private async readBetween(moved: { file: string; mtimeMs: number; head: Buffer }, next: { dev: number; ino: number }): Promise<void> {
    for (const file of await rotatedBetween(this.path, moved, next)) {
      const h = await open(file, 'r').catch(() => null);
      if (!h) continue;
      try {
        await readLines(h, 0, (await h.stat()).size, { maxLineBytes: this.maxLineBytes, signal: this.signal, onChunk: (lines) => this.handlers.onChunk(lines) });
      } finally {
        await h.close().catch(() => undefined);
      }
      if (this.signal.aborted) return;
    }
  }

  private async dropFile(): Promise<void> {
    const file = this.file;
    this.file = null;
    this.unsure = null;
    this.releaseBulk?.();
    this.releaseBulk = null;
    if (this.moved) {
      this.leftMoved = true;
      this.report(null);
    }
    // The old file's unfinished last line will never be finished.
    this.splitter.reset();
    await file?.close();
  }
}

async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}


function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
