import { fstatSync, readdirSync } from 'node:fs';
import type { FileId } from './moved-log.js';

/**
 * The size in bytes of the file `id` as this process holds it open (a log moved aside or deleted under its writer,
 * read through the follower's own descriptor: follow/moved-log.ts), by a look through /proc/self/fd; null when no
 * descriptor of ours is on it (or /proc cannot be read). The path cannot say: it names another file, or none.
 */
export function heldFileSize(id: FileId): number | null {
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return null;
  }
  for (const name of fds) {
    try {
      const st = fstatSync(Number(name));
      if (st.isFile() && st.dev === id.dev && st.ino === id.ino) return st.size;
    } catch {
      // closed since the listing (the listing's own descriptor among them)
    }
  }
  return null;
}
