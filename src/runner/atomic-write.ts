import { statfsSync, statSync } from 'node:fs';
import { open, rename, link, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options for {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** false: fail with EEXIST rather than replace an existing file (files we name must never clobber the user's). */
  overwrite?: boolean;
}

/**
 * Writes a file so a reader sees either nothing or the whole content: a temp file in the same directory
 * (rename is atomic only within one file system), fsync, then rename (or link, when not overwriting).
 * The temp file is removed on every failure path.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  // node:crypto loads with the first write, not with this module (`status` only reads).
  const { randomBytes } = await import('node:crypto');
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let linked = false;
  try {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (opts.overwrite === false) {
      // link fails with EEXIST instead of replacing, atomically; the temp name is then dropped.
      await link(tmp, path);
      linked = true;
      await unlink(tmp);
    } else {
      await rename(tmp, path);
    }
    await syncDir(dir);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    if (linked) return;
    throw err;
  }
}

/** Makes a rename or a new file's name durable; some file systems refuse fsync on a directory, which is fine. */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort only.
  }
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  ENOTDIR: 'a part of the path is a file, not a directory',
  ENOENT: 'the directory does not exist',
  EEXIST: 'a file of that name is in the way',
  ETIMEDOUT: 'its file system did not answer in time (a hung mount?)',
};

/**
 * One line for the operator: what could not be written, and why, in words (with the errno code kept). A full
 * disk also says where: the directory whose file system is full and what is left on it.
 */
export function describeWriteError(err: unknown, what: string, dir?: string): Error {
  if (err instanceof Error && err.message.startsWith('Cannot write ')) return err; // already described
  const code = (err as NodeJS.ErrnoException)?.code;
  // A folder of the path that is a file: named (tester AG6 g: `--state-dir` a plain file read `a file of that name is
  // in the way … launch-loc.lock`, where the lock's own name was free and the folder was the file).
  const e = err as NodeJS.ErrnoException;
  const inTheWay = code === 'ENOTDIR' || (code === 'EEXIST' && e?.syscall === 'mkdir') ? fileInTheWay(e.path) : null;
  const noFolders = (e as { noFolders?: boolean })?.noFolders === true;
  let reason = inTheWay ? `${inTheWay} is a file, not a directory` : noFolders ? 'its file system makes no folders there' : ((code && REASONS[code]) ?? (err instanceof Error ? err.message : String(err)));
  if ((code === 'ENOSPC' || code === 'EDQUOT') && dir !== undefined) reason += ` (${freeSpace(dir)})`;
  // The folder that could not be made, by its path (make-dirs.ts keeps it): the state directory, or one above it
  // (tester AH9 e: a read-only file system's folder read `the directory does not exist`, naming only the lock).
  const at = !inTheWay && e?.syscall === 'mkdir' && e.path ? ` making the folder ${e.path}` : '';
  const error = new Error(`Cannot write ${what}: ${reason}${code ? ` (${code})` : ''}${at}`);
  (error as NodeJS.ErrnoException).code = code;
  return error;
}

/** The nearest of `path` and its parents that exists and is not a directory (null: none, or not known). */
function fileInTheWay(path: string | undefined): string | null {
  if (!path) return null;
  for (let d = path; ; d = dirname(d)) {
    try {
      return statSync(d).isDirectory() ? null : d;
    } catch {
      // not there (or not reachable through a file): its parent
    }
    if (dirname(d) === d) return null;
  }
}

/** "the file system holding DIR has 0 KiB free of 64 KiB", or just the directory when statfs cannot say. */
function freeSpace(dir: string): string {
  try {
    const fs = statfsSync(dir);
    const kib = (blocks: number) => `${Math.floor((blocks * fs.bsize) / 1024)} KiB`;
    return `the file system holding ${dir} has ${kib(fs.bavail)} free of ${kib(fs.blocks)}`;
  } catch {
    return `the file system holding ${dir}`;
  }
}
