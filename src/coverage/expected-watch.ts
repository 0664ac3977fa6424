import { stat } from 'node:fs/promises';
import { sleepUnlessAborted } from '../abort.js';
import { readExpectedKeys, type ExpectedKeys, type ExpectedSpec } from './expected-keys.js';

/** How often the expected-keys file's size and modification time are looked at (one stat; ms). */
export const EXPECTED_LOOK_MS = 2_000;

/**
 * Reads the expected keys, then again each time the file changes (its size or modification time), so what the
 * dashboard calls 100 % is the file as it is now (tester V13: an operator added a month to it, and `s` launched
 * from the old list while `status` counted the new one). A change is read once the file has stayed the same for
 * one look, so a file being written is never taken half-way. `onError` gets a file that cannot be read (missing,
 * unreadable): the keys last read stay until it is readable again.
 */
export async function watchExpectedKeys(
  spec: ExpectedSpec,
  on: { onKeys(keys: ExpectedKeys): void; onError(err: Error): void },
  signal: AbortSignal,
  lookMs = EXPECTED_LOOK_MS,
  where?: string,
): Promise<void> {
  const stamp = async () => {
    const st = await stat(spec.file).catch(() => null);
    return st ? `${st.size}:${st.mtimeMs}:${st.ino}` : 'missing';
  };
  let read = await stamp();
  await readExpectedKeys(spec, where).then(on.onKeys, on.onError);
  let seen = read;
  while (!signal.aborted) {
    await sleepUnlessAborted(lookMs, signal);
    if (signal.aborted) return;
    const now = await stamp();
    // Changed since the last read, and unchanged since the last look: the writer is done with it.
    if (now !== read && now === seen) {
      read = now;
      await readExpectedKeys(spec, where).then(on.onKeys, on.onError);
    }
    seen = now;
  }
}
