import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a reference-format log of about `bytes` with the package's own synthetic writer, or reuses one
 * a kept earlier run left (same size, seed and file length, recorded in a `.json` beside it).
 * Resolves { file, bytes, seed, counts, reused, ms } where counts are what the writer says it wrote.
 */
export async function syntheticLog(dir, name, bytes, seed, writeSyntheticLog) {
  const file = join(dir, `${name}.log`);
  const metaFile = join(dir, `${name}.json`);
  if (existsSync(file) && existsSync(metaFile)) {
    try {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
      if (meta.bytes === bytes && meta.seed === seed && meta.size === statSync(file).size) {
        return { file, metaFile, bytes, seed, counts: meta.counts, reused: true, ms: 0 };
      }
    } catch {
      // unreadable meta: write the log again.
    }
  }
  const start = performance.now();
  const counts = await writeSyntheticLog(file, { bytes, seed });
  const ms = performance.now() - start;
  writeFileSync(metaFile, JSON.stringify({ bytes, seed, size: statSync(file).size, counts }));
  return { file, metaFile, bytes, seed, counts, reused: false, ms };
}

const SAVED = Buffer.from('💾 Failed dates saved to:');
const BANNER = Buffer.from(' initialized\n');

/**
 * A finished log for the idle dashboard: `source` cut right after its last complete run (the line
 * `💾 Failed dates saved to:` ends it; failing that, everything before the last run's banner).
 */
export function completeLogFrom(source, file) {
  const text = readFileSync(source);
  let end = -1;
  const saved = text.lastIndexOf(SAVED);
  if (saved >= 0) end = text.indexOf(10, saved) + 1;
  if (end <= 0) {
    const banner = text.lastIndexOf(BANNER);
    end = banner < 0 ? text.length : text.lastIndexOf(10, banner) + 1;
  }
  writeFileSync(file, text.subarray(0, end));
  return file;
}

/** Removes the files a run made (never the whole directory: other people may keep things there). */
export function removeFiles(files) {
  for (const f of files) rmSync(f, { force: true });
}

/**
 * The worst case for a history read: `source` as one endless run, so nothing can be skipped. Banners,
 * COMPLETE lines and summaries are dropped (with grep: fast, and a peer the reader trusts); every
 * other line, and so every per-line cost, stays. Resolves the counts status must then report.
 */
export async function oneRunLogFrom(source, file) {
  const { spawnSync } = await import('node:child_process');
  const { openSync, closeSync } = await import('node:fs');
  const fd = openSync(file, 'w');
  try {
    const drop = ' - INFO - (.*(Backfill|Retry)( \\(v[0-9]+\\))?( initiali[sz]ed)?|[A-Z ]+ COMPLETE|Total dates: .*|✅ Processed: .*|⏭️ +Skipped: .*|❌ Failed: [0-9]+|Time: .*|Rate: .*)$';
    const r = spawnSync('grep', ['-v', '-E', drop, source], { stdio: ['ignore', fd, 'pipe'] });
    if (r.status !== 0) throw new Error(`grep -v exited ${r.status}: ${String(r.stderr)}`);
  } finally {
    closeSync(fd);
  }
  return file;
}
