import { spawn } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { followLog } from '../dist/src/log-follower.js';
import { compileGrammar, linesOf } from '../dist/src/parser/index.js';
import { logHandlers } from '../dist/src/app/log-events.js';
import { initialState } from '../dist/src/state/app-state.js';
import { reduce } from '../dist/src/state/reducer.js';
import { failureSummaryLine } from '../dist/src/state/failures-view.js';
import { percentile, sleep } from './stats.js';

const WRITER = fileURLToPath(new URL('./append-writer.js', import.meta.url));
/** How much of the end of the burst is reported on its own. */
export const TAIL_MS = 100;
const now = () => performance.timeOrigin + performance.now();

/**
 * Append-to-state latency: this process follows a fresh log (followLog, default pollMs, chokidar as
 * the fast path) into the dashboard's log handlers (parseChunk with keyed columns) and the reducer, while a separate writer process appends `rate` lines
 * a second for `seconds`. Each line carries its write time in its key; a line's delay is the time
 * from that write to the end of the reduce of the batch holding it. After each batch the failures
 * summary line is made as the dashboard makes it (its cost per batch is reported apart: `summary`).
 */
export async function appendLatency({ file, rate, seconds, batchMs = 10, prefill = null }) {
  const t0 = now();
  const head = [
    'NBA.com Player Boxscore Scraper Backfill (v2) initialized',
    '  Workers: 6',
    '  Timeout: 180s',
    `Loaded ${rate * seconds} dates from bench`,
  ];
  // With `prefill` (a one-run log), the appends continue a run that already holds its keys.
  if (prefill) copyFileSync(prefill, file);
  else writeFileSync(file, head.map((m) => `${asctime(t0)} - INFO - ${m}\n`).join(''));
  const grammar = compileGrammar();
  let state = initialState({ job: 'bench', log: file, now: Date.now(), targets: [95, 98, 100] });
  const delays = [];
  const writtenAt = [];
  const errors = [];
  let chunks = 0;
  let historyDone = false;
  const summaryMs = [];
  const ac = new AbortController();
  // The dashboard's own handlers (app/log-events.ts): the same parse and events as it follows a log.
  const handlers = logHandlers(grammar, (event) => {
    state = reduce(state, event);
    if (event.type === 'log/progress') historyDone ||= event.historyDone;
    if (event.type !== 'log/batch') return;
    const t = now();
    chunks++;
    if (historyDone && !process.env.NO_SUMMARY) {
      // What the dashboard draws from the new state: its failures line (a pass over the listed failed keys).
      failureSummaryLine(state);
      summaryMs.push(now() - t);
    }
    for (const line of linesOf(event.batch)) {
      if (line.kind !== 'succeeded' || !line.key?.startsWith('w')) continue;
      const w = Number.parseFloat(line.key.slice(1));
      delays.push(t - w);
      writtenAt.push(w);
    }
  });
  const following = followLog(file, { ...handlers, onError: (err) => errors.push(String(err?.stack ?? err)) }, { signal: ac.signal });
  try {
    const readLimit = prefill ? 300_000 : 5_000;
    for (let i = 0; !historyDone && i < readLimit / 10; i++) await sleep(10);
    if (!historyDone) throw new Error(`the follower did not finish reading the log within ${readLimit / 1000} s`);
    // The dashboard draws once the history is read, before any append: its failures line is made then.
    failureSummaryLine(state);
    const heldKeys = state.log.current?.keys?.ledger.size ?? 0;
    const succeededBefore = state.log.current?.succeeded ?? 0;
    const writer = await runWriter(file, rate, seconds, batchMs);
    // The last lines may still be on their way: wait for them (bounded).
    for (let i = 0; delays.length < writer.written && i < 500; i++) await sleep(10);
    if (errors.length) throw new Error(`the follower reported: ${errors[0]}`);
    const run = state.log.current;
    // The end of the burst has no later append whose event wakes the follower: it is the part to watch.
    const tailFrom = Math.max(...writtenAt) - TAIL_MS;
    const rest = delays.filter((_, i) => writtenAt[i] < tailFrom);
    const last = delays.filter((_, i) => writtenAt[i] >= tailFrom);
    return {
      written: writer.written,
      batches: writer.batches,
      writerMs: writer.ms,
      received: delays.length,
      stateSucceeded: (run?.succeeded ?? 0) - succeededBefore,
      heldKeys,
      chunks,
      p50: percentile(delays, 50),
      p95: percentile(delays, 95),
      p99: percentile(delays, 99),
      max: Math.max(...delays),
      min: Math.min(...delays),
      tailMs: TAIL_MS,
      lastBatchMs: Math.max(...last),
      maxBeforeLast: Math.max(...rest),
      over100: delays.filter((d) => d > 100).length,
      summary: summaryMs.length ? { batches: summaryMs.length, p50: percentile(summaryMs, 50), p95: percentile(summaryMs, 95), max: Math.max(...summaryMs), failedKeys: run?.failedKeys.size ?? 0 } : null,
    };
  } finally {
    ac.abort();
    await following;
  }
}

function runWriter(file, rate, seconds, batchMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, file, String(rate), String(seconds), String(batchMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`append writer exited ${code}`));
      else resolve(JSON.parse(out));
    });
  });
}

function asctime(ms) {
  const d = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}
