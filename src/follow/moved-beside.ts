import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { rotatedName } from '../runner/log-writers.js';
import { rotatedSiblings } from './rotated-siblings.js';

/**
 * Whether the file `id` (the log as it was read) now stands beside `log` under a rotated name (`bf.log.1`,
 * `bf.log-20261201`): the log was moved aside and a new file made at its path (logrotate's `create`), so the new
 * file goes on from it. Only names in the log's own folder are looked at (one readdir, a stat each). Without a
 * process holding the moved file this is the only sign of a rotation (tester AC19: a writer that reopens the path
 * for each line, as Python's WatchedFileHandler does, left the dashboard reading the new file as a log that
 * begins mid-run, the run's earlier failures gone).
 */
export async function movedBeside(log: string, id: { dev: number; ino: number }): Promise<{ file: string; mtimeMs: number } | null> {
  const dir = path.dirname(log);
  for (const name of await readdir(dir)) {
    const full = path.join(dir, name);
    if (!rotatedName(full, log)) continue;
    const st = await stat(full).catch(() => null);
    if (st && st.dev === id.dev && st.ino === id.ino) return { file: full, mtimeMs: st.mtimeMs };
  }
  return null;
}

/**
 * The files the log was between the moved file we read and the new file at the path, when it was rotated more than
 * once while nothing read it (tester AD7's addendum: a Ctrl-Z'd dashboard, `mv bf.log bf.log.1`, then logrotate's
 * shift `mv bf.log.1 bf.log.2; mv bf.log bf.log.1`: the middle file's lines, 10 failures, were never read). They are
 * the rotated files beside the log written after the moved one (by modification time, which a move keeps), other
 * than it, the path's new file, and a copy of it (one that begins with its first bytes). Oldest first.
 */
export async function rotatedBetween(log: string, moved: { file: string; mtimeMs: number; head: Buffer }, next: { dev: number; ino: number } | null): Promise<string[]> {
  const out: { file: string; mtimeMs: number }[] = [];
  for (const s of await rotatedSiblings(log)) {
    if (s.file === moved.file || s.mtimeMs <= moved.mtimeMs) continue;
    const st = await stat(s.file).catch(() => null);
    if (!st || (next && st.dev === next.dev && st.ino === next.ino)) continue;
    if (moved.head.length > 0 && (await begins(s.file, moved.head))) continue;
    out.push(s);
  }
  return out.sort((a, b) => a.mtimeMs - b.mtimeMs).map((s) => s.file);
}

async function begins(file: string, head: Buffer): Promise<boolean> {
  const h = await open(file, 'r').catch(() => null);
  if (!h) return false;
  try {
    const got = Buffer.alloc(head.length);
    const { bytesRead } = await h.read(got, 0, got.length, 0);
    return bytesRead === head.length && got.equals(head);
  } finally {
    await h.close().catch(() => undefined);
  }
}
