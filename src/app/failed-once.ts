import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { compareNewestFirst, readFailedFile, unreadReason, type FailedFile } from '../failures/failed-file.js';
import { splitFailedGlob } from '../failures/failed-watcher.js';
import { isGsGlob } from '../failures/gs-glob.js';

/**
 * Reads every failed-keys file the glob matches, once; half-written ones are noted, not shown as truth. A
 * `gs://` glob reads Cloud Storage objects instead (with the job's storage endpoint), bounded by `signal`.
 */
export async function readFailedFilesOnce(
  glob: string,
  gcs: { apiEndpoint?: string; projectId?: string; signal?: AbortSignal } = {},
): Promise<{ files: FailedFile[]; current: FailedFile | null; notes: string[] }> {
  if (isGsGlob(glob)) {
    const { readGcsFailedOnce } = await import('../failures/gcs-failed-watch.js');
    return readGcsFailedOnce({ glob, apiEndpoint: gcs.apiEndpoint, projectId: gcs.projectId }, gcs.signal ?? new AbortController().signal);
  }
  const { dir, match } = splitFailedGlob(glob);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => match.test(n));
  } catch {
    return { files: [], current: null, notes: [] };
  }
  const files: FailedFile[] = [];
  const notes: string[] = [];
  for (const name of names) {
    const r = await readFailedFile(join(dir, name));
    if (r.ok) files.push(r.file);
    else notes.push(`${name}: ${unreadReason(r.reason, r.mtimeMs, Date.now())}`);
  }
  files.sort(compareNewestFirst);
  return { files, current: files[0] ?? null, notes };
}
