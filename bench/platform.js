/**
 * Many jobs (issue 11), measured apart from `npm run bench`: `node bench/platform.js [--rounds N] [--idle-ms N]`
 * after `npm run build`. On the platform demo's five jobs and chain (polls at the config defaults, 60 s storage
 * and 300 s warehouse, as a real platform config has them, not the demo's 5 s):
 * - first frame: spawn of the dashboard in an 80×24 tmux until the overview shows, vs one job's dashboard and
 *   `node -e` printing a line in the same tmux; the overview's start-up stages (BACKFILL_TUI_TIMING);
 * - idle CPU, utime+stime from /proc over `--idle-ms` (default 30 s) from 20 s after start, when every source
 *   has had its first look and none is due (the next storage look is 60 s after the first): the overview, one
 *   job's dashboard and an idle `node -e setInterval` started together, medians of `--rounds`; then the overview
 *   over 70 s that hold one storage look of every job (local folders: the demo's stand-in for a bucket);
 * - `status --json` for the five jobs vs each job alone and `node -e 0`, wall and CPU time, medians of interleaved runs.
 *   `--only status` (or `first`, `idle`) runs one part.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fmtMs, median, sleep } from './stats.js';

const CLI = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const idleMs = arg('--idle-ms', 30_000);
const rounds = arg('--rounds', 3);
// `--only status` (or `first`, `idle`): one part, for a quick look when the machine is quiet for a moment.
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : null;
const part = (name) => only === null || only === name;
const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
// A fresh server per window: a new session on a socket whose server is still shutting down fails.
let windows = 0;
const servers = new Set();
function terminal(command, cwd, env = {}) {
  windows += 1;
  const socket = `bt-bench-${process.pid}-${windows}`;
  servers.add(socket);
  const tmux = (...args) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const t0 = performance.now();
  tmux('new-session', '-d', '-s', 'b', '-x', '80', '-y', '24', '-c', cwd, ...envArgs, command);
  return {
    t0,
    capture: () => tmux('capture-pane', '-p', '-t', 'b'),
    pid: () => Number(tmux('display-message', '-p', '-t', 'b', '#{pane_pid}').trim()),
    kill() {
      try {
        tmux('kill-server');
      } catch {}
      servers.delete(socket);
    },
  };
}

/** ms from spawn until `text` is on screen. */
async function untilShown(term, text) {
  for (;;) {
    if (term.capture().includes(text)) return performance.now() - term.t0;
    if (performance.now() - term.t0 > 30_000) throw new Error(`"${text}" never shown:\n${term.capture()}`);
    await sleep(5);
  }
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
/** % of one core `pids` used over `ms`, each. */
async function cpuOver(pids, ms) {
  const t0 = performance.now();
  const c0 = pids.map(cpuTicks);
  await sleep(ms);
  const s = (performance.now() - t0) / 1000;
  return pids.map((pid, i) => ((cpuTicks(pid) - c0[i]) / hz / s) * 100);
}
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const dir = mkdtempSync(join(tmpdir(), 'backfill-bench-platform-'));
const timing = join(dir, 'timing.jsonl');
try {
  const { setUpPlatformDemo } = await import('../dist/src/app/platform-demo.js');
  const file = await setUpPlatformDemo(dir, { speed: 8, cli: CLI });
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.defaults.storage.pollSeconds = 60;
  config.defaults.warehouse.pollSeconds = 300;
  for (const s of config.chain.stages) (s.storage ?? s.warehouse).pollSeconds = s.storage ? 60 : 300;
  writeFileSync(file, JSON.stringify(config, null, 2));
  const dash = (args = '') => `exec ${quote(process.execPath)} ${quote(CLI)} --no-color ${args}`;
  const peerIdle = `exec ${quote(process.execPath)} -e 'console.log("peer up"); setInterval(() => {}, 3600000)'`;
  console.log(`load average at the start: ${loadavg()}`);

  const first = [];
  const single = [];
  const peer = [];
  if (part('first')) for (let i = 0; i <= 5; i++) {
    for (const [command, text, out, env] of [[dash(), '5 jobs', first, { BACKFILL_TUI_TIMING: timing }], [dash('--job player-boxscores'), 'player-boxscores', single], [peerIdle, 'peer up', peer]]) {
      const term = terminal(command, dir, env);
      const ms = await untilShown(term, text);
      if (i > 0) out.push(ms); // the first round warms the disk cache
      if (env) for (let w = 0; w < 400 && !(existsSync(timing) && readFileSync(timing, 'utf8').split('\n').filter(Boolean)[i]); w++) await sleep(25);
      term.kill();
    }
  }
  if (part('first')) {
  console.log(`first frame of the overview (spawn → "5 jobs" on screen): median ${fmtMs(median(first))} [${first.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`first frame of one job's dashboard (--job player-boxscores), same run: median ${fmtMs(median(single))}`);
  console.log(`peer node -e console.log in the same tmux: median ${fmtMs(median(peer))}`);
  const records = readFileSync(timing, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).slice(1);
  const names = records[0].marks.map(([m]) => m);
  const stages = [['node ready', median(records.map((r) => r.bootstrap))], ...names.map((n) => [n, median(records.map((r) => r.marks.find(([m]) => m === n)?.[1] ?? NaN))])];
  console.log(`overview start-up stages (ms since the process started, medians of ${records.length}): ${stages.map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(' · ')}`);
  }

  const idle = { overview: [], one: [], peer: [] };
  if (part('idle')) for (let r = 0; r < rounds; r++) {
    const terms = [terminal(dash(), dir), terminal(dash('--job player-boxscores'), dir), terminal(peerIdle, dir)];
    await Promise.all([untilShown(terms[0], '5 jobs'), untilShown(terms[1], 'player-boxscores'), untilShown(terms[2], 'peer up')]);
    await sleep(20_000); // first looks of every source, then nothing due until the 60 s storage looks
    const [o, one, p] = await cpuOver(terms.map((t) => t.pid()), idleMs);
    idle.overview.push(o);
    idle.one.push(one);
    idle.peer.push(p);
    if (r === rounds - 1) console.log(terms[0].capture());
    terms.forEach((t) => t.kill());
  }
  const pct = (xs) => `${median(xs).toFixed(2)} % [${xs.map((x) => x.toFixed(2)).join(', ')}]`;
  if (part('idle')) console.log(`idle CPU, ${idleMs / 1000} s from 20 s after start (no source due), medians of ${rounds}: overview of five jobs + four-stage chain ${pct(idle.overview)}; one job's dashboard ${pct(idle.one)}; peer node -e setInterval ${pct(idle.peer)}`);

  if (part('idle')) {
    const term = terminal(dash(), dir);
    await untilShown(term, '5 jobs');
    await sleep(20_000);
    const [o] = await cpuOver([term.pid()], 70_000);
    console.log(`overview over 70 s from 20 s, holding the 60 s storage look of every job (local folders: 5,299 + 648 + 256 + 0 + 0 keys): ${o.toFixed(2)} % of a core`);
    term.kill();
  }

  // Every job alone too, and CPU time (user + system, from /usr/bin/time) beside wall time: on a loaded machine
  // wall time swings with the load, CPU time much less. Interleaved, the first round a warm-up.
  const alone = ['team-boxscores', 'player-boxscores', 'bdl-standings', 'play-by-play', 'espn-boxscores'];
  const runs = [['five jobs + chain', [CLI, 'status', '--json']], ...alone.map((j) => [j, [CLI, 'status', '--json', '--job', j]]), ['node -e 0', ['-e', '0']]];
  const wall = new Map(runs.map(([name]) => [name, []]));
  const cpu = new Map(runs.map(([name]) => [name, []]));
  const timed = existsSync('/usr/bin/time');
  if (part('status')) for (let i = 0; i <= 7; i++) {
    for (const [name, args] of runs) {
      const t = performance.now();
      const r = timed
        ? spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, ...args], { cwd: dir, encoding: 'utf8' })
        : spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      if (i === 0) continue;
      wall.get(name).push(performance.now() - t);
      const m = /cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
      if (m) cpu.get(name).push((Number(m[1]) + Number(m[2])) * 1000);
    }
  }
  if (part('status')) {
    const five = runs[0][0];
    const row = (name) => `${name}: wall ${fmtMs(median(wall.get(name)))} (five ${(median(wall.get(five)) / median(wall.get(name))).toFixed(2)}×)${timed ? `, CPU ${fmtMs(median(cpu.get(name)))} (five ${(median(cpu.get(five)) / median(cpu.get(name))).toFixed(2)}×)` : ''}`;
    console.log(`status --json, medians of 7 interleaved (five ÷ this in brackets):\n  ${runs.map(([name]) => row(name)).join('\n  ')}`);
  }
  console.log(`load average at the end: ${loadavg()}`);
} finally {
  for (const socket of servers) {
    try {
      execFileSync('tmux', ['-L', socket, 'kill-server']);
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
}
