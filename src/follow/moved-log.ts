/** A file by its identity: it stays when the file is renamed; a new file at the same path has another. */
export interface FileId {
  dev: number;
  ino: number;
}

/** One descriptor a process has open for writing on a file. */
export interface WriterFd {
  pid: number;
  fd: number;
  /** What the descriptor names now (`/proc/PID/fd/N`'s link): the path after a rename, ` (deleted)` after an unlink. */
  path: string;
  id: FileId;
}

/**
 * What a follower may ask about who writes a file, to follow a log moved aside under its writer (tester W20:
 * `mv bf.log bf.log.1`, logrotate's default `create`). Absent where processes cannot be seen: a moved log is then
 * left as before, for whatever the path names next.
 */
export interface FollowWriters {
  /** The descriptors open for writing on the file `id` now. */
  holding(id: FileId): Promise<WriterFd[]>;
  /** The descriptors writing the file `path` named before it was moved aside, found by its name; empty when none. */
  movedFrom(path: string): Promise<WriterFd[]>;
  /** Opens one such descriptor's file for reading (e.g. /proc/PID/fd/N: a deleted file is still there). */
  openPath(w: WriterFd): string;
}

/** The log the follower reads under another name while its writer goes on: where, written by whom, which file. */
export interface MovedLog extends FileId {
  /** The path the writer's descriptor names (` (deleted)` when the file was removed). */
  to: string;
  pids: number[];
}

/** The moved log as one report, from the descriptors found on it. */
export function movedLogOf(fds: WriterFd[], id: FileId): MovedLog {
  return { to: fds[0].path, pids: [...new Set(fds.map((w) => w.pid))].sort((a, b) => a - b), dev: id.dev, ino: id.ino };
}

/** Two reports say the same (no new event). */
export function sameMoved(a: MovedLog | null, b: MovedLog | null): boolean {
  return a === b || (a !== null && b !== null && a.to === b.to && a.dev === b.dev && a.ino === b.ino && a.pids.join() === b.pids.join());
}
