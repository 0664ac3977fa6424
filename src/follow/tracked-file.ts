import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';

/** How many bytes are remembered at the start, and just before the read offset, to notice a rewrite in place. */
const HEAD_BYTES = 64;
const TAIL_BYTES = 64;

/** The kind of a non-regular file, in words. */
export function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a file';
}

/** The path was swapped for something that is not a regular file between our stat and open. */
export class NotRegularFileError extends Error {}

/** One open generation of the followed path: its fd, identity and read offset. */
export class TrackedFile {
  /** Bytes consumed so far; the next read starts here. */
  offset = 0;
  /** Copy of the first bytes read, compared later to spot a rewrite in place. */
  private head = Buffer.alloc(0);
  /** Copy of the bytes just before `offset`: a rewrite that keeps the first bytes still changes these. */
  private tail = Buffer.alloc(0);
  /** Size and mtime when last checked: unchanged, nothing can have been rewritten (no read needed). */
  private seen = { size: -1, mtimeMs: -1 };
  /** The modification time seen at the check before the last one: the newest write read then (see cut copies). */
  private mtimeBefore = -1;
  /** When the file was last written as of the check before this one (epoch ms; -1 when not known). */
  get previousMtimeMs(): number {
    return this.mtimeBefore;
  }
  /**
   * The last run of NUL bytes read (file offsets, end exclusive), or null. Read in the middle of a log we were
   * following, it is where a copytruncate cut the file under us: what was there is in the copy (see holeCut).
   */
  private nuls: { start: number; end: number } | null = null;

  private constructor(
    private readonly handle: FileHandle,
    private readonly dev: number,
    private readonly ino: number,
    /** Size when opened: what counts as history for this generation. */
    readonly sizeAtOpen: number,
  ) {}

  /**
   * Opens `path`; identity comes from the fd, so a swap after our stat cannot fool it. Opened non-blocking, so a
   * FIFO swapped in after the stat cannot hang the open; anything but a regular file is refused.
   */
  static async open(path: string): Promise<TrackedFile> {
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw new NotRegularFileError(`is ${kindOf(st)}, not a regular file`);
      const file = new TrackedFile(handle, st.dev, st.ino, st.size);
      file.seen = { size: st.size, mtimeMs: st.mtimeMs };
      return file;
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** True when `st` (a stat of the path, or a device and inode) is still the file we hold open. */
  isSameFile(st: { dev: number; ino: number }): boolean {
    return st.dev === this.dev && st.ino === this.ino;
  }

  /** The file's identity: it stays when the file is renamed. */
  get id(): { dev: number; ino: number } {
    return { dev: this.dev, ino: this.ino };
  }

  /**
   * True when the file now holds fewer bytes than we read, or was rewritten in place: its size is what it was at
   * the last check but its mtime moved (an append always grows a file; a touch is read again, to the same
   * result), or it grew and its first bytes, or the bytes just before where we stopped reading, changed.
   */
  async wasRewritten(size: number, mtimeMs: number): Promise<boolean> {
    this.mtimeBefore = this.seen.mtimeMs;
    if (size < this.offset) return true;
    const prev = this.seen;
    this.seen = { size, mtimeMs };
    if (size === prev.size) return mtimeMs !== prev.mtimeMs;
    if (await this.differs(this.head, 0)) return true;
    return this.offset > this.head.length && (await this.differs(this.tail, this.offset - this.tail.length));
  }

  private async differs(kept: Buffer, at: number): Promise<boolean> {
    if (kept.length === 0) return false;
    const now = Buffer.alloc(kept.length);
    const { bytesRead } = await this.handle.read(now, 0, now.length, at);
    return bytesRead < now.length || !now.equals(kept);
  }

  /** Starts over at byte 0 of the same file, whose stat is `seen` now. */
  rewind(seen: { size: number; mtimeMs: number }): void {
    this.offset = 0;
    this.head = Buffer.alloc(0);
    this.tail = Buffer.alloc(0);
    this.nuls = null;
    this.seen = { size: seen.size, mtimeMs: seen.mtimeMs };
  }

  /** The open file's descriptor, for a reader that reads at its own positions (a parse worker: fds are the process's). */
  get fd(): number {
    return this.handle.fd;
  }

  /** Lends the fd to a reader that reads at its own positions (never moves `offset`). */
  withHandle<T>(use: (handle: FileHandle) => Promise<T>): Promise<T> {
    return use(this.handle);
  }

  /** Continues at `offset` (a line start), still remembering the first bytes to notice a rewrite. */
  async startAt(offset: number): Promise<void> {
    const head = Buffer.alloc(Math.min(HEAD_BYTES, offset));
    const { bytesRead } = await this.handle.read(head, 0, head.length, 0);
    this.head = head.subarray(0, bytesRead);
    const tail = Buffer.alloc(Math.min(TAIL_BYTES, offset));
    const got = await this.handle.read(tail, 0, tail.length, offset - tail.length);
    this.tail = tail.subarray(0, got.bytesRead);
    this.offset = offset;
  }

  /** Reads the next bytes into `buf`; returns how many (0 at end of file). */
  async read(buf: Buffer): Promise<number> {
    const { bytesRead } = await this.handle.read(buf, 0, buf.length, this.offset);
    if (this.offset < HEAD_BYTES && bytesRead > 0) {
      const keep = Math.min(HEAD_BYTES - this.offset, bytesRead);
      this.head = Buffer.concat([this.head, buf.subarray(0, keep)]);
    }
    if (bytesRead >= TAIL_BYTES) this.tail = Buffer.from(buf.subarray(bytesRead - TAIL_BYTES, bytesRead));
    else if (bytesRead > 0) this.tail = Buffer.concat([this.tail, buf.subarray(0, bytesRead)]).subarray(-TAIL_BYTES);
    if (bytesRead > 0) this.noteNuls(buf, bytesRead);
    this.offset += bytesRead;
    return bytesRead;
  }

  /** Keeps the last NUL run of the `n` bytes just read at `offset` (one native search when there is none). */
  private noteNuls(buf: Buffer, n: number): void {
    let i = buf.indexOf(0);
    while (i !== -1 && i < n) {
      let j = i + 1;
      while (j < n && buf[j] === 0) j++;
      const start = this.offset + i;
      // A run that goes on from the previous read's last bytes is one run.
      this.nuls = this.nuls && this.nuls.end === start ? { start: this.nuls.start, end: this.offset + j } : { start, end: this.offset + j };
      i = j < n ? buf.indexOf(0, j) : -1;
    }
  }

  /**
   * After a rewrite (wasRewritten), whether the file is this one cut by a copytruncate under a writer that goes on
   * at its own offset (opened with `>`): NULs from byte 0 up to where its new lines begin. Null when it is not (no
   * NULs at its start: a writer with `>>`, or other content); else `cutAt`, the offset from which what the log held
   * then was not read here (it is in the copy), and `goOnAt`, where reading goes on in this file. Lines already
   * read after the NULs are kept (never read twice: tester Z4 counted one twice); `goOnAt` is where we are then.
   * `textAt`: where the file's text begins after its NULs (what a copy must hold up to).
   */
  async holeCut(size: number): Promise<{ cutAt: number; goOnAt: number; textAt: number } | null> {
    const textAt = await this.firstNonNul(size);
    if (textAt <= 0) return null;
    const hole = this.nuls;
    if (this.offset > textAt) {
      // We read past the cut without noticing (the cut came between a stat and a read): what we read after the
      // NULs must still be there; the NULs we read, ending where the text begins, were the lines we missed.
      // (No NULs read: we were where the cut fell, and read on from there.)
      // (Only the bytes after the NULs: those before them were read from the file before the cut.)
      const n = Math.min(this.tail.length, this.offset - textAt);
      if (await this.differs(this.tail.subarray(this.tail.length - n), this.offset - n)) return null;
      return { cutAt: hole && hole.end === textAt ? hole.start : textAt, goOnAt: this.offset, textAt };
    }
    // We had not read up to the NULs' end: what we read into them was no line.
    const cutAt = hole && hole.end === this.offset && hole.start < this.offset ? hole.start : this.offset;
    return { cutAt, goOnAt: textAt, textAt };
  }

  /** The offset of the file's first byte that is not NUL (up to `size`), or -1 when it cannot be read. */
  private async firstNonNul(size: number): Promise<number> {
    const buf = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(size, 1)));
    let at = 0;
    while (at < size) {
      const { bytesRead } = await this.handle.read(buf, 0, Math.min(buf.length, size - at), at).catch(() => ({ bytesRead: -1 }));
      if (bytesRead <= 0) return -1;
      for (let i = 0; i < bytesRead; i++) if (buf[i] !== 0) return at + i;
      at += bytesRead;
    }
    return at;
  }

  /** Goes on reading at `offset` of the file as it is now (after a cut): its first and last bytes remembered anew. */
  async resumeAt(offset: number, seen: { size: number; mtimeMs: number }): Promise<void> {
    this.head = Buffer.alloc(0);
    this.nuls = null;
    await this.startAt(offset);
    this.seen = { size: seen.size, mtimeMs: seen.mtimeMs };
  }

  /** The first bytes remembered of the file, and those just before the offset (to know its copy by them). */
  remembered(): { head: Buffer; tail: Buffer } {
    return { head: this.head, tail: this.tail };
  }

  /** Whether the file no longer begins with the first bytes read from it (cut and written again, or replaced in place). */
  headChanged(): Promise<boolean> {
    return this.differs(this.head, 0);
  }

  /** The open file's stat through its fd (it may be renamed or deleted since: `nlink` 0). */
  stat(): Promise<Stats> {
    return this.handle.stat();
  }

  /** Releases the fd; safe to call twice. */
  async close(): Promise<void> {
    await this.handle.close().catch(() => {});
  }
}
