/**
 * Many jobs (issue 11), measured apart from `npm run bench`: `node bench/platform.js [--idle-ms N]` after
 * `npm run build`. On the platform demo's five jobs and chain (polls at the config defaults, 60 s storage and
 * 300 s warehouse, as a real platform config has them, not the demo's 5 s):
 * - first frame: spawn of the dashboard in an 80×24 tmux until the overview shows, vs `node -e 0` in the same tmux;
 * - idle CPU of the overview (nothing running), utime+stime over the window, % of one core;
 * - `status --json` for the five jobs vs for one (`--job player-boxscores`), medians of 5 interleaved runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const idleMs = arg('--idle-ms', 60_000);
// A fresh server per window: a new session on a socket whose server is still shutting down fails.
let windows = 0;
const socket = () => `bt-bench-${process.pid}-${windows}`;
const tmux = (...args) => execFileSync('tmux', ['-L', socket(), '-f', '/dev/null', ...args], { encoding: 'utf8' });
const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

/** Spawns `command` in a fresh 80×24 tmux window; ms until `text` is on screen. */
async function untilShown(command, text, cwd) {
  windows += 1;
  const t0 = performance.now();
  tmux('new-session', '-d', '-s', 'b', '-x', '80', '-y', '24', '-c', cwd, command);
  for (;;) {
    if (tmux('capture-pane', '-p', '-t', 'b').includes(text)) return performance.now() - t0;
    if (performance.now() - t0 > 30_000) throw new Error(`"${text}" never shown`);
    await sleep(5);
  }
}

const kill = () => {
  try {
    tmux('kill-server');
  } catch {}
};

const dir = mkdtempSync(join(tmpdir(), 'backfill-bench-platform-'));
try {
  const { setUpPlatformDemo } = await import('../dist/src/app/platform-demo.js');
  const file = await setUpPlatformDemo(dir, { speed: 8, cli: CLI });
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.defaults.storage.pollSeconds = 60;
  config.defaults.warehouse.pollSeconds = 300;
  for (const s of config.chain.stages) (s.storage ?? s.warehouse).pollSeconds = s.storage ? 60 : 300;
  writeFileSync(file, JSON.stringify(config, null, 2));
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

  const first = [];
  const single = [];
  const peer = [];
  for (let i = 0; i < 5; i++) {
    first.push(await untilShown(`exec ${quote(process.execPath)} ${quote(CLI)} --no-color`, '5 jobs', dir));
    kill();
    single.push(await untilShown(`exec ${quote(process.execPath)} ${quote(CLI)} --no-color --job player-boxscores`, 'player-boxscores', dir));
    kill();
    peer.push(await untilShown(`${quote(process.execPath)} -e 'console.log("peer up"); setTimeout(() => {}, 60000)'`, 'peer up', dir));
    kill();
  }
  console.log(`first frame of the overview (spawn → "5 jobs" on screen): median ${fmtMs(median(first))} [${first.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`first frame of one job's dashboard (--job player-boxscores), same run: median ${fmtMs(median(single))}`);
  console.log(`peer node -e console.log in the same tmux: median ${fmtMs(median(peer))}`);
  console.log(`load average at the start: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);

  for (const [what, args, text] of [['overview, five jobs and a four-stage chain', [], '5 jobs'], ['one job (--job player-boxscores)', ['--job', 'player-boxscores'], 'player-boxscores']]) {
    await untilShown(`exec ${quote(process.execPath)} ${quote(CLI)} --no-color ${args.join(' ')}`, text, dir);
    const pid = Number(tmux('display-message', '-p', '-t', 'b', '#{pane_pid}').trim());
    await sleep(20_000); // first listings of every source, then nothing due for a minute
    const t0 = performance.now();
    const c0 = cpuTicks(pid);
    await sleep(idleMs);
    const percent = ((cpuTicks(pid) - c0) / hz / ((performance.now() - t0) / 1000)) * 100;
    console.log(`idle ${what}, ${idleMs / 1000} s after 20 s: ${percent.toFixed(2)} % of a core`);
    if (args.length === 0) console.log(tmux('capture-pane', '-p', '-t', 'b'));
    kill();
  }

  const five = [];
  const one = [];
  const team = [];
  for (let i = 0; i < 5; i++) {
    for (const [args, out] of [[['status', '--json'], five], [['status', '--json', '--job', 'player-boxscores'], one], [['status', '--json', '--job', 'team-boxscores'], team]]) {
      const t = performance.now();
      const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      out.push(performance.now() - t);
    }
  }
  console.log(`status --json, five jobs + chain: median ${fmtMs(median(five))}; player-boxscores alone: ${fmtMs(median(one))} (${(median(five) / median(one)).toFixed(2)}×); team-boxscores alone (the largest: 5,299 keys, 10,000 folders): ${fmtMs(median(team))} (${(median(five) / median(team)).toFixed(2)}×)`);
} finally {
  kill();
  rmSync(dir, { recursive: true, force: true });
}
