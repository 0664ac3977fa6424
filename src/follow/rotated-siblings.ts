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
  return (await rotations(log)).plain;
}

/**
 * The rotations beside `log`, from one listing: the uncompressed files (as rotatedSiblings), and the names of the
 * compressed ones (`bf.log.1.gz`; not looked at further: see compressedBefore).
 */
export async function rotations(log: string): Promise<{ plain: { file: string; mtimeMs: number }[]; compressed: string[] }> {
  const dir = path.dirname(log);
  const base = path.basename(log);
  const names = await readdir(dir).catch(() => [] as string[]);
  const plain: { file: string; mtimeMs: number }[] = [];
  const compressed: string[] = [];
  for (const n of names) {
    if (!n.startsWith(base) || n === base || !/^[._-]./.test(n.slice(base.length))) continue;
    if (COMPRESSED.test(n)) {
      compressed.push(n);
      continue;
    }
    const file = path.join(dir, n);
    const st = await stat(file).catch(() => null);
    if (st?.isFile() && st.size > 0) plain.push({ file, mtimeMs: st.mtimeMs });
  }
  return { plain: plain.sort((a, b) => b.mtimeMs - a.mtimeMs), compressed };
}

/**
 * Of the compressed rotations `names` beside `log`, the one most likely to hold what came before `oldest` (the
 * oldest part of the log read: the log itself or a rotated file beside it), or null: by logrotate's numbering the next
 * one (`bf.log.2.gz` before bf.log.1, `bf.log.1.gz` before bf.log); else (dated names, `bf.log-20261130.gz`) the newest
 * not modified after `oldest` was. Named, never read (h83's note: a log that begins mid-run did not say where its
 * start was when only a compressed rotation held it).
 */
export async function compressedBefore(log: string, oldest: string, names: string[]): Promise<string | null> {
  if (names.length === 0) return null;
  const base = path.basename(log);
  const dir = path.dirname(log);
  const n = oldest === log ? 0 : Number(/^\.(\d+)$/.exec(path.basename(oldest).slice(base.length))?.[1] ?? NaN);
  const next = Number.isInteger(n) ? names.find((name) => name.startsWith(`${base}.${n + 1}.`)) : undefined;
  if (next !== undefined) return next;
  const limit = (await stat(oldest).catch(() => null))?.mtimeMs ?? Number.POSITIVE_INFINITY;
  let newest: { name: string; mtimeMs: number } | null = null;
  for (const name of names) {
    const st = await stat(path.join(dir, name)).catch(() => null);
    if (st?.isFile() && st.mtimeMs <= limit && (!newest || st.mtimeMs > newest.mtimeMs)) newest = { name, mtimeMs: st.mtimeMs };
  }
  return newest?.name ?? null;
}

