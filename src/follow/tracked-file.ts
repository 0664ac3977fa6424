import { open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';

/** How many leading bytes are remembered to notice a same-size rewrite. */
const HEAD_BYTES = 64;

/** One open generation of the followed path: its fd, identity and read offset. */
export class TrackedFile {
  /** Bytes consumed so far; the next read starts here. */
  offset = 0;
  /** Copy of the first bytes read, compared later to spot a rewrite in place. */
  private head = Buffer.alloc(0);

  private constructor(
    private readonly handle: FileHandle,
    private readonly dev: number,
    private readonly ino: number,
    /** Size when opened: what counts as history for this generation. */
    readonly sizeAtOpen: number,
  ) {}

  /** Opens `path`; identity comes from the fd, so a swap after our stat cannot fool it. */
  static async open(path: string): Promise<TrackedFile> {
    const handle = await open(path, 'r');
    try {
      const st = await handle.stat();
      return new TrackedFile(handle, st.dev, st.ino, st.size);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** True when `st` (a stat of the path) is still the file we hold open. */
  isSameFile(st: Stats): boolean {
    return st.dev === this.dev && st.ino === this.ino;
  }

  /**
   * True when the file now holds fewer bytes than we read, or its first bytes
   * changed (rewritten in place at the same or a larger size).
   */
  async wasTruncated(size: number): Promise<boolean> {
    if (size < this.offset) return true;
    if (this.head.length === 0) return false;
    const now = Buffer.alloc(this.head.length);
    const { bytesRead } = await this.handle.read(now, 0, now.length, 0);
    return bytesRead < now.length || !now.equals(this.head);
  }

  /** Starts over at byte 0 of the same file. */
  rewind(): void {
    this.offset = 0;
    this.head = Buffer.alloc(0);
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
    this.offset = offset;
  }

  /** Reads the next bytes into `buf`; returns how many (0 at end of file). */
  async read(buf: Buffer): Promise<number> {
    const { bytesRead } = await this.handle.read(buf, 0, buf.length, this.offset);
    if (this.offset < HEAD_BYTES && bytesRead > 0) {
      const keep = Math.min(HEAD_BYTES - this.offset, bytesRead);
      this.head = Buffer.concat([this.head, buf.subarray(0, keep)]);
    }
    this.offset += bytesRead;
    return bytesRead;
  }

  /** Releases the fd; safe to call twice. */
  async close(): Promise<void> {
    await this.handle.close().catch(() => {});
  }
}
