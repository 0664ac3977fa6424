import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';

/** The fields of /proc/PID/stat the runner needs. */
export interface ProcStat {
  /** One letter: R, S, D, Z (zombie), X (dead), T... */
  state: string;
  ppid: number;
  /** Process group id: equals the pid for a child we launched detached. */
  pgrp: number;
  /** Session id: equals the pid for a child we launched detached (setsid). */
  session: number;
  /** Clock ticks since boot when the process started: with the pid, it names one process for good. */
  startTime: number;
}

/**
 * When a process started, as recorded beside its pid: `/proc/PID/stat` starttime (clock ticks since boot, a
 * number) where /proc exists, else `ps -o lstart=` read in UTC (a string `ps:Mon Nov 30 04:53:45 2026`,
 * one-second resolution) on systems without /proc such as macOS and the BSDs.
 */
export type ProcStart = number | string;

/** Whether this system has a Linux /proc (read once: it does not come and go). */
export const HAS_PROC = existsSync('/proc/self/stat');

/**
 * Reads /proc/PID/stat, or null when the process is gone or /proc is not there.
 * Synchronous on purpose: /proc lives in memory and callers check liveness right before signalling.
 */
export function readProcStat(pid: number): ProcStat | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  return parseProcStat(text);
}

/** Parses one /proc/PID/stat line; the command name may hold spaces and parentheses, so split after the last ')'. */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // Fields after the name start at field 3 (state); starttime is field 22, so index 19 here.
  const rest = text.slice(close + 2).trim().split(/\s+/);
  if (rest.length < 20) return null;
  const [state, ppid, pgrp, session] = [rest[0], Number(rest[1]), Number(rest[2]), Number(rest[3])];
  const startTime = Number(rest[19]);
  if (!state || ![ppid, pgrp, session, startTime].every(Number.isFinite)) return null;
  return { state, ppid, pgrp, session, startTime };
}

/**
 * What `ps -o stat= -o lstart= -p PID` says (the portable way where /proc is missing): the state letters and
 * the start time, or null when the process is gone or ps cannot answer. Run with TZ=UTC and LC_ALL=C so the
 * text is the same for every dashboard that reads it, whatever its locale and zone.
 */
export function readPsStart(pid: number): { state: string; start: string } | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  let out: string;
  try {
    // node:child_process loads only where ps is asked (no /proc): `status` imports this module on every run.
    const { execFileSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
    out = execFileSync('ps', ['-o', 'stat=', '-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' },
    });
  } catch {
    return null; // ps exits 1 for a pid that is gone
  }
  const m = /^\s*(\S+)\s+(\S.*\S)\s*$/.exec(out.split('\n')[0] ?? '');
  return m ? { state: m[1], start: `ps:${m[2].replace(/\s+/g, ' ')}` } : null;
}

/** The process start time to record beside a pid, or null when it cannot be read (then it is never attached). */
export function procStartOf(pid: number, via: 'proc' | 'ps' = HAS_PROC ? 'proc' : 'ps'): ProcStart | null {
  return via === 'proc' ? (readProcStat(pid)?.startTime ?? null) : (readPsStart(pid)?.start ?? null);
}

/**
 * True only if PID runs now and is provably the process that was recorded: its start time must match, so a
 * pid the kernel handed to someone else is never taken for ours. A zombie counts as gone. A record without a
 * start time proves nothing (signal 0 cannot tell a reused pid), so it is never alive: such a run is never
 * attached and never signalled.
 */
export function isAlive(pid: number | null, procStart: ProcStart | null): boolean {
  if (pid === null || !Number.isInteger(pid) || pid <= 0 || procStart === null) return false;
  if (typeof procStart === 'string') {
    const ps = readPsStart(pid);
    return ps !== null && !/^[ZX]/.test(ps.state) && ps.start === procStart;
  }
  const stat = readProcStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
  return stat.startTime === procStart;
}

/**
 * Whether some process has this pid (signal 0), proving nothing about which. Only for the launch lock, where
 * an unprovable holder must count as present: refusing a launch is safe, launching twice is not.
 */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
