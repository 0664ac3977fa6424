import type { FailedFile } from './failed-file.js';
import { createGcsFailedReader, type FailedLook, type GcsFailedOptions } from './gcs-failed.js';

/** How often the failed-keys objects are listed again (a listing is one Class A operation per 1,000 names). */
export const GCS_FAILED_POLL_MS = 30_000;

function explained(err: unknown): string {
  const e = err as { message?: string; hint?: string | null };
  return `${e.message ?? String(err)}${e.hint ? ` (${e.hint})` : ''}`;
}

/**
 * Follows the failed-keys objects a `gs://` glob names until `signal` aborts: one look every `pollMs` (the next
 * starts after the last ended), `onUpdate` only when something changed. A failed look keeps the last good files
 * and says why in a note; the dashboard goes on.
 */
export async function watchGcsFailedFiles(
  opts: GcsFailedOptions,
  onUpdate: (files: FailedFile[], current: FailedFile | null, notes: string[]) => void,
  w: { signal: AbortSignal; pollMs?: number },
): Promise<void> {
  const reader = createGcsFailedReader(opts);
  let shown = '';
  let good: FailedLook = { files: [], current: null, notes: [] };
  while (!w.signal.aborted) {
    let look: FailedLook;
    try {
      look = good = await reader.read(w.signal);
    } catch (err) {
      if (w.signal.aborted) break;
      look = { ...good, notes: [...good.notes, `${opts.glob}: ${explained(err)}; ${good.files.length ? 'showing the last good listing' : 'not listed yet'}`] };
    }
    const sig = JSON.stringify([look.files.map((f) => [f.path, f.mtimeMs, f.entries.length]), look.notes]);
    if (sig !== shown) {
      shown = sig;
      onUpdate(look.files, look.current, look.notes);
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        w.signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, w.pollMs ?? GCS_FAILED_POLL_MS);
      w.signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** One look for `status` and `missing`: the files, or empty with a note saying why not. */
export async function readGcsFailedOnce(opts: GcsFailedOptions, signal: AbortSignal): Promise<FailedLook> {
  try {
    return await createGcsFailedReader(opts).read(signal);
  } catch (err) {
    if (signal.aborted) throw err;
    // The caller names the glob (`failed-keys files gs://…: …`): said once (tester X5 saw it twice).
    throw new Error(explained(err));
  }
}
