import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, expect, test } from 'vitest';
import { assertFreshDist, ROOT } from './support/dist.js';
import { HAS_FUSE, hungMount, type HungMount } from './support/hung-mount.js';
import { removeDir } from './support/remove-dir.js';
import { waitFor } from './support/wait-for.js';

// h82's note: a read of the parse worker (a thread of its own) stuck on a hung mount was not seen by process-end,
// which looks at this thread's requests only: the end exited at once, and Node's exit then waited on libuv's pool
// for good, with no watchdog and no word (the process stayed until killed by hand).
assertFreshDist();
const dir = mkdtempSync(path.join(tmpdir(), 'bt-worker-read-end-'));
const mounts: HungMount[] = [];
afterAll(async () => {
  await Promise.all(mounts.splice(0).map((m) => m.close()));
  removeDir(dir);
});

/** A process that gives the parse worker a read of `file` and ends (endProcess(0), as q does) when told on stdin. */
const CHILD = `
import { openSync, statSync } from 'node:fs';
import { ParseWorker, parseInWorker } from ${JSON.stringify(path.join(ROOT, 'src/app/parse-worker-client.ts'))};
import { endProcess } from ${JSON.stringify(path.join(ROOT, 'src/process-end.ts'))};
import { LogClock } from ${JSON.stringify(path.join(ROOT, 'src/parser/log-clock.ts'))};
const [url, file] = process.argv.slice(2);
const fd = openSync(file, 'r');
const worker = await ParseWorker.start(new URL(url));
const job = { fd, from: 0, to: statSync(file).size, clock: new LogClock('UTC').state(), readBytes: 4096, maxLineBytes: 65536, tailLimit: 0, tailZoneBytes: 0 };
void parseInWorker(worker, job, () => {}).catch(() => {});
process.stdin.once('data', () => endProcess(0));
`;

test.skipIf(!HAS_FUSE)('leaving with a parse worker read stuck on a hung mount ends under the watchdog, naming the log', async () => {
  const entry = path.join(dir, 'child.ts');
  writeFileSync(entry, CHILD);
  const script = path.join(dir, 'child.mjs');
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: script, logLevel: 'error' });
  const content = path.join(dir, 'content.log');
  writeFileSync(content, '2026-12-01 10:00:00,000 - INFO -   ✅ Scraped 2022-01-01\n'.repeat(100));
  const mnt = path.join(dir, 'mnt');
  mkdirSync(mnt);
  const m = await hungMount(mnt, content);
  mounts.push(m);
  const worker = pathToFileURL(path.join(ROOT, 'dist/src/parse-worker.cjs')).href;
  const child = spawn(process.execPath, [script, worker, m.file], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let ended: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  child.on('exit', (code, signal) => (ended = { code, signal }));
  // Killed here if it is still there after the watchdog's second and time to spare: without it, the exit waits for good.
  const deadline = setTimeout(() => child.kill('SIGKILL'), 15_000);
  try {
    await m.readHeld;
    const at = Date.now();
    child.stdin.write('end\n');
    await waitFor(() => ended, 'the end', 20_000);
    expect(stderr.replace(/\s+/g, ' ')).toContain(`backfill-tui: the read of log ${m.file} (read by the parse worker) had not returned 1 s after the end (a hung mount?): ended without waiting for it (SIGKILL, exit status 137)`);
    expect(ended).toEqual({ code: null, signal: 'SIGKILL' });
    // The watchdog's second and the settle, not the test's deadline.
    expect(Date.now() - at).toBeLessThan(10_000);
  } finally {
    clearTimeout(deadline);
  }
}, 40_000);
