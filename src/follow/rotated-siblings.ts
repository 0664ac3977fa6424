import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Compressed rotations are not read (gzip, bzip2, xz, zstd, zip). */
const COMPRESSED = /\.(?:gz|bz2|xz|zst|zip|lz4|Z)$/;

/**
 * The newest compressed rotation beside `log` (`bf.log.1.gz`) written at or after `sinceMs` (the log's modification
 * time as last read), or null: logrotate's `compress` without `delaycompress` leaves the copy of a `copytruncate`
 * compressed at once, so what the dashboard had not read of the log is in it, where it is not read (h78's note: said
 * as a deleted copy). A time not known (negative) names none: an older rotation could not be told from it.
 */
export async function compressedCopy(log: string, sinceMs: number): Promise<string | null> {
  if (!(sinceMs >= 0)) return null;
  const base = path.basename(log);
  const names = await readdir(path.dirname(log)).catch(() => [] as string[]);
  let newest: { name: string; mtimeMs: number } | null = null;
  for (const n of names) {
    if (!n.startsWith(base) || n === base || !/^[._-]./.test(n.slice(base.length)) || !COMPRESSED.test(n)) continue;
    const st = await stat(path.join(path.dirname(log), n)).catch(() => null);
    if (st?.isFile() && st.mtimeMs >= sinceMs && (!newest || st.mtimeMs > newest.mtimeMs)) newest = { name: n, mtimeMs: st.mtimeMs };
  }
  return newest?.name ?? null;
}

/** Files beside `log` named as its rotations (`log.1`, `log-20261130`, `log_old`), uncompressed, newest first. */
export async function rotatedSiblings(log: string): Promise<{ file: string; mtimeMs: number }[]> {
  const dir = path.dirname(log);
  const base = path.basename(log);
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: { file: string; mtimeMs: number }[] = [];
  for (const n of names) {
    if (!n.startsWith(base) || n === base || !/^[._-]./.test(n.slice(base.length)) || COMPRESSED.test(n)) continue;
    const file = path.join(dir, n);
    const st = await stat(file).catch(() => null);
    if (st?.isFile() && st.size > 0) out.push({ file, mtimeMs: st.mtimeMs });
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs);
}

