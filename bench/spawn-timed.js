import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const GNU_TIME = '/usr/bin/time';

/** How peak RSS is measured: GNU time's %M when it is installed, else polling /proc/PID/status VmHWM. */
export const rssMethod = existsSync(GNU_TIME) ? '/usr/bin/time %M' : '/proc/PID/status VmHWM (polled every 5 ms)';

let seq = 0;

/**
 * Runs `cmd args` to its end and measures its wall time (from spawn to exit, as seen here), peak RSS and,
 * with GNU time, its CPU time (user + system, 10 ms steps; NaN without GNU time). Resolves
 * { ms, rssKB, cpuMs, code, stdout } with stdout as a string; stderr is kept only for failures.
 */
export function runTimed(cmd, args, opts = {}) {
  const useTime = existsSync(GNU_TIME);
  const rssFile = join(tmpdir(), `backfill-bench-rss-${process.pid}-${seq++}`);
  const [file, argv] = useTime ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const start = performance.now();
    // opts.stdoutFile: stdout goes to that file (grep -c must write somewhere real: to /dev/null it stops at the first match).
    const outFd = opts.stdoutFile ? openSync(opts.stdoutFile, 'w') : null;
    const child = spawn(file, argv, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', outFd ?? 'pipe', 'pipe'] });
    if (outFd !== null) closeSync(outFd);
    const out = [];
    const err = [];
    child.stdout?.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    let hwm = NaN;
    const poll = useTime ? null : setInterval(() => (hwm = Math.max(Number.isFinite(hwm) ? hwm : 0, vmHwm(child.pid))), 5);
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      if (poll) clearInterval(poll);
      let rssKB = hwm;
      let cpuMs = NaN;
      if (useTime) {
        try {
          const [m, user, sys] = readFileSync(rssFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
          rssKB = m;
          cpuMs = (user + sys) * 1000;
        } catch {
          rssKB = NaN;
        }
        rmSync(rssFile, { force: true });
      }
      const stdout = opts.stdoutFile ? readFileSync(opts.stdoutFile, 'utf8') : Buffer.concat(out).toString('utf8');
      resolve({ ms, rssKB, cpuMs, code, stdout, stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** VmHWM of a live process in KiB, or 0 once it is gone. */
function vmHwm(pid) {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
