import { fstatSync, writeSync } from 'node:fs';
import { endProcess } from './process-end.js';
import { UserError } from './errors.js';

/**
 * Output of the one-shot commands (`status`, `missing`): written to file descriptors 1 and 2 at once with
 * `fs.writeSync`, never through `process.stdout` / `process.stderr`. Creating those streams loads Node's stream
 * and socket modules (a pipe's stdout is a `net.Socket`): about a tenth of what `status --json` costs beyond
 * `node -e 0`. A write that leaves nothing behind also lets the process exit at once (`exitAfterOutput`).
 *
 * A descriptor that will not take bytes now (EAGAIN: a non-blocking pipe that is full) gets the rest through
 * its stream, in order, and `exitAfterOutput` then waits for the streams to drain. A reader that went away
 * (EPIPE: `missing | head`) ends that output quietly, as `head` expects. Windows consoles convert text in
 * their stream: there, everything goes through the streams.
 */
const viaStream: [boolean, boolean, boolean] = [false, process.platform === 'win32', process.platform === 'win32'];
const closed: [boolean, boolean, boolean] = [false, false, false];

/** Writes `text` to stdout (see the module's note). */
export function writeOut(text: string): void {
  write(1, text);
}

/** Writes `text` to stderr (see the module's note). */
export function writeErr(text: string): void {
  write(2, text);
}

function write(fd: 1 | 2, text: string): void {
  if (closed[fd] || text === '') return;
  if (viaStream[fd]) {
    streamOf(fd).write(text);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') {
      closed[fd] = true;
      return;
    }
    if (code !== 'EAGAIN') {
      // Nothing more goes to it (the words of this very failure included, when it is stderr).
      closed[fd] = true;
      throw outputError(fd, err as NodeJS.ErrnoException);
    }
    viaStream[fd] = true;
    streamOf(fd).write(bytes.subarray(done));
  }
}

const streamOf = (fd: 1 | 2): NodeJS.WriteStream => (fd === 1 ? process.stdout : process.stderr);

/** An output error in words, as strerror says it (the code kept). */
const OUTPUT_WORDS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EBADF: 'it is not open',
  EROFS: 'read-only file system',
};

/**
 * A write to stdout or stderr that failed (a full disk under `missing > keys.csv`): one line, exit 1, never a stack
 * (tester AI3: `backfill-tui: Error: ENOSPC: no space left on device, write` and 8 frames naming the build machine's
 * files): `cannot write to stdout: no space left on device (ENOSPC)`.
 */
export function outputError(fd: 1 | 2, err: NodeJS.ErrnoException): UserError {
  const words = (err.code && OUTPUT_WORDS[err.code]) ?? err.message.replace(/^[A-Z]+: /, '').replace(/, write$/, '');
  return new UserError(`cannot write to ${fd === 1 ? 'stdout' : 'stderr'}: ${words}${err.code ? ` (${err.code})` : ''}`, 1);
}

/**
 * Ends the process with `code` once everything written through this module has left: at once when it all went
 * out through `writeSync`, else after stdout and then stderr have drained (a stream may still hold bytes).
 */
export function exitAfterOutput(code: number | string | undefined): void {
  // endProcess: never left waiting on a pool thread whose read does not return (a hung mount: process-end.ts).
  if (!viaStream[1] && !viaStream[2]) return endProcess(Number(code ?? 0));
  process.stdout.write('', () => process.stderr.write('', () => endProcess(Number(code ?? 0))));
}

/** The terminal's width when stdout is a terminal, else undefined; a pipe or a file is told apart without making `process.stdout`. */
export function terminalColumns(): number | undefined {
  try {
    if (!fstatSync(1).isCharacterDevice()) return undefined;
  } catch {
    return undefined;
  }
  return process.stdout.isTTY ? process.stdout.columns : undefined;
}

/** stderr's width when it is a terminal, else undefined; told apart as {@link terminalColumns} tells stdout's. */
export function errColumns(): number | undefined {
  try {
    if (!fstatSync(2).isCharacterDevice()) return undefined;
  } catch {
    return undefined;
  }
  return (process.stderr.isTTY && process.stderr.columns) || undefined;
}

/**
 * `text` (whole lines) as said on stderr: on a terminal, a line wider than it is broken at spaces within its width, the
 * rows after the first hanging two columns in (text-width.ts `wrap`, measured by string-width as the screens are), as
 * the leave words and `--help` are (tester AF8 f: the demo's 300-character refusal of a folder, broken by the terminal
 * mid-word, `the demo did n` / `ot write`). To a pipe or a file each message stays on its one line, for a script to grep.
 */
export async function fitErr(text: string, columns = errColumns()): Promise<string> {
  if (!columns) return text;
  const lines = text.split('\n');
  // A line of n UTF-16 units takes at most 2n columns: only a longer one needs the measure (string-width takes ~50 ms
  // to load, so a short message, the usual one, never loads it).
  if (lines.every((l) => l.length * 2 <= columns)) return text;
  const { wrap } = await import('./text-width.js');
  return lines.map((l) => (l === '' ? l : wrap(l, columns, 2).join('\n'))).join('\n');
}

/** Writes `text` to stderr as {@link fitErr} fits it (through {@link writeErr}). */
export async function sayErr(text: string): Promise<void> {
  writeErr(await fitErr(text));
}
