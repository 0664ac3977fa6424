import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { readProcStat } from './proc.js';

const O_ACCMODE = 0o3;

/**
 * Pids of processes that have `logFile` open for writing, found through /proc/PID/fd links and the access
 * mode in /proc/PID/fdinfo. Processes we may not look into are skipped. Synchronous reads of /proc (memory,
 * no disk) keep a whole scan to a few milliseconds; an empty list where /proc is missing.
 */
export async function logWriters(logFile: string): Promise<number[]> {
  return (await writersOfFiles([logFile])).get(logFile) ?? [];
}

/**
 * {@link logWriters} for several files in one walk of /proc (the walk is the cost, not the number of files):
 * each file (as given) to the pids that have it open for writing.
 */
export async function writersOfFiles(files: string[]): Promise<Map<string, number[]>> {
  const result = new Map<string, number[]>(files.map((f) => [f, []]));
  const byTarget = new Map<string, string[]>();
  for (const file of new Set(files)) {
    const target = await realpath(file).catch(() => null); // no log yet: nobody writes it
    if (target !== null) byTarget.set(target, [...(byTarget.get(target) ?? []), file]);
  }
  if (byTarget.size === 0) return result;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return result;
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) > 57) continue; // not a pid (names start with a letter)
    for (const target of writtenBy(entry, byTarget)) for (const file of byTarget.get(target)!) result.get(file)!.push(Number(entry));
  }
  return result;
}

/** The targets among `targets` that process `pid` has open for writing. */
function writtenBy(pid: string, targets: Map<string, unknown>): Set<string> {
  const found = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return found;
  }
  for (const fd of fds) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (!targets.has(link) || found.has(link)) continue;
      if (openForWriting(pid, fd)) found.add(link);
    } catch {
      // the fd or the process went away mid-scan
    }
  }
  return found;
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
export async function externalWriters(logFile: string, ourRunPids: number[]): Promise<number[]> {
  return notOurs(await logWriters(logFile), ourRunPids);
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
  /** The writers of `logFile` that are not ours, as {@link externalWriters}. */
  external(logFile: string, ourRunPids: number[]): Promise<number[]>;
  /** Looks asked for, walks of /proc made for them, and whether asks are waiting for their walk (tests, bench). */
  readonly asks: number;
  readonly walks: number;
  readonly waiting: boolean;
}

export function createWritersScan(opts: { windowMs?: number } = {}): WritersScan {
  const windowMs = opts.windowMs ?? 25;
  let pending: { files: Set<string>; result: Promise<Map<string, number[]>> } | null = null;
  let walks = 0;
  let asks = 0;
  const ask = (file: string): Promise<Map<string, number[]>> => {
    asks += 1;
    if (!pending) {
      const files = new Set<string>();
      const result = new Promise<Map<string, number[]>>((resolve, reject) => {
        setTimeout(() => {
          pending = null;
          walks += 1;
          writersOfFiles([...files]).then(resolve, reject);
        }, windowMs);
      });
      pending = { files, result };
    }
    pending.files.add(file);
    return pending.result;
  };
  return {
    async external(logFile, ourRunPids) {
      return notOurs((await ask(logFile)).get(logFile) ?? [], ourRunPids);
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
