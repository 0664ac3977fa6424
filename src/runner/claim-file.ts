import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { readUserText, readUserTextSync } from '../user-file.js';
import { pidExists } from './proc.js';

/** A claim older than this was left by a dashboard that died between claiming and writing; it is taken over. */
export const CLAIM_STALE_MS = 60_000;

/** A claim holds a pid and a newline: read as a regular file only, to a bound (user-file.ts). */
const CLAIM_READ = { label: 'claim', maxBytes: 64_000 };

/**
 * Runs `work` while holding the claim file `claim` (made with O_EXCL, ours: removed once `work` settles), so that of
 * several dashboards of one state directory doing the same write at one instant, one does it. Resolves `work`'s
 * result, or null when another holds a fresh claim (younger than CLAIM_STALE_MS; an older one is taken over).
 * A claim that cannot be made for another reason throws `describe(err)` (the raw error by default).
 * Used for a run's end record (runs-file.ts) and an alert's one line across dashboards (alert-sink.ts).
 */
export async function withClaim<T>(claim: string, work: () => Promise<T>, describe: (err: unknown) => unknown = (err) => err): Promise<T | null> {
  try {
    const handle = await open(claim, 'wx');
    // Its owner, so a claim left by a dashboard that quit or died mid-write is taken over at once (tester Z5).
    await handle.write(`${process.pid}\n`).finally(() => handle.close());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw describe(err);
    const st = await stat(claim).catch(() => null);
    // Not a file we make (a FIFO, a folder): never read (it could block), never removed (not ours): held.
    if (st && !st.isFile()) return null;
    if (st && Date.now() - st.mtimeMs < CLAIM_STALE_MS && !(await ownerGone(claim))) return null;
    await rm(claim, { force: true });
    return withClaim(claim, work, describe);
  }
  try {
    return await work();
  } finally {
    await rm(claim, { force: true });
  }
}

/** The claim names a process (its first line) that no longer exists; false when it names none or one alive. */
async function ownerGone(claim: string): Promise<boolean> {
  const pid = Number((await readUserText(claim, CLAIM_READ).then((r) => r.text, () => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  return !pidExists(pid);
}

/**
 * withClaim's claim taken synchronously, for work that must not wait (a stop's record and first signal go in one tick:
 * tester W25): the function that releases it, or null when another holds a fresh one (a stale one is taken over).
 */
export function claimNow(claim: string): (() => void) | null {
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(claim, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return () => rmSync(claim, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let fresh = false;
      try {
        if (!statSync(claim).isFile()) return null; // not ours (a FIFO, a folder): never read, never removed
        const pid = Number(readUserTextSync(claim, CLAIM_READ).text.trim());
        const alive = !Number.isInteger(pid) || pid <= 0 || pid === process.pid || pidExists(pid);
        fresh = Date.now() - statSync(claim).mtimeMs < CLAIM_STALE_MS && alive;
      } catch {
        // gone meanwhile: try again
      }
      if (fresh) return null;
      rmSync(claim, { force: true });
    }
  }
  return null;
}
