import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Making the state directory (and the folders under it) as `mkdir -p` does, with the file system's own answer kept.
 * Node's `mkdir(…, { recursive: true })` reads any failure of a folder's parent as ENOENT and climbs: a read-only
 * file system was said as `the directory does not exist (ENOENT)` (tester AH9 e, where `mkdir` says `Read-only file
 * system`), and under /proc, which answers ENOENT to a new folder whose parent exists, it never returns (AH9 e:
 * `--state-dir /proc/x` left the launch `launching…` for good, `node -e "fs.mkdirSync('/proc/x',{recursive:true})"`
 * hangs too). Here each folder is made once after its parent, so the climb ends at the root, and the error is the
 * one of the folder that could not be made, with its path. A file system that does not answer (a hung mount) is
 * not waited for past MAKE_DIRS_LIMIT_MS: said as such.
 */

/** How long making the state directory may take before it is said not to answer (ms): a local mkdir takes < 1 ms. */
export const MAKE_DIRS_LIMIT_MS = 10_000;

/** A folder its parent holds and its file system still refuses with ENOENT (/proc, /sys): no folders are made there. */
function refused(dir: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`mkdir ${dir}: its file system makes no folders there (ENOENT)`);
  Object.assign(err, { code: 'ENOENT', syscall: 'mkdir', path: dir, noFolders: true });
  return err;
}

/** A name that is in the way (a file where a folder should be): EEXIST as mkdir says it, with the path. */
function inTheWay(dir: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`mkdir ${dir}: a file of that name is in the way`);
  Object.assign(err, { code: 'EEXIST', syscall: 'mkdir', path: dir });
  return err;
}

/** The file system calls makeDirs makes (injected by a test: a mount that never answers). */
export interface DirOps {
  mkdir(dir: string): Promise<unknown>;
}
const realOps: DirOps = { mkdir: (dir) => mkdir(dir) };

async function makeOne(dir: string, parentMade: boolean, ops: DirOps): Promise<'made' | 'missing-parent'> {
  try {
    await ops.mkdir(dir);
    return 'made';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if ((await stat(dir).catch(() => null))?.isDirectory()) return 'made';
      throw inTheWay(dir);
    }
    if (code !== 'ENOENT') throw err;
    if (parentMade) throw refused(dir);
    return 'missing-parent';
  }
}

async function makeAll(dir: string, ops: DirOps): Promise<void> {
  if ((await makeOne(dir, false, ops)) === 'made') return;
  const parent = dirname(dir);
  if (parent === dir) throw refused(dir);
  await makeAll(parent, ops);
  await makeOne(dir, true, ops);
}

/** `mkdir -p dir`, its errors the file system's (with the folder's path), within MAKE_DIRS_LIMIT_MS (see the note). */
export async function makeDirs(dir: string, limitMs = MAKE_DIRS_LIMIT_MS, ops: DirOps = realOps): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err: NodeJS.ErrnoException = new Error(`mkdir ${dir}: no answer within ${limitMs / 1000} s`);
      Object.assign(err, { code: 'ETIMEDOUT', syscall: 'mkdir', path: dir });
      reject(err);
    }, limitMs);
    timer.unref();
  });
  try {
    await Promise.race([makeAll(dir, ops), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** makeDirs for a synchronous writer (a record that must be on disk before the next step); not bounded in time. */
export function makeDirsSync(dir: string): void {
  const one = (d: string, parentMade: boolean): boolean => {
    try {
      mkdirSync(d);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        let isDir = false;
        try {
          isDir = statSync(d).isDirectory();
        } catch {
          // gone meanwhile: in the way all the same
        }
        if (isDir) return true;
        throw inTheWay(d);
      }
      if (code !== 'ENOENT') throw err;
      if (parentMade) throw refused(d);
      return false;
    }
  };
  const all = (d: string): void => {
    if (one(d, false)) return;
    const parent = dirname(d);
    if (parent === d) throw refused(d);
    all(parent);
    one(d, true);
  };
  all(dir);
}
