import { open } from 'node:fs/promises';

/**
 * Up to `max` bytes of a file from `offset`, as text: the output a failed child appended after we launched it.
 * Empty when the file is missing; a cut multi-byte character at the end is replaced, never thrown on.
 */
export async function readLogFrom(path: string, offset: number, max: number): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return '';
  }
  try {
    const buf = Buffer.alloc(max);
    const { bytesRead } = await handle.read(buf, 0, max, offset);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
