import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, expect, test } from 'vitest';
import type { LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { CLI, ESM_CLI } from './support/cli.js';
import { startJobRegion, writeCloudRunJobConfig } from './support/cloud-run-job.js';
import { removeDir } from './support/remove-dir.js';
import { startTerminal, type Terminal } from './support/tmux.js';
import { waitFor } from './support/wait-for.js';

// The official clients take a second or more of CPU to load (README, "Which client, and why"): only a job with
// `cloudRun` loads them, and only after the dashboard's first frame. A preload records, from inside the process,
// whether any of their modules is in the module cache when the first frame is written and when the process exits.

const work = mkdtempSync(path.join(os.tmpdir(), 'bt-clients-load-'));
afterAll(() => removeDir(work));
const preload = path.join(work, 'record-loads.cjs');
writeFileSync(
  preload,
  `const fs = require('node:fs');
const out = process.env.BT_LOADS;
const google = () => Object.keys(require.cache).filter((p) => /[\\\\/]node_modules[\\\\/](@google-cloud[\\\\/](run|logging|logging-api)|google-gax)[\\\\/]/.test(p)).length;
let framed = false;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = function (chunk, ...rest) {
  if (!framed && String(chunk).includes(process.env.BT_FRAME_TEXT)) {
    framed = true;
    fs.appendFileSync(out, JSON.stringify({ at: 'first frame', modules: google() }) + '\\n');
  }
  return write(chunk, ...rest);
};
process.on('exit', () => fs.appendFileSync(out, JSON.stringify({ at: 'exit', modules: google() }) + '\\n'));
`,
);

/** What the preload wrote: Google client modules loaded at the first frame and at exit. */
function loads(file: string): Record<string, number> {
  if (!existsSync(file)) return {};
  return Object.fromEntries(readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { at: string; modules: number }).map((r) => [r.at, r.modules]));
}

let term: Terminal | null = null;
let server: LoopbackServer | null = null;
afterEach(async () => {
  term?.close();
  term = null;
  await server?.close();
  server = null;
});

test('status --json of a local job loads no Google client, through the bin and the ES-module CLI', () => {
  const log = path.join(work, 'local.log');
  writeFileSync(log, '2025-11-26 23:17:12,345 - INFO - [1/1] Queued 2021-10-31\n2025-11-26 23:17:13,345 - INFO -   ✅ Scraped 2021-10-31\n');
  for (const [name, cli] of [['bin', CLI], ['esm', ESM_CLI]]) {
    const file = path.join(work, `status-${name}.jsonl`);
    const r = spawnSync(process.execPath, ['-r', preload, cli, 'status', '--json', '--log', log], { cwd: work, env: { ...process.env, BT_LOADS: file, BT_FRAME_TEXT: 'no frame: status draws none' }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).run).toMatchObject({ succeeded: 1 });
    expect(loads(file), name).toEqual({ exit: 0 });
  }
});

test("a Cloud Run job's dashboard draws its first frame before the clients load, then loads them and reads the region", async () => {
  const dir = mkdtempSync(path.join(work, 'cr-'));
  server = await startJobRegion(dir);
  writeCloudRunJobConfig(dir, server, { keys: ['2024-01-02'], args: ['--keys={keys}', '--workers=1', `--storage=${path.join(dir, 'st')}`] });
  const file = path.join(dir, 'loads.jsonl');
  term = startTerminal([process.execPath, '-r', preload, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir, env: { BT_LOADS: file, BT_FRAME_TEXT: 'bdl-boxscores' } });
  // The region's answer (no execution yet) is on screen: the Run client was loaded and asked it.
  await term.waitScreen((_, text) => text.includes('no executions yet'), 'the region answering: no executions yet', 30_000);
  expect(server.requests.some((r) => r.route === 'executions' && /gapic\//.test(r.apiClient ?? ''))).toBe(true);
  term.keys('q');
  await waitFor(() => 'exit' in loads(file), 'the dashboard leaving', 20_000);
  const seen = loads(file);
  expect(seen['first frame']).toBe(0);
  expect(seen.exit).toBeGreaterThan(0);
}, 60_000);

test("a local job's dashboard loads no Google client, from its first frame to its exit", async () => {
  const dir = mkdtempSync(path.join(work, 'local-'));
  writeFileSync(path.join(dir, 'backfill.log'), '2025-11-26 23:17:12,345 - INFO - [1/1] Queued 2021-10-31\n2025-11-26 23:17:13,345 - INFO -   ✅ Scraped 2021-10-31\n');
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'local-scrape', log: 'backfill.log', keepAwake: false }));
  const file = path.join(dir, 'loads.jsonl');
  term = startTerminal([process.execPath, '-r', preload, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir, env: { BT_LOADS: file, BT_FRAME_TEXT: 'local-scrape' } });
  await term.waitScreen((_, text) => text.includes('1/1'), "the log's run on screen");
  term.keys('q');
  await waitFor(() => 'exit' in loads(file), 'the dashboard leaving', 20_000);
  expect(loads(file)).toEqual({ 'first frame': 0, exit: 0 });
}, 60_000);

test('the overview of a Cloud Run job and a local one draws its first frame before the clients load', async () => {
  const dir = mkdtempSync(path.join(work, 'overview-'));
  server = await startJobRegion(dir);
  writeFileSync(path.join(dir, 'local.log'), '2025-11-26 23:17:12,345 - INFO - [1/1] Queued 2021-10-31\n');
  const jobs = [
    { name: 'cloud-scrape', cloudRun: { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-boxscore-backfill', apiEndpoint: server.url, loggingEndpoint: server.url, pollSeconds: 1 } },
    { name: 'local-scrape', log: 'local.log' },
  ];
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ defaults: { keepAwake: false }, jobs }));
  const file = path.join(dir, 'loads.jsonl');
  term = startTerminal([process.execPath, '-r', preload, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir, env: { BT_LOADS: file, BT_FRAME_TEXT: 'local-scrape' } });
  await waitFor(() => server!.requests.some((r) => r.route === 'executions'), 'the region asked for the executions', 30_000);
  term.keys('q');
  await waitFor(() => 'exit' in loads(file), 'the dashboard leaving', 20_000);
  const seen = loads(file);
  expect(seen['first frame']).toBe(0);
  expect(seen.exit).toBeGreaterThan(0);
}, 60_000);

// Tester AG6 m: `status --timeout 3` of a Cloud Run job on a loaded machine said its LOCAL storage folder of 620 keys
// had `no request sent within 4 s (the client library was still loading …)`: the folder count waited behind the Cloud
// Run clients' load (seconds of the one thread). The local looks go first: a preload records, each time a folder of the
// storage directory is read, whether any Google client module is loaded yet.
test("status of a Cloud Run job counts its local storage folders before it loads the Cloud Run clients", async () => {
  const dir = mkdtempSync(path.join(work, 'cr-local-'));
  server = await startJobRegion(dir);
  const keys = Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10));
  writeCloudRunJobConfig(dir, server, { keys, present: keys, args: ['--keys={keys}'] });
  const counting = path.join(work, 'record-count.cjs');
  writeFileSync(
    counting,
    `const fs = require('node:fs');
const st = process.env.BT_ST;
const google = () => Object.keys(require.cache).filter((p) => /[\\\\/]node_modules[\\\\/](@google-cloud[\\\\/](run|logging|logging-api)|google-gax)[\\\\/]/.test(p)).length;
const seen = [];
const readdir = fs.readdir;
fs.readdir = function (p, ...rest) {
  const done = rest.pop();
  if (typeof done !== 'function' || !String(p).startsWith(st)) return readdir.call(this, p, ...rest, done);
  return readdir.call(this, p, ...rest, function (...a) {
    seen.push(google());
    return done.apply(this, a);
  });
};
process.on('exit', () => fs.writeFileSync(process.env.BT_LOADS, JSON.stringify({ seen, exit: google() })));
`,
  );
  const file = path.join(dir, 'count.json');
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['-r', counting, CLI, 'status', '--json'], { cwd: dir, env: { ...process.env, BT_LOADS: file, BT_ST: path.join(dir, 'st') }, stdio: 'ignore' });
    child.on('close', resolve);
  });
  expect(code).toBe(0);
  const { seen, exit } = JSON.parse(readFileSync(file, 'utf8')) as { seen: number[]; exit: number };
  // The directory and each of its 40 folders read, none of them after a client module loaded.
  expect(seen).toHaveLength(41);
  expect(seen.filter((n) => n > 0)).toEqual([]);
  // The clients were loaded all the same, for the region's look.
  expect(exit).toBeGreaterThan(0);
}, 60_000);
