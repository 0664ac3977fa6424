import { readdirSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { FileId, WriterFd } from '../follow/moved-log.js';
import { readProcStat } from './proc.js';

const O_ACCMODE = 0o3;

export type { FileId, WriterFd } from '../follow/moved-log.js';

/**
 * Pids of processes that have `logFile` open for writing, found through /proc/PID/fd and the access mode in
 * /proc/PID/fdinfo. Processes we may not look into are skipped. Synchronous reads of /proc (memory, no disk)
 * keep a whole scan to a few milliseconds; an empty list where /proc is missing.
 */
export async function logWriters(logFile: string): Promise<number[]> {
  return (await writersOfFiles([logFile])).get(logFile) ?? [];
}

/**
 * {@link logWriters} for several files in one walk of /proc (the walk is the cost, not the number of files):
 * each file (as given) to the pids that have it open for writing. A descriptor is matched by the file it holds
 * (device and inode), not by the name: a log renamed under its writer (`mv bf.log bf.log.1`, logrotate's
 * `create`) is still written by it (tester W20). `moved` adds files a log was before (its rotated files, by
 * identity); where the path names no file or an empty one, a writer of a file that looks rotated from it
 * (`bf.log.1`, `bf.log-20261130`, `bf.log (deleted)`) counts too.
 */
export async function writersOfFiles(files: string[], moved?: Map<string, FileId[]>): Promise<Map<string, number[]>> {
  const wants = await Promise.all([...new Set(files)].map((file) => wantFor(file, moved?.get(file) ?? [])));
  const found = walkWriters(wants);
  return new Map(wants.map((w) => [w.file, pidsOf(found.get(w)!)]));
}

/** Who has the file `id` open for writing, with the path each descriptor names now. */
export function holdersOf(id: FileId): WriterFd[] {
  const want: Want = { file: '', log: '', ids: new Set([idKey(id)]), rotated: false };
  return walkWriters([want]).get(want) ?? [];
}

/**
 * The file `logFile` was before it was moved aside while a process goes on writing it (logrotate's `create`, an
 * operator's `mv`), found by its name: a file beside it named like a rotation of it, or the log itself deleted,
 * open for writing. All the descriptors on the newest such file (by modification time); empty when none.
 */
export async function movedLogWriters(logFile: string): Promise<WriterFd[]> {
  const want = await wantFor(logFile, []);
  if (!want.rotated) return [];
  const found = (walkWriters([want]).get(want) ?? []).filter((w) => !want.ids.has(idKey(w.id)));
  let best: FileId | null = null;
  let newest = -Infinity;
  for (const w of found) {
    const st = statOf(`/proc/${w.pid}/fd/${w.fd}`);
    if (st && st.mtimeMs > newest) [best, newest] = [w.id, st.mtimeMs];
  }
  return best ? found.filter((w) => idKey(w.id) === idKey(best!)) : [];
}

/** What one walk looks for on behalf of one log: files by identity, and rotated names of the log. */
export interface Want {
  /** The file as the caller named it. */
  file: string;
  /** Its absolute path with symbolic links resolved, as /proc names the files descriptors hold. */
  log: string;
  ids: Set<string>;
  /** The path names no file or an empty one: writers of a rotated file of it are looked for by name. */
  rotated: boolean;
}

async function wantFor(file: string, moved: FileId[]): Promise<Want> {
  const abs = path.resolve(file);
  const folder = await realpath(path.dirname(abs)).catch(() => path.dirname(abs));
  const log = path.join(folder, path.basename(abs));
  const st = statOf(log);
  const ids = new Set(moved.map(idKey));
  if (st) ids.add(idKey(st));
  return { file, log, ids, rotated: !st || (st.isFile() && st.size === 0) };
}

const idKey = (id: FileId) => `${id.dev}:${id.ino}`;

function statOf(p: string): Stats | undefined {
  try {
    return statSync(p, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function pidsOf(fds: WriterFd[]): number[] {
  return [...new Set(fds.map((w) => w.pid))];
}

/** Whether `link` (a descriptor's path) looks like `log` rotated aside: `log.1`, `log-20261130`, `log_old`, or deleted. */
export function rotatedName(link: string, log: string): boolean {
  const name = link.endsWith(' (deleted)') ? link.slice(0, -' (deleted)'.length) : link;
  if (name === log) return name !== link;
  return path.dirname(name) === path.dirname(log) && name.startsWith(log) && /^[._-]./.test(name.slice(log.length));
}

const NONE: Want[] = [];

/**
 * One walk of /proc: for each want, the descriptors open for writing on a file it looks for. `readlink` is the
 * file system's (tests count its calls).
 */
export function walkWriters(wants: Want[], readlink: (p: string) => string = readlinkSync): Map<Want, WriterFd[]> {
  const result = new Map<Want, WriterFd[]>(wants.map((w) => [w, []]));
  const byId = new Map<string, Want[]>();
  for (const w of wants) for (const k of w.ids) byId.set(k, [...(byId.get(k) ?? []), w]);
  const byName = wants.filter((w) => w.rotated);
  if (byId.size === 0 && byName.length === 0) return result;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return result;
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) > 57) continue; // not a pid (names start with a letter)
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      const at = `/proc/${entry}/fd/${fd}`;
      // Only a descriptor on a file in a folder can be a log: sockets, pipes, anon inodes and devices are never
      // stat'ed (a stat of every descriptor on the machine made this very process's next import of the storage
      // client fail, 'getPackageJSON is not a function', on a machine with tmux servers and test runs: not
      // understood, reproduced, and gone with this filter; it also keeps the walk one readlink per descriptor).
      const link = readlinkOrNull(at, readlink);
      // Not allowed to look at this process's descriptors (the check is the process's, not the descriptor's: its
      // other ones say the same): the next process, without a thrown error per descriptor (pid 1 of a container).
      if (link === DENIED) break;
      if (link === null || !maybeLog(link)) continue;
      // stat follows the descriptor to the file it holds, renamed or deleted; gone mid-walk, nothing.
      const st = statOf(at);
      if (!st || !st.isFile()) continue;
      const hits = byId.get(idKey(st)) ?? NONE;
      const named = byName.length === 0 ? NONE : byName.filter((w) => !hits.includes(w) && rotatedName(link, w.log));
      if (hits.length === 0 && named.length === 0) continue;
      if (!openForWriting(entry, fd)) continue;
      for (const w of [...hits, ...named]) result.get(w)!.push({ pid: Number(entry), fd: Number(fd), path: link, id: { dev: st.dev, ino: st.ino } });
    }
  }
  return result;
}

/** Whether a descriptor's link names a file in a folder that could be a log (not `socket:[…]`, `pipe:[…]`, devices, /proc, /sys; /dev/shm can). */
function maybeLog(link: string): boolean {
  return link.charCodeAt(0) === 47 && (!link.startsWith('/dev/') || link.startsWith('/dev/shm/')) && !link.startsWith('/proc/') && !link.startsWith('/sys/');
}

/**
 * Whether a process we may not look into could be the log's writer: the log belongs to another user (a root
 * container's, another account's run) and a process of that user hides its descriptors from us. A look that found
 * no writer then proves nothing (the run read `ended` while it wrote). False at once for a log of our own (no walk),
 * or where there is no /proc.
 */
export function hiddenWriterPossible(logFile: string): boolean {
  const st = statOf(path.resolve(logFile));
  if (!st || typeof process.getuid !== 'function' || st.uid === process.getuid()) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return false;
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) > 57) continue;
    if (statOf(`/proc/${entry}`)?.uid !== st.uid) continue;
    try {
      readdirSync(`/proc/${entry}/fd`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EACCES') return true;
    }
  }
  return false;
}

/** What readlinkOrNull says of a descriptor whose process we may not look into (EACCES). */
const DENIED = Symbol('denied');

function readlinkOrNull(p: string, readlink: (p: string) => string): string | null | typeof DENIED {
  try {
    return readlink(p);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EACCES' ? DENIED : null;
  }
}

function openForWriting(pid: string, fd: string): boolean {
  try {
    const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    const flags = /^flags:\s*([0-7]+)/m.exec(info);
    // Without flags (old kernels) an open fd on the log is taken as a writer: safer to refuse a launch.
    return flags ? (parseInt(flags[1], 8) & O_ACCMODE) !== 0 : true;
  } catch {
    return true;
  }
}

/**
 * The writers of the log that are not ours: not this dashboard, and not in the session of any run we launched
 * (a run's helpers inherit its log descriptors and share its session, whose id is the run's pid).
 */
export async function externalWriters(logFile: string, ourRunPids: number[], moved: FileId[] = []): Promise<number[]> {
  return notOurs((await writersOfFiles([logFile], new Map([[logFile, moved]]))).get(logFile) ?? [], ourRunPids);
}

/** The pids among `writers` that are not ours (see {@link externalWriters}). */
export function notOurs(writers: number[], ourRunPids: number[]): number[] {
  const ours = new Set(ourRunPids);
  return writers.filter((pid) => {
    if (pid === process.pid || ours.has(pid)) return false;
    const session = readProcStat(pid)?.session;
    // A writer that vanished mid-check writes nothing any more.
    return session !== undefined && !ours.has(session);
  });
}

/** Who writes a log, asked by many jobs: asks that come within `windowMs` of each other share one walk of /proc. */
export interface WritersScan {
  /** The writers of `logFile` (and of the files it was before, `moved`) that are not ours, as {@link externalWriters}. */
  external(logFile: string, ourRunPids: number[], moved?: FileId[]): Promise<number[]>;
  /** Looks asked for, walks of /proc made for them, and whether asks are waiting for their walk (tests, bench). */
  readonly asks: number;
  readonly walks: number;
  readonly waiting: boolean;
}

export function createWritersScan(opts: { windowMs?: number } = {}): WritersScan {
  const windowMs = opts.windowMs ?? 25;
  let pending: { files: Map<string, FileId[]>; result: Promise<Map<string, number[]>> } | null = null;
  let walks = 0;
  let asks = 0;
  const ask = (file: string, moved: FileId[]): Promise<Map<string, number[]>> => {
    asks += 1;
    if (!pending) {
      const files = new Map<string, FileId[]>();
      const result = new Promise<Map<string, number[]>>((resolve, reject) => {
        setTimeout(() => {
          pending = null;
          walks += 1;
          writersOfFiles([...files.keys()], files).then(resolve, reject);
        }, windowMs);
      });
      pending = { files, result };
    }
    pending.files.set(file, [...(pending.files.get(file) ?? []), ...moved]);
    return pending.result;
  };
  return {
    async external(logFile, ourRunPids, moved = []) {
      return notOurs((await ask(logFile, moved)).get(logFile) ?? [], ourRunPids);
    },
    get walks() {
      return walks;
    },
    get asks() {
      return asks;
    },
    get waiting() {
      return pending !== null;
    },
  };
}
