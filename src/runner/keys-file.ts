import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeWriteError, writeFileAtomic } from './atomic-write.js';
import { keyForMessage, unsafeKeyProblem } from '../key-safety.js';

/** Why a keys file is written: the label in its name and in runs.jsonl. */
export type RunLabel = 'launch' | 'resume' | 'retry';

/** `20251126-231710`, in UTC so names sort the same on every machine. */
export function fileStamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

/**
 * Writes `STATEDIR/keys/<label>-<stamp>.txt`, one key per line, atomically and never over an existing
 * file (a second file in the same second gets `-2`, `-3`...). Returns its absolute path: the child may
 * run in another directory.
 * Any failure (read-only directory, full disk) is one clear Error, so the caller launches nothing; so is a
 * key that is not one safe line (see unsafeKeyProblem): it would become two lines, or an option, to the script.
 */
export async function writeKeysFile(
  stateDir: string,
  keys: string[],
  label: RunLabel,
  now: () => number = Date.now,
): Promise<string> {
  const bad = keys.findIndex((k) => unsafeKeyProblem(k) !== null);
  if (bad !== -1) throw new Error(`Refusing to write the keys file: key ${bad + 1} ${keyForMessage(keys[bad])} ${unsafeKeyProblem(keys[bad])}`);
  const dir = join(resolve(stateDir), 'keys');
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw describeWriteError(err, `the keys file directory ${dir}`, resolve(stateDir));
  }
  const body = keys.length > 0 ? `${keys.join('\n')}\n` : '';
  const stamp = fileStamp(now());
  for (let n = 1; n < 100; n++) {
    const path = join(dir, `${label}-${stamp}${n > 1 ? `-${n}` : ''}.txt`);
    try {
      await writeFileAtomic(path, body, { overwrite: false });
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw describeWriteError(err, `the keys file ${path}`, dir);
    }
  }
  throw new Error(`Cannot write the keys file in ${dir}: too many files named ${label}-${stamp}`);
}
