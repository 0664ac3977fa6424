import { readFileSync } from 'node:fs';

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

/** The process start time to record beside a pid, or null when it cannot be read. */
export function procStartOf(pid: number): number | null {
  return readProcStat(pid)?.startTime ?? null;
}

/**
 * True only if PID runs now and is the same process that was recorded: its start time must match,
 * so a pid the kernel handed to someone else is never taken for ours. A zombie counts as gone.
 * With procStart null (recorded where /proc was missing) only signal 0 can answer, which cannot tell reuse.
 */
export function isAlive(pid: number | null, procStart: number | null): boolean {
  if (pid === null || !Number.isInteger(pid) || pid <= 0) return false;
  if (procStart === null) return signalZero(pid);
  const stat = readProcStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
  return stat.startTime === procStart;
}

function signalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
