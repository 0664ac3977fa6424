import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Compressed rotations are not read (gzip, bzip2, xz, zstd, zip). */
const COMPRESSED = /\.(?:gz|bz2|xz|zst|zip|lz4|Z)$/;

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

