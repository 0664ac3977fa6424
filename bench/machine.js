import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The machine the figures come from, read at the start of the run (load average then). */
export function machineInfo() {
  let nproc = String(os.availableParallelism?.() ?? os.cpus().length);
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // nproc missing: the count node sees is the same figure.
  }
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux: os.cpus() is the fallback.
  }
  let load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  try {
    load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    // os.loadavg() already holds it.
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    nproc,
    cpu,
    load,
    memGB: (os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
  };
}

/** One line naming the machine, for the end of the table. */
export function machineLine(m) {
  return `Machine: ${m.date.slice(0, 16).replace('T', ' ')} UTC · node ${m.node} · nproc ${m.nproc} · ${m.cpu} · ${m.memGB} GiB RAM · Linux ${m.kernel} · load average at start ${m.load}`;
}
