import { closeSync, openSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Level, RecordKind } from './engine.js';
import { generateGameDates } from './game-dates.js';
import { defaultSimOptions } from './options.js';
import { fileStamp, localSeconds } from './python-format.js';
import { mixSeed, mulberry32 } from './random.js';
import { runScript } from './script.js';

/** What writeSyntheticLog put in the file, counted as it wrote (only lines that made it in). */
export interface SyntheticLogCounts {
  lines: number;
  scraped: number;
  failed: number;
  runs: number;
}

const two = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const three = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * Formats records fast: the local `YYYY-MM-DD HH:MM:` part is rebuilt only when the minute changes
 * (zone offsets and DST jumps are whole minutes), seconds and milliseconds come from tables.
 */
function recordFormatter(): (at: number, level: Level, message: string) => string {
  let minute = NaN;
  let prefix = '';
  return (at, level, message) => {
    const m = Math.floor(at / 60_000);
    if (m !== minute) {
      minute = m;
      prefix = localSeconds(m * 60_000).slice(0, 17);
    }
    const ms = at - m * 60_000;
    return `${prefix}${two[Math.floor(ms / 1000)]},${three[ms % 1000]} - ${level} - ${message}\n`;
  };
}

/**
 * Writes synthetic reference-format log lines FAST (virtual clock, no sleeping, no storage): the real
 * engine's runs of `keysPerRun` keys appended one after another, each pair a full run then its resume
 * (which skips what the first scraped), until `bytes` is reached. Stops at the first line end at or
 * past `bytes`, so the last run usually has no summary, like a log of a run still going.
 */
export async function writeSyntheticLog(
  file: string,
  opts: { bytes: number; seed: number; keysPerRun?: number; workers?: number },
): Promise<SyntheticLogCounts> {
  const keysPerRun = opts.keysPerRun ?? 853;
  const seasons = Array.from({ length: Math.ceil(keysPerRun / 190) + 1 }, (_, i) => 2021 + i);
  const keys = generateGameDates({ seasons, seed: opts.seed }).slice(0, keysPerRun);
  const csv = join(dirname(resolve(file)), 'game_dates_to_scrape.csv');
  const o = { ...defaultSimOptions, csv, seed: opts.seed, workers: opts.workers ?? 6, timeout: 180 };
  const gaps = mulberry32(mixSeed(opts.seed, 0x9a95));
  const counts: SyntheticLogCounts = { lines: 0, scraped: 0, failed: 0, runs: 0 };
  const format = recordFormatter();
  const fd = openSync(file, 'w');
  let now = new Date(2025, 10, 26, 16, 27, 19, 412).getTime();
  let bytes = 0;
  // Lines are encoded straight into one reusable buffer: no joined strings, no second UTF-8 pass.
  const chunk = Buffer.allocUnsafe(4 << 20);
  let used = 0;
  const flush = () => {
    for (let done = 0; done < used; ) done += writeSync(fd, chunk, done, used - done);
    used = 0;
  };
  try {
    let present = new Set<string>();
    for (let run = 0; bytes < opts.bytes; run++) {
      if (run % 2 === 0) present = new Set();
      await runScript(o, {
        now: () => now,
        startClock: () => {
          const base = now;
          return (offsetMs) => void (now = base + Math.round(offsetMs));
        },
        stopped: () => bytes >= opts.bytes,
        isPresent: (key) => present.has(key),
        saveScraped: (key) => void present.add(key),
        log(level, message, kind?: RecordKind) {
          if (bytes >= opts.bytes) return;
          const line = format(now, level, message);
          if (used + line.length * 3 > chunk.length) flush();
          const size = chunk.write(line, used);
          used += size;
          bytes += size;
          counts.lines++;
          if (kind === 'start') counts.runs++;
          else if (kind === 'scraped') counts.scraped++;
          else if (kind === 'failed') counts.failed++;
        },
        loadKeys: () => ({ keys, label: csv }),
        saveFailed: (_failed, startedAt) => join(dirname(csv), `failed_dates_${fileStamp(startedAt)}.json`),
      }, run);
      now += Math.round((2 + gaps() * 28) * 60_000);
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return counts;
}
