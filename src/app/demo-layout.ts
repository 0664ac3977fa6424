import { link, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** One stand-in object of the demo: `folder/key/name`, as a bucket holds `PREFIX/KEY/object`. */
export interface DemoObject {
  folder: string;
  key: string;
  name: string;
}

/** What every stand-in object holds: the local sources count a key whose folder holds a file with data. */
const CONTENT = '{"demo":true}\n';
/** Folders made at once: enough to keep the file system's queue full, few enough to hold no more open. */
const PARALLEL = 32;

/**
 * Lays out the demo's stand-in objects (a five-job demo has about 13,000). Each is a hard link to one file
 * written once in `root`: a link is one directory entry, where a file of its own costs an inode, a data block
 * and three calls (open, write, close), three to four times the time on a loaded machine. A file system that
 * refuses hard links gets files of their own. `onProgress(done, total)` is called at the start and after
 * every batch.
 */
export async function layOutObjects(root: string, objects: DemoObject[], onProgress?: (done: number, total: number) => void): Promise<void> {
  const original = path.join(root, '.demo-object.json');
  await writeFile(original, CONTENT);
  let linking = true;
  const place = async (o: DemoObject): Promise<void> => {
    const folder = path.join(o.folder, o.key);
    const file = path.join(folder, o.name);
    await mkdir(folder, { recursive: true });
    if (linking) {
      try {
        await link(original, file);
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') return;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw err;
        linking = false;
      }
    }
    await writeFile(file, CONTENT);
  };
  onProgress?.(0, objects.length);
  for (let i = 0; i < objects.length; i += PARALLEL) {
    await Promise.all(objects.slice(i, i + PARALLEL).map(place));
    onProgress?.(Math.min(i + PARALLEL, objects.length), objects.length);
  }
}
