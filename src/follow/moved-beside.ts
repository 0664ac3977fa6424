import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { rotatedName } from '../runner/log-writers.js';

/**
 * Whether the file `id` (the log as it was read) now stands beside `log` under a rotated name (`bf.log.1`,
 * `bf.log-20261201`): the log was moved aside and a new file made at its path (logrotate's `create`), so the new
 * file goes on from it. Only names in the log's own folder are looked at (one readdir, a stat each). Without a
 * process holding the moved file this is the only sign of a rotation (tester AC19: a writer that reopens the path
 * for each line, as Python's WatchedFileHandler does, left the dashboard reading the new file as a log that
 * begins mid-run, the run's earlier failures gone).
 */
export async function movedBeside(log: string, id: { dev: number; ino: number }): Promise<boolean> {
  const dir = path.dirname(log);
  for (const name of await readdir(dir)) {
    const full = path.join(dir, name);
    if (!rotatedName(full, log)) continue;
    const st = await stat(full).catch(() => null);
    if (st && st.dev === id.dev && st.ino === id.ino) return true;
  }
  return false;
}
