import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { HAS_PROC, isAlive, readProcStat, type ProcStart } from './proc.js';

/** A process of a run's session: its pid, start time (ticks since boot) and process group. */
export interface SessionMember {
  pid: number;
  procStart: number;
  pgrp: number;
}

/** A process recorded as left running when the launched command exited (runs.jsonl `left` record). */
export interface Survivor {
  pid: number;
  procStart: ProcStart;
}

/** The launched command and what it left: enough to tell the run's processes from anyone else's. */
export interface RunProcess {
  pid: number;
  procStart: ProcStart | null;
  /** Processes of its session recorded alive when the launched command exited (a wrapper that backgrounds the backfill). */
  left?: Survivor[];
}

/**
 * The live processes (zombies excluded) in session `sid`, started no earlier than `notBefore` (clock ticks), by
 * one walk of /proc: a command we launch gets a session of its own (setsid, so its id is the command's pid), and
 * whatever it starts stays in it unless it calls setsid itself. Empty where /proc is missing.
 */
export function sessionMembers(sid: number, notBefore = 0): SessionMember[] {
  if (!HAS_PROC || !Number.isInteger(sid) || sid <= 0) return [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: SessionMember[] = [];
  for (const entry of entries) {
    if (entry.charCodeAt(0) > 57) continue; // not a pid
    const st = readProcStat(Number(entry));
    if (!st || st.session !== sid || st.state === 'Z' || st.state === 'X' || st.startTime < notBefore) continue;
    out.push({ pid: Number(entry), procStart: st.startTime, pgrp: st.pgrp });
  }
  return out;
}

/**
 * The processes of a run we launched that still go, each provably the run's (tester W24: a `command` that starts
 * the backfill with `nohup … &` and exits left it running in our session, and the run then read as a stranger's):
 * - the launched command alive (pid and start time): it and every process of its session;
 * - it gone: the processes of its session, provided one process recorded as left running (`left`) is still alive
 *   and still in that session — then the session never emptied, so its id cannot name anyone else's session.
 * Nothing (an empty list) otherwise: a session whose continuity is not proven is never taken for ours.
 * Where /proc is missing only the launched command itself is known.
 */
export function runProcesses(run: RunProcess): SessionMember[] {
  const { pid, procStart } = run;
  const leaderAlive = isAlive(pid, procStart);
  if (typeof procStart !== 'number') return leaderAlive ? [{ pid, procStart: 0, pgrp: pid }] : [];
  if (!leaderAlive && !(run.left ?? []).some((s) => isAlive(s.pid, s.procStart) && readProcStat(s.pid)?.session === pid)) return [];
  const members = sessionMembers(pid, procStart);
  // The leader may have exited between the two looks: then only what the walk found is left.
  return members;
}

/** The process groups to signal to reach every process of the run (the session may hold several). */
export function runGroups(members: SessionMember[]): number[] {
  return [...new Set(members.map((m) => m.pgrp))];
}

/**
 * What the launched command left running when it exited: its session's processes (none where /proc is missing).
 * Called right after the exit, while the session cannot yet have been handed on.
 */
export function leftRunning(pid: number, procStart: ProcStart | null): Survivor[] {
  if (typeof procStart !== 'number') return [];
  return sessionMembers(pid, procStart).map((m) => ({ pid: m.pid, procStart: m.procStart }));
}

/**
 * Whether process `pid` ignores signal `sig` (SIG_IGN: the SigIgn mask of /proc/PID/status). A command started with
 * `&` by a shell script runs with SIGINT and SIGQUIT ignored (POSIX, job control off), and a program that does not
 * set its own handler (Python does not, then) keeps it so: SIGINT can never end it. False when unknown.
 */
export function ignoresSignal(pid: number, sig: NodeJS.Signals): boolean {
  const num = constants.signals[sig];
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return false;
  }
  const m = /^SigIgn:\s*([0-9a-f]+)/im.exec(text);
  return m ? (BigInt(`0x${m[1]}`) >> BigInt(num - 1)) % 2n === 1n : false;
}
