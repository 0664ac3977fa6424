#!/usr/bin/env node
/**
 * What the official Cloud Run and Cloud Logging clients cost (README, "Which client, and why"): a fresh `node` per
 * sample imports dist/src/cloud-run/api.js, loads `@google-cloud/run` and `@google-cloud/logging`, runs the job once
 * (jobs:run) and lists entries once (entries:list) against the shipped loopback region; `node -e 0` interleaved as
 * the machine's pace; medians. Also the size the two clients add to node_modules (the packages only they need) and,
 * with --callgrind, the instructions of one sample (valgrind: steady under a loaded machine, unlike wall time).
 *
 *   node bench/cloud-run-clients.js [--samples 5] [--before DIR] [--callgrind]
 *
 * --before DIR: the same calls through DIR's built dist/src/cloud-run/api.js (a checkout of an earlier commit, e.g.
 * the google-auth-library transport this project used before the official clients), in the same rounds.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo, machineLine } from './machine.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : null);
const samples = Number(arg('--samples') ?? 5);
const before = arg('--before');
const callgrind = process.argv.includes('--callgrind');
const machine = machineInfo();

const scratch = '/tmp/bench-cloud-run-clients';
rmSync(scratch, { recursive: true, force: true });
const server = spawn(process.execPath, [`${ROOT}dist/src/cli.js`, 'loopback-cloud-run', '--project', 'p', '--region', 'r', '--jobs', 'j', '--scratch', scratch, '--log-delay', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve) => server.stdout.on('data', (d) => { const m = /listening (\S+)/.exec(String(d)); if (m) resolve(m[1]); }));

/** One sample's code: marks after each step (ms since the process's start), and the resident memory at the end. */
const sampleCode = (root, breakdown) => `
const mark = () => performance.now();
const t = { start: mark() };
const { createCloudRunApi } = await import(${JSON.stringify(`${root}dist/src/cloud-run/api.js`)});
t.api = mark();
${breakdown ? `await import('@google-cloud/run'); t.run = mark(); await import('@google-cloud/logging'); t.logging = mark();` : ''}
const api = createCloudRunApi({ apiEndpoint: '${url}', loggingEndpoint: '${url}' });
await api.runJob({ project: 'p', region: 'r', job: 'j' }, { args: ['--keys=2024-01-02', '--speed=50'] });
t.jobsRun = mark();
await api.listEntries({ resourceNames: ['projects/p'], filter: 'timestamp>="2020-01-01T00:00:00Z"', orderBy: 'timestamp asc', pageSize: 10 });
t.entriesList = mark();
console.log(JSON.stringify({ t, rssMB: process.memoryUsage().rss / 1e6 }));
process.exit(0);`;

const run = (code, cwd) => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd, encoding: 'utf8' }));
const nodeOnly = () => {
  const t = performance.now();
  execFileSync(process.execPath, ['-e', '0']);
  return performance.now() - t;
};
const rows = { node: [], now: [], before: [] };
for (let i = 0; i < samples; i++) {
  rows.node.push(nodeOnly());
  rows.now.push(run(sampleCode(ROOT, true), ROOT));
  if (before) rows.before.push(run(sampleCode(before.endsWith('/') ? before : `${before}/`, false), before));
}
server.kill('SIGTERM');

const median = (xs) => { const v = [...xs].sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };
const ms = (x) => `${Math.round(x)} ms`;
console.log(`node -e 0 (whole process, the machine's pace): ${ms(median(rows.node))}`);
for (const [name, xs] of [['official clients', rows.now], ['before (--before)', rows.before]]) {
  if (!xs.length) continue;
  const step = (from, to) => ms(median(xs.map((x) => x.t[to] - x.t[from])));
  const parts = name === 'official clients'
    ? `import api.js ${step('start', 'api')} · load @google-cloud/run ${step('api', 'run')} · load @google-cloud/logging ${step('run', 'logging')} · first jobs:run ${step('logging', 'jobsRun')} · first entries:list ${step('jobsRun', 'entriesList')}`
    : `import api.js ${step('start', 'api')} · first jobs:run (loading its transport) ${step('api', 'jobsRun')} · first entries:list ${step('jobsRun', 'entriesList')}`;
  console.log(`${name}: load + first jobs:run + first entries:list ${step('start', 'entriesList')} (in the process, after Node's start): ${parts}; resident memory after ${Math.round(median(xs.map((x) => x.rssMB)))} MB`);
}

// The packages only the two clients need: what depending on them adds to node_modules.
const size = (dir) => {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) bytes += size(p);
    else bytes += lstatSync(p).blocks * 512;
  }
  return bytes;
};
/** Where `name` resolves from package directory `from` (Node's lookup: nested node_modules, then up). */
const resolvePkg = (from, name) => {
  const top = join(ROOT, '.');
  for (let dir = join(from, '.'); dir.startsWith(top); dir = join(dir, '..')) {
    const p = join(dir, 'node_modules', name);
    if (existsSync(join(p, 'package.json'))) return p;
    if (dir === top) break;
  }
  return null;
};
const closure = (roots) => {
  const seen = new Set();
  const todo = roots.map((r) => resolvePkg(ROOT, r)).filter(Boolean);
  while (todo.length) {
    const dir = todo.pop();
    if (seen.has(dir)) continue;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const p = resolvePkg(dir, dep);
      if (p) todo.push(p);
    }
  }
  return seen;
};
const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const clients = ['@google-cloud/run', '@google-cloud/logging'];
const others = closure([...Object.keys(own.dependencies), ...Object.keys(own.devDependencies)].filter((d) => !clients.includes(d)));
const only = [...closure(clients)].filter((d) => !others.has(d));
// A nested package's size is counted once, with the outermost directory that holds it.
const outer = only.filter((d) => !only.some((o) => o !== d && d.startsWith(`${o}/`)));
const mb = (b) => (b / 1e6).toFixed(1);
console.log(`node_modules: ${mb(size(join(ROOT, 'node_modules')))} MB, of which ${mb(outer.reduce((n, d) => n + size(d), 0))} MB in ${only.length} packages only the two clients need`);

if (callgrind) {
  // Instructions of a whole process (Node's start included; `node -e 0` beside it): what loading costs, whatever the load.
  const count = (args, cwd) => {
    const r = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...args], { cwd, encoding: 'utf8', maxBuffer: 1e8 });
    const m = /Collected\s*:\s*(\d+)/.exec(r.stderr);
    return m ? Number(m[1]) : NaN;
  };
  const server2 = spawn(process.execPath, [`${ROOT}dist/src/cli.js`, 'loopback-cloud-run', '--project', 'p', '--region', 'r', '--jobs', 'j', '--scratch', scratch, '--log-delay', '0', '--port', String(new URL(url).port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => server2.stdout.on('data', (d) => /listening/.test(String(d)) && resolve()));
  const g = (n) => `${(n / 1e9).toFixed(2)} G`;
  const base = count(['-e', '0'], ROOT);
  const nowI = count(['--input-type=module', '-e', sampleCode(ROOT, false)], ROOT);
  console.log(`instructions (callgrind): node -e 0 ${g(base)} · official clients' sample ${g(nowI)} (+${g(nowI - base)})`);
  if (before) {
    const b = count(['--input-type=module', '-e', sampleCode(before.endsWith('/') ? before : `${before}/`, false)], before);
    console.log(`instructions (callgrind): before's sample ${g(b)} (+${g(b - base)})`);
  }
  server2.kill('SIGTERM');
}
console.log(machineLine(machine));
