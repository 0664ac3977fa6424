import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sleep } from './stats.js';

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/**
 * CPU an idle dashboard uses: the built CLI in an 80×24 pseudo-terminal (tmux on a private socket, or
 * `script` when tmux is missing) on a finished log; after `settleMs`, utime+stime of the node process
 * from /proc/PID/stat over `measureMs`, as % of one core. Also counts the bytes it drew meanwhile.
 */
export async function idleCpu({ cli, log, settleMs, measureMs, warmMs = 30_000, cols = 80, rows = 24 }) {
  const cwd = mkdtempSync(join(tmpdir(), 'backfill-bench-tty-'));
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const command = `exec ${quote(process.execPath)} ${quote(cli)} --log ${quote(log)}`;
  // BENCH_TTY=script forces the fallback (to check it on a machine that has tmux).
  const term = process.env.BENCH_TTY !== 'script' && hasCommand('tmux') ? tmuxTerminal(cwd, command, cols, rows) : scriptTerminal(cwd, command, cols, rows);
  try {
    const pid = await term.nodePid();
    await sleep(settleMs);
    const screen = term.capture();
    const drawn = join(cwd, 'drawn');
    term.record(drawn);
    // The first half minute after a long read carries V8's memory-reducer GCs; measured apart from the steady state.
    const warm0 = cpuTicks(pid);
    const w0 = performance.now();
    await sleep(warmMs);
    const warmPercent = ((cpuTicks(pid) - warm0) / hz / ((performance.now() - w0) / 1000)) * 100;
    const ticks0 = cpuTicks(pid);
    const t0 = performance.now();
    await sleep(measureMs);
    const ticks1 = cpuTicks(pid);
    const seconds = (performance.now() - t0) / 1000;
    term.record(null);
    const rssKB = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    const cpuSeconds = (ticks1 - ticks0) / hz;
    return {
      via: term.name,
      seconds,
      cpuSeconds,
      percent: (cpuSeconds / seconds) * 100,
      warmMs,
      warmPercent,
      hz,
      rssKB,
      ...drawnStats(term, drawn),
      screen,
    };
  } finally {
    await term.close();
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** Bytes the dashboard drew while idle, and how many of them were whole-screen clears (ESC[2J). */
function drawnStats(term, file) {
  const bytes = term.recorded ? term.recorded() : existsSync(file) ? readFileSync(file) : null;
  if (bytes === null) return { drawnBytes: null, clears: null };
  return { drawnBytes: bytes.length, clears: bytes.toString('latin1').split('\x1b[2J').length - 1 };
}

/** utime + stime of a process, in clock ticks (fields 14 and 15; the name in parentheses may hold spaces). */
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function hasCommand(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function tmuxTerminal(cwd, command, cols, rows) {
  const sock = `backfill-bench-${process.pid}`;
  const tmux = (...args) => execFileSync('tmux', ['-L', sock, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  tmux('new-session', '-d', '-x', String(cols), '-y', String(rows), '-c', cwd, command);
  const panePid = Number(tmux('list-panes', '-F', '#{pane_pid}').trim());
  return {
    name: `tmux ${cols}×${rows}`,
    nodePid: () => findNode(panePid),
    capture: () => tmux('capture-pane', '-p'),
    record: (file) => (file ? tmux('pipe-pane', '-o', `cat > ${quote(file)}`) : tmux('pipe-pane')),
    async close() {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
      await endProcess(panePid);
    },
  };
}

function scriptTerminal(cwd, command, cols, rows) {
  // stdin stays an open pipe we never write to: at EOF script would end the session.
  const child = spawn('script', ['-qfc', `stty cols ${cols} rows ${rows}; ${command}`, '/dev/null'], { cwd, stdio: ['pipe', 'pipe', 'ignore'] });
  const out = [];
  let recording = null;
  child.stdout.on('data', (d) => {
    out.push(d);
    if (recording && !recording.stopped) recording.chunks.push(d);
  });
  return {
    name: 'script (pty)',
    nodePid: () => findNode(child.pid),
    capture: () => lastFrame(Buffer.concat(out).toString('utf8')),
    record(file) {
      if (file) recording = { chunks: [], stopped: false };
      else if (recording) recording.stopped = true;
    },
    recorded: () => (recording ? Buffer.concat(recording.chunks) : null),
    async close() {
      child.stdin.end();
      child.kill('SIGTERM');
      await sleep(200);
    },
  };
}

/** The text of the last full-screen frame in a raw terminal stream, escape sequences removed. */
function lastFrame(raw) {
  const frame = raw.slice(raw.lastIndexOf('\x1b[2J'));
  return frame.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}

/** The node process at or under `pid` (exec usually makes it `pid` itself); waits up to 5 s for it. */
async function findNode(pid) {
  for (let i = 0; i < 100; i++) {
    const found = descendants(pid).find((p) => comm(p) === 'node');
    if (found) return found;
    await sleep(50);
  }
  throw new Error(`no node process under pid ${pid}`);
}

function descendants(pid) {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    for (const task of safeList(`/proc/${all[i]}/task`)) {
      for (const c of safeRead(`/proc/${all[i]}/task/${task}/children`).split(' ').filter(Boolean)) all.push(Number(c));
    }
  }
  return all;
}

const safeList = (dir) => (existsSync(dir) ? readdirSync(dir) : []);
const safeRead = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const comm = (pid) => safeRead(`/proc/${pid}/comm`).trim();

/** Waits for a process we started to end after its terminal went away; SIGTERM to it by pid after 3 s. */
async function endProcess(pid) {
  for (let i = 0; i < 60 && existsSync(`/proc/${pid}`); i++) await sleep(50);
  if (existsSync(`/proc/${pid}`) && comm(pid) === 'node') process.kill(pid, 'SIGTERM');
}
