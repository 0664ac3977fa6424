import { spawn } from 'node:child_process';
import { HAS_PROC, readProcStat } from './proc.js';
import { runsPath } from './runs-file.js';
import type { SessionMember } from './session.js';

/** A stop the dashboard was left during, to be carried on: SIGTERM at `dueAt` to the run's groups if it still runs. */
export interface CarriedStop {
  stateDir: string;
  runId: string;
  /** When SIGTERM is due (epoch ms): the SIGINT's time plus its grace. */
  dueAt: number;
  /** The run's processes now (session.ts runProcesses): each names its group, and proves it by its start time. */
  members: SessionMember[];
}

/**
 * What the carrier runs (`node -e`, CommonJS, nothing imported from the package: it must outlive any install). It
 * polls every 250 ms: when no member is alive with its recorded start time the run is gone and it exits; at
 * `dueAt` it sends SIGTERM to each group that still has a proven member, appends a StopRecord with
 * `signal: "SIGTERM"` to runs.jsonl, and exits. Never SIGKILL: that takes the operator's decision.
 */
const CARRIER = `
const fs = require('fs');
const a = JSON.parse(process.argv[1]);
const startOf = (pid) => { try { const t = fs.readFileSync('/proc/' + pid + '/stat', 'utf8'); const r = t.slice(t.lastIndexOf(')') + 2).trim().split(/\\s+/); return r[0] === 'Z' || r[0] === 'X' ? null : Number(r[19]); } catch { return null; } };
const alive = (m) => startOf(m.pid) === m.procStart;
const step = () => {
  const live = a.members.filter(alive);
  if (live.length === 0) return;
  const left = a.dueAt - Date.now();
  if (left > 0) return void setTimeout(step, Math.min(250, left));
  for (const g of new Set(live.map((m) => m.pgrp))) { try { process.kill(-g, 'SIGTERM'); } catch {} }
  try {
    const c = fs.constants; const fd = fs.openSync(a.runs, c.O_RDWR | c.O_APPEND | c.O_CREAT | c.O_NONBLOCK);
    const st = fs.fstatSync(fd); if (!st.isFile()) { fs.closeSync(fd); return; }
    const size = st.size; const last = Buffer.alloc(1);
    const torn = size > 0 && fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 10;
    fs.writeSync(fd, (torn ? '\\n' : '') + JSON.stringify({ type: 'stop', id: a.id, at: Date.now(), signal: 'SIGTERM' }) + '\\n');
    fs.fsyncSync(fd); fs.closeSync(fd);
  } catch {}
};
step();
`;

/**
 * Hands the rest of a stop (its SIGTERM) to a detached process of its own, so that leaving the dashboard during
 * the SIGINT grace never drops a confirmed stop (tester Y9: the promised SIGTERM never came and the run scraped on).
 * Returns the carrier's pid, or null where it cannot prove the run's processes (no /proc: the next dashboard carries
 * the stop on from its record).
 */
export function carryStop(stop: CarriedStop): number | null {
  // Start times are /proc clock ticks here; a `ps:` start (no /proc) cannot be checked from the carrier.
  const members = stop.members.filter((m) => typeof m.procStart === 'number' && readProcStat(m.pid)?.startTime === m.procStart);
  if (!HAS_PROC || members.length === 0) return null;
  const args = { id: stop.runId, runs: runsPath(stop.stateDir), dueAt: stop.dueAt, members: members.map((m) => ({ pid: m.pid, procStart: m.procStart, pgrp: m.pgrp })) };
  try {
    const child = spawn(process.execPath, ['-e', CARRIER, JSON.stringify(args)], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    return child.pid ?? null;
  } catch {
    return null;
  }
}
