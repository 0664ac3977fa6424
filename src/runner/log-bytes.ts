import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * Up to `max` bytes of a file from `offset`, as text: the output a failed child appended after we launched it.
 * Empty when the file is missing; a cut multi-byte character at the end is replaced, never thrown on.
 */
export async function readLogFrom(path: string, offset: number, max: number): Promise<string> {
  let handle;
  try {
    // Non-blocking, and a regular file only: a FIFO at the log's path would block the open (or the read) for good.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return '';
  }
  try {
    if (!(await handle.stat()).isFile()) return '';
    const buf = Buffer.alloc(max);
    const { bytesRead } = await handle.read(buf, 0, max, offset);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
