const NEWLINE = 0x0a;
const NL_BYTE = Buffer.from('\n');

/**
 * Cuts a byte stream into runs of whole lines, holding the unfinished last line
 * until its '\n' arrives and capping each line at `maxLineBytes` kept bytes.
 * Lines are cut on the '\n' byte only, so a UTF-8 character is never split and
 * CR or invalid bytes pass through untouched.
 */
export class LineSplitter {
  /** The unfinished line: at most maxLineBytes kept, the rest only counted. */
  private readonly tail: Buffer;
  private tailLength = 0;
  private tailDropped = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onOverlong: (droppedBytes: number) => void = () => {},
  ) {
    this.tail = Buffer.alloc(maxLineBytes);
  }

  /**
   * Takes the next bytes of the stream; returns the whole lines they complete
   * (a fresh copy ending in '\n', safe to keep) or null when none completed.
   * `data` may be a view into a buffer the caller reuses.
   */
  push(data: Buffer): Buffer | null {
    const lastNl = data.lastIndexOf(NEWLINE);
    if (lastNl === -1) {
      this.hold(data);
      return null;
    }
    const parts: Buffer[] = [];
    let start = 0;
    if (this.tailLength > 0 || this.tailDropped > 0) {
      const firstNl = data.indexOf(NEWLINE);
      this.hold(data.subarray(0, firstNl));
      parts.push(this.tail.subarray(0, this.tailLength), NL_BYTE);
      if (this.tailDropped > 0) this.onOverlong(this.tailDropped);
      start = firstNl + 1;
    }
    this.capLines(data, start, lastNl, parts);
    // One copy: the caller owns the result, and `tail` is about to be reused.
    const out = parts.length === 1 ? Buffer.from(parts[0]) : Buffer.concat(parts);
    this.tailLength = 0;
    this.tailDropped = 0;
    this.hold(data.subarray(lastNl + 1));
    return out;
  }

  /** Forgets the unfinished line, e.g. when the file was truncated or replaced. */
  reset(): void {
    this.tailLength = 0;
    this.tailDropped = 0;
  }

  /**
   * Pushes views of data[start..lastNl] onto `parts`, cutting overlong lines.
   * Looking backwards through a window of maxLineBytes+1 bytes either finds a
   * '\n' (every line in the window is short enough, jump past it) or proves the
   * line is too long. That costs one native search per window rather than one
   * per line, which keeps the history read close to `grep -c` speed.
   */
  private capLines(data: Buffer, start: number, lastNl: number, parts: Buffer[]): void {
    const max = this.maxLineBytes;
    let runStart = start;
    let lineStart = start;
    while (lineStart <= lastNl) {
      const windowEnd = Math.min(lineStart + max + 1, lastNl + 1);
      const found = data.subarray(lineStart, windowEnd).lastIndexOf(NEWLINE);
      if (found !== -1) {
        lineStart += found + 1;
        continue;
      }
      const nl = data.indexOf(NEWLINE, lineStart + max);
      parts.push(data.subarray(runStart, lineStart + max), NL_BYTE);
      this.onOverlong(nl - lineStart - max);
      lineStart = nl + 1;
      runStart = lineStart;
    }
    if (runStart <= lastNl) parts.push(data.subarray(runStart, lastNl + 1));
  }

  private hold(bytes: Buffer): void {
    const room = this.maxLineBytes - this.tailLength;
    if (bytes.length <= room) {
      bytes.copy(this.tail, this.tailLength);
      this.tailLength += bytes.length;
      return;
    }
    bytes.copy(this.tail, this.tailLength, 0, room);
    this.tailLength = this.maxLineBytes;
    this.tailDropped += bytes.length - room;
  }
}
