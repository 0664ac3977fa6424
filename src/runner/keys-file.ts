import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeWriteError, writeFileAtomic } from './atomic-write.js';
import { keyForMessage, unsafeKeyProblem } from '../key-safety.js';

/** Why a keys file is written: the label in its name and in runs.jsonl. */
export type RunLabel = 'launch' | 'resume' | 'retry';

/**
 * The scripts read `--csv FILE` one key a line and take a first line that does not start with `20` for a
 * header (reference backfill-logs.md; the team job's `game_id,game_date` CSV has one for that reason). So when
 * the first key does not start with `20` (game ids, player ids) the file begins with this header line, or the
 * script would silently drop that key (tester U9). Date keys get no header: their files are as before.
 */
export const KEYS_FILE_HEADER = 'key';

/** The text of a keys file or keys object for `keys`: one key a line, a header first when one is needed. */
export function keysFileText(keys: string[]): string {
  if (keys.length === 0) return '';
  const header = keys[0].startsWith('20') ? '' : `${KEYS_FILE_HEADER}\n`;
  return `${header}${keys.join('\n')}\n`;
}

/** The keys a script reads from a keys file's text: the header rule above, blank lines ignored. */
export function keysInKeysFile(text: string): string[] {
  const lines = text.split('\n').map((l) => l.trim());
  const rows = lines.length > 0 && lines[0] !== '' && !lines[0].startsWith('20') ? lines.slice(1) : lines;
  return rows.filter(Boolean);
}

/** `20251126-231710`, in UTC so names sort the same on every machine. */
export function fileStamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

/**
 * Writes `STATEDIR/keys/<label>-<stamp>.txt`, one key per line (see keysFileText), atomically and never over an existing
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
  const body = keysFileText(keys);
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
