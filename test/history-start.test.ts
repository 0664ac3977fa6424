import { runFacts } from '../src/state/run.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { historyStartFor } from '../src/app/history-start.js';
import { readLogOnce } from '../src/app/read-log-once.js';
import { MAX_LINE_BYTES, followLog, type HistoryStart } from '../src/log-follower.js';
import { compileGrammar, parseChunk } from '../src/parser/index.js';
import { mulberry32, type Random } from '../src/sim/random.js';
import { HISTORY_LIMIT } from '../src/state/apply-lines.js';
import { TAIL_LIMIT, initialState, type AppState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { logLine, T0 } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';

const dir = mkdtempSync(join(tmpdir(), 'history-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const grammar = compileGrammar();

/**
 * A log of `runs` runs in every shape the reader must not confuse: an init line and a title banner (one
 * run, with settings between them that only the first part says), a single banner, a retry banner, a run
 * with no banner after a finished one, runs cut off, lines that mention a start word without being one
 * (one past the line cap), tracebacks, CRLF. Each run has its own figures, so a wrong start shows.
 * Without banner-less runs every run has a banner and the count of run starts is tight: a start one
 * run too late then keeps a run that is missing its first lines.
 */
function randomLog(rand: Random, runs: number, bannerless = true): string {
  const out: string[] = [];
  let at = T0;
  const rec = (level: 'INFO' | 'WARNING' | 'ERROR', msg: string) => out.push(logLine((at += 1000), level, msg));
  let previousComplete = false;
  for (let r = 0; r < runs; r++) {
    const total = 1 + Math.floor(rand() * 6);
    const workers = 1 + Math.floor(rand() * 9);
    const shape = rand();
    const dead = rand();
    if (dead < 0.06) {
      // A run that died before its first key: a banner, then a traceback or hours of nothing.
      rec('INFO', 'Team Boxscore Backfill');
      if (dead < 0.03) out.push('Traceback (most recent call last):', "FileNotFoundError: [Errno 2] No such file or directory: 'x.csv'");
      else at += 4 * 3_600_000;
    }
    if (shape < 0.45) {
      rec('INFO', 'NBA.com Player Boxscore Scraper Backfill (v2) initialized');
      rec('INFO', `  Scraper service: https://svc-${r}.example.run.app`);
      rec('INFO', `  Workers: ${workers}`);
      rec('INFO', '='.repeat(70));
      rec('INFO', 'NBA.com Player Boxscore Scraper Backfill (v2)');
      rec('INFO', `Workers: ${workers} | Timeout: ${r + 10}s`);
    } else if (shape < 0.7) {
      rec('INFO', 'Team Boxscore Backfill');
      rec('INFO', `Workers: ${workers} | Timeout: ${r + 10}s`);
    } else if (shape < 0.85) {
      rec('INFO', 'NBA Gamebook Aggressive Retry');
    } else if (!previousComplete || !bannerless) {
      rec('INFO', 'Team Boxscore Backfill');
    }
    // else: no banner; activity after a COMPLETE starts a run by itself.
    if (rand() < 0.5) rec('INFO', `Loaded ${total} dates from /tmp/dates-${r}.csv`);
    for (let k = 1; k <= total; k++) rec('INFO', `[${k}/${total}] Queued 2022-0${1 + (k % 9)}-${String(10 + r % 18).padStart(2, '0')}`);
    for (let k = 1; k <= total; k++) {
      const key = `2022-0${1 + (k % 9)}-${String(10 + r % 18).padStart(2, '0')}`;
      const o = rand();
      if (o < 0.6) rec('INFO', `  ✅ Scraped ${key}`);
      else if (o < 0.75) rec('WARNING', `  ❌ Failed ${key}: HTTP 500 run ${r}`);
      else if (o < 0.85) rec('WARNING', `  ❌ Timeout ${key}`);
      else if (o < 0.9) {
        rec('ERROR', `Exception processing ${key}: boom`);
        out.push('Traceback (most recent call last):', '  File "backfill.py", line 12, in <module>', 'RuntimeError: Backfill crashed');
      } else if (o < 0.95) rec('INFO', `Backfill paused for rate limit after ${key}`);
      else out.push(`${logLine((at += 1000), 'INFO', `  ✅ Scraped ${key}`)}\r`);
    }
    if (rand() < 0.05) rec('INFO', 'x'.repeat(MAX_LINE_BYTES + 10) + ' Team Boxscore Backfill');
    if (rand() < 0.3) rec('INFO', `📊 Progress: ${total}/${total} (100.0%) | ✅ ${total} | ⏭️ 0 | ❌ 0 | ETA: 0min`);
    previousComplete = rand() < 0.7;
    if (previousComplete) {
      rec('INFO', '='.repeat(70));
      rec('INFO', 'BACKFILL COMPLETE');
      rec('INFO', `Total dates: ${total}`);
      rec('INFO', `✅ Processed: ${r}`);
      rec('INFO', `💾 Failed dates saved to: /tmp/failed_${r}.json`);
    }
  }
  return out.join('\n') + '\n';
}

/** What reading every byte shows: the whole file as one batch. */
function wholeRead(text: string): AppState {
  const state = initialState({ job: 'j', log: 'x', now: 0, targets: [] });
  return reduce(state, { type: 'log/batch', batch: parseChunk(Buffer.from(text), grammar, TAIL_LIMIT) });
}

async function readWith(file: string, historyStart: HistoryStart | undefined): Promise<AppState> {
  let state = initialState({ job: 'j', log: file, now: 0, targets: [] });
  await readLogOnce(file, grammar, (e) => (state = reduce(state, e)), historyStart);
  return state;
}

async function startOf(file: string, blockSize?: number): Promise<number> {
  const handle = await open(file, 'r');
  try {
    return await historyStartFor(grammar, blockSize)!({ handle, size: (await handle.stat()).size, maxLineBytes: MAX_LINE_BYTES });
  } finally {
    await handle.close();
  }
}

// Facts only: how the read was cut into batches shows in the runs' bookkeeping, never in what they say.
const shown = (s: AppState) => ({ current: runFacts(s.log.current), history: s.log.history.map(runFacts), tail: s.log.tail });

describe('where a history read starts', () => {
  it('shows exactly what reading the whole log shows, for logs of every shape', async () => {
    let skipped = 0;
    for (let seed = 1; seed <= 24; seed++) {
      const rand = mulberry32(seed);
      const runs = HISTORY_LIMIT - 5 + Math.floor(rand() * 90);
      const text = randomLog(rand, runs, seed % 2 === 1);
      const file = join(dir, `log-${seed}.log`);
      writeFileSync(file, text);
      const want = shown(wholeRead(text));
      const blockSize = [512, 4096, undefined][seed % 3];
      const start = await startOf(file, blockSize);
      if (start > 0) skipped++;
      // The start is a line start that a banner opens.
      expect(start === 0 || Buffer.from(text)[start - 1] === 10, `seed ${seed}`).toBe(true);
      const got = shown(await readWith(file, historyStartFor(grammar, blockSize)));
      expect(got, `seed ${seed}: ${runs} runs, start ${start}`).toEqual(want);
    }
    // Most of these logs have more runs than the state keeps: the shortcut was taken, not just allowed.
    expect(skipped).toBeGreaterThan(12);
  });

  it('starts at the banner that opens the run just before the kept ones', async () => {
    const text = Array.from({ length: HISTORY_LIMIT + 30 }, (_, i) => [
      logLine(T0 + i * 10_000, 'INFO', 'Team Boxscore Backfill'),
      ...Array.from({ length: 3 }, (_, k) => logLine(T0 + i * 10_000 + k + 1, 'INFO', `  ✅ Scraped 2022-01-0${k + 1}`)),
    ].join('\n')).join('\n') + '\n';
    const file = join(dir, 'simple.log');
    writeFileSync(file, text);
    const lines = text.split('\n');
    // Runs of 4 lines: the current run and HISTORY_LIMIT earlier ones are the last 4 × 201 lines; the
    // run before them is where reading may begin (its banner has 201 run starts after it).
    const want = Buffer.byteLength(lines.slice(0, lines.length - 1 - 4 * (HISTORY_LIMIT + 2)).join('\n')) + 1;
    expect(await startOf(file)).toBe(want);
    expect(shown(await readWith(file, historyStartFor(grammar)))).toEqual(shown(wholeRead(text)));
  });

  it('counts a run that died before its first key (a traceback, or a long quiet) as a run start', async () => {
    // Every third run is a banner and a traceback, every third a banner and then hours of nothing.
    let at = T0;
    const runs = Array.from({ length: HISTORY_LIMIT + 30 }, (_, i) => {
      // A minute between runs, except after the ones that went quiet.
      at += i % 3 === 0 ? 6 * 3_600_000 : 60_000;
      const head = logLine(at, 'INFO', 'Team Boxscore Backfill');
      if (i % 3 === 1) return `${head}\nTraceback (most recent call last):\nFileNotFoundError: [Errno 2] No such file: 'k${i}.csv'\n`;
      if (i % 3 === 2) return `${head}\n`;
      return `${head}\n${logLine(at + 1000, 'INFO', `  ✅ Scraped 2022-01-0${(i % 9) + 1}`)}\n`;
    });
    const text = runs.join('');
    const file = join(dir, 'dead-runs.log');
    writeFileSync(file, text);
    const want = Buffer.byteLength(runs.slice(0, runs.length - (HISTORY_LIMIT + 2)).join(''));
    expect(await startOf(file)).toBe(want);
    expect(shown(await readWith(file, historyStartFor(grammar)))).toEqual(shown(wholeRead(text)));
  });

  it('reads from the start when the log is short, and always for a config grammar', async () => {
    const file = join(dir, 'short.log');
    writeFileSync(file, randomLog(mulberry32(3), HISTORY_LIMIT - 10));
    expect(await startOf(file)).toBe(0);
    expect(historyStartFor(compileGrammar({ succeeded: 'OK (?<key>\\S+)' }))).toBeUndefined();
  });

  it('keeps the log pane full: the kept runs always hold TAIL_LIMIT lines', async () => {
    // Every run counted has a banner and a line that moved it: the shortest possible runs.
    expect(2 * (HISTORY_LIMIT + 1)).toBeGreaterThanOrEqual(TAIL_LIMIT);
    const text = Array.from({ length: HISTORY_LIMIT + 60 }, (_, i) =>
      [logLine(T0 + i * 2000, 'INFO', 'Team Boxscore Backfill'), logLine(T0 + i * 2000 + 1000, 'INFO', `  ✅ Scraped k${i}`)].join('\n'),
    ).join('\n') + '\n';
    const file = join(dir, 'tiny-runs.log');
    writeFileSync(file, text);
    const start = await startOf(file);
    expect(start).toBeGreaterThan(0);
    expect(Buffer.from(text).subarray(start).toString().split('\n').length - 1).toBeGreaterThanOrEqual(TAIL_LIMIT);
    expect(shown(await readWith(file, historyStartFor(grammar)))).toEqual(shown(wholeRead(text)));
  });

  it('the follower remembers the first bytes of a file it started reading late, so a rewrite in place still resets', async () => {
    const text = readFileSync(join(dir, 'simple.log'), 'utf8');
    const file = join(dir, 'rewritten.log');
    writeFileSync(file, text);
    const start = await startOf(file);
    expect(start).toBeGreaterThan(64);
    const events: string[] = [];
    const ac = new AbortController();
    let historyDone!: () => void;
    const done = new Promise<void>((r) => (historyDone = r));
    const following = followLog(
      file,
      {
        onChunk: (c) => events.push(`chunk ${c.toString('utf8', 0, 23)}`),
        onReset: (why) => events.push(`reset ${why}`),
        onWaiting: () => events.push('waiting'),
        onProgress: (p) => p.historyDone && historyDone(),
      },
      { signal: ac.signal, pollMs: 20, historyStart: historyStartFor(grammar) },
    );
    await done;
    expect(events[0]).toBe(`chunk ${Buffer.from(text).toString('utf8', start, start + 23)}`);
    // Same size, different first bytes: only the remembered head can tell.
    writeFileSync(file, 'X' + text.slice(1));
    await waitFor(() => events.includes('reset truncated'), 'a reset after the rewrite');
    ac.abort();
    await following;
  });
});
