/**
 * Append → state latency after quiet spells (issue 8 item 7): the follower (dist/, default options, chokidar as
 * the fast path) follows a log; `rounds` times, the log stays quiet for `quietMs` (longer than the 10 s after
 * which the follower polls slowly), then a writer process appends a burst of `burst` lines `gapMs` apart.
 * Each line's delay is from its write to the chunk holding it. Run: `npm run build && node bench/quiet-burst.js`
 * (flags: --rounds N --quiet-ms MS). Prints JSON: p50 / p95 / max over every line, and of the burst's later lines.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { followLog } from '../dist/src/log-follower.js';
import { percentile, sleep } from './stats.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const rounds = arg('--rounds', 8);
const quietMs = arg('--quiet-ms', 10_500);
const burst = 3;
const gapMs = 40;
const now = () => performance.timeOrigin + performance.now();

// The writer is its own process, so its timing does not depend on our event loop.
const WRITER = `
const fs = require('fs');
const [file, n, gap] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
let i = 0;
const write = () => {
  const t = performance.timeOrigin + performance.now();
  fs.appendFileSync(file, 'line w' + t.toFixed(3) + '\\n');
  if (++i < n) setTimeout(write, gap);
};
write();
`;

const dir = mkdtempSync(join(tmpdir(), 'quiet-burst-'));
const file = join(dir, 'quiet.log');
writeFileSync(file, 'start\n');
const all = [];
const later = [];
let pending = [];
const ac = new AbortController();
const following = followLog(file, {
  onChunk(chunk) {
    const t = now();
    for (const m of chunk.toString('utf8').matchAll(/line w([\d.]+)/g)) pending.push(t - Number(m[1]));
  },
  onReset() {},
  onWaiting() {},
  onProgress() {},
}, { signal: ac.signal });
try {
  for (let r = 0; r < rounds; r++) {
    await sleep(quietMs);
    pending = [];
    await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', WRITER, file, String(burst), String(gapMs)], { stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    for (let i = 0; pending.length < burst && i < 1000; i++) await sleep(10);
    all.push(...pending);
    later.push(...pending.slice(1));
  }
} finally {
  ac.abort();
  await following;
  rmSync(dir, { recursive: true, force: true });
}
const sum = (xs) => ({ n: xs.length, p50: +percentile(xs, 50).toFixed(1), p95: +percentile(xs, 95).toFixed(1), max: +Math.max(...xs).toFixed(1) });
console.log(JSON.stringify({ rounds, quietMs, burst, gapMs, all: sum(all), laterLines: sum(later) }));
