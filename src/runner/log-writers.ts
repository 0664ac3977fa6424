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
  let target: string;
  try {
    target = await realpath(logFile);
  } catch {
    return []; // no log yet: nobody writes it
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const writers: number[] = [];
  for (const entry of entries) {
    if (entry.charCodeAt(0) > 57) continue; // not a pid (names start with a letter)
    if (writesTo(entry, target)) writers.push(Number(entry));
  }
  return writers;
}

function writesTo(pid: string, target: string): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== target) continue;
      if (openForWriting(pid, fd)) return true;
    } catch {
      // the fd or the process went away mid-scan
    }
  }
  return false;
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
  const ours = new Set(ourRunPids);
  return (await logWriters(logFile)).filter((pid) => {
    if (pid === process.pid || ours.has(pid)) return false;
    const session = readProcStat(pid)?.session;
    // A writer that vanished mid-check writes nothing any more.
    return session !== undefined && !ours.has(session);
  });
}
