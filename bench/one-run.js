import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One-run logs of the shape a per-game backfill writes (issue 14's scaling case): one banner, then one
 * outcome line per distinct game-id key with its date after it, 15 % of them failures (HTTP 500 and
 * timeouts), a Progress line every 50 keys, no summary (the run is still going). About 74 bytes a key,
 * so 80 MB holds about 1.1 million keys. Deterministic for a seed; reused from `dir` when a kept earlier
 * bench left the same file (size, seed and length recorded in a `.json` beside it).
 * Resolves { file, metaFile, bytes, counts: { keys, succeeded, failed, progress }, reused, ms }.
 */
export function oneRunLog(dir, bytes, seed) {
  const name = `one-run-keys-${bytes < 1e6 ? `${Math.round(bytes / 1e3)}KB` : `${Math.round(bytes / 1e6)}MB`}`;
  const file = join(dir, `${name}.log`);
  const metaFile = join(dir, `${name}.json`);
  if (existsSync(file) && existsSync(metaFile)) {
    try {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
      if (meta.bytes === bytes && meta.seed === seed && meta.size === statSync(file).size) return { file, metaFile, bytes, counts: meta.counts, reused: true, ms: 0 };
    } catch {
      // unreadable: write again
    }
  }
  const started = performance.now();
  const counts = writeOneRun(file, bytes, seed);
  writeFileSync(metaFile, JSON.stringify({ bytes, seed, size: statSync(file).size, counts }));
  return { file, metaFile, bytes, counts, reused: false, ms: performance.now() - started };
}

function writeOneRun(file, bytes, seed) {
  let rnd = seed >>> 0;
  const random = () => {
    // mulberry32
    rnd = (rnd + 0x6d2b79f5) >>> 0;
    let t = rnd;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // The run's own total is exact (a real script knows its keys): about 74 bytes a key with Progress lines.
  const expectedKeys = Math.round(bytes / 74);
  const fd = openSync(file, 'w');
  let at = Date.UTC(2025, 10, 26, 8, 0, 0);
  let written = 0;
  let parts = [];
  let pending = 0;
  const stamp = (ms) => {
    const d = new Date(ms);
    const p = (n, w = 2) => String(n).padStart(w, '0');
    return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())},${p(d.getUTCMilliseconds(), 3)}`;
  };
  const put = (level, msg) => {
    const line = `${stamp(at)} - ${level} - ${msg}\n`;
    parts.push(line);
    pending += line.length + 4;
    if (pending > 1 << 20) flush();
  };
  const flush = () => {
    const buf = Buffer.from(parts.join(''));
    writeSync(fd, buf);
    written += buf.length;
    parts = [];
    pending = 0;
  };
  put('INFO', 'NBA.com Team Boxscore Scraper Backfill (v2) initialized');
  put('INFO', '  Workers: 6');
  put('INFO', '  Timeout: 180s');
  put('INFO', `Loaded ${expectedKeys} games from game_ids_to_scrape.csv`);
  const counts = { keys: 0, succeeded: 0, failed: 0, progress: 0 };
  const day0 = Date.UTC(2021, 9, 19);
  while (counts.keys < expectedKeys) {
    at += 50 + Math.floor(random() * 300);
    const id = String(22100000 + counts.keys).padStart(10, '0');
    const date = new Date(day0 + Math.floor(counts.keys / 12) * 86_400_000).toISOString().slice(0, 10);
    const r = random();
    if (r < 0.12) {
      put('WARNING', `  ❌ Failed ${id}: HTTP 500`);
      counts.failed++;
    } else if (r < 0.15) {
      put('WARNING', `  ❌ Timeout scraping ${id}`);
      counts.failed++;
    } else {
      put('INFO', `  ✅ Scraped ${id} (${date})`);
      counts.succeeded++;
    }
    counts.keys++;
    if (counts.keys % 50 === 0) {
      counts.progress++;
      put('INFO', `📊 Progress: ${counts.keys}/${expectedKeys} (${((counts.keys / expectedKeys) * 100).toFixed(1)}%) | ✅ ${counts.succeeded} | ⏭️ 0 | ❌ ${counts.failed} | ETA: ${Math.max(0, Math.round((expectedKeys - counts.keys) / 300))}min`);
    }
  }
  flush();
  closeSync(fd);
  return counts;
}
