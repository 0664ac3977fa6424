#!/usr/bin/env node
/**
 * Which client for Cloud Run and Cloud Logging (README, "Which client, and why"): a fresh `node` per sample
 * loads the client, runs the job once (jobs:run) and lists entries once (entries:list) against the shipped
 * loopback region; peers interleaved, medians of 5, plus `node -e 0`.
 *
 *   node bench/cloud-run-clients.js --official DIR
 *
 * DIR is a directory where `npm install @google-cloud/run@3.3.0 @google-cloud/logging@11.4.0` was run (they
 * are not this project's dependencies). Without --official only this project's path is measured.
 */
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machineInfo, machineLine } from './machine.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = `${ROOT}dist/src/cli.js`;
const official = process.argv.includes('--official') ? process.argv[process.argv.indexOf('--official') + 1] : null;

const server = spawn(process.execPath, [CLI, 'loopback-cloud-run', '--project', 'p', '--region', 'r', '--jobs', 'j', '--scratch', '/tmp/bench-cloud-run', '--log-delay', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve) => server.stdout.on('data', (d) => { const m = /listening (\S+)/.exec(String(d)); if (m) resolve(m[1]); }));
const port = Number(new URL(url).port);

const ours = `
const t0 = performance.now();
const { createCloudRunApi } = await import(${JSON.stringify(`${ROOT}dist/src/cloud-run/api.js`)});
const api = createCloudRunApi({ apiEndpoint: '${url}', loggingEndpoint: '${url}' });
await api.runJob({ project: 'p', region: 'r', job: 'j' }, {});
await api.listEntries({ resourceNames: ['projects/p'], filter: 'timestamp>="2020-01-01T00:00:00Z"', orderBy: 'timestamp asc', pageSize: 10 });
console.log(JSON.stringify({ ms: performance.now() - t0, rssMB: process.memoryUsage().rss / 1e6 }));`;
const theirs = `
const t0 = performance.now();
const { JobsClient } = await import('@google-cloud/run');
const { Logging } = await import('@google-cloud/logging');
const { PassThroughClient } = await import('google-auth-library');
const o = { fallback: true, protocol: 'http', apiEndpoint: '127.0.0.1', port: ${port}, authClient: new PassThroughClient() };
await new JobsClient(o).runJob({ name: 'projects/p/locations/r/jobs/j' });
await new Logging({ ...o, projectId: 'p' }).getEntries({ resourceNames: ['projects/p'], filter: 'timestamp>="2020-01-01T00:00:00Z"', orderBy: 'timestamp asc', pageSize: 10, autoPaginate: false, gaxOptions: { timeout: 5000 } });
console.log(JSON.stringify({ ms: performance.now() - t0, rssMB: process.memoryUsage().rss / 1e6 }));`;

const sample = (code, cwd) => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd, encoding: 'utf8' }));
const nodeOnly = () => { const t = performance.now(); execFileSync(process.execPath, ['-e', '0']); return { ms: performance.now() - t, rssMB: 0 }; };
const machine = machineInfo();
const runs = { ours: [], official: [], node: [] };
for (let i = 0; i < 5; i++) {
  runs.node.push(nodeOnly());
  runs.ours.push(sample(ours, ROOT));
  if (official) runs.official.push(sample(theirs, official));
}
server.kill('SIGTERM');
const median = (xs, k) => { const v = xs.map((x) => x[k]).sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };
for (const [name, xs] of Object.entries(runs)) {
  if (!xs.length) continue;
  if (name === 'node') console.log(`node -e 0 (whole process, the machine's pace) ${median(xs, 'ms').toFixed(0)} ms`);
  else console.log(`${name.padEnd(9)} load + jobs:run + entries:list ${median(xs, 'ms').toFixed(0)} ms (in-process, after node start)  rss ${median(xs, 'rssMB').toFixed(0)} MB`);
}
console.log(machineLine(machine));
