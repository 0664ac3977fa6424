import { makeDirs } from './make-dirs.js';
import { join, resolve } from 'node:path';
import { describeWriteError, writeFileAtomic } from './atomic-write.js';
import { keyForMessage, unsafeKeyProblem } from '../key-safety.js';
import type { KeysLayout } from '../coverage/expected-keys.js';

/** Why a keys file is written: the label in its name and in runs.jsonl. */
export type RunLabel = 'launch' | 'resume' | 'retry';

/**
 * The scripts read `--csv FILE` one key a line (a row's key is its first comma field) and take a first line
 * that does not start with `20` for a header (reference backfill-logs.md; the team job's `game_id,game_date`
 * CSV has one for that reason). The one rule for that here: {@link isScriptHeader}.
 * A keys file is written as the expected keys file is laid out when it has a header (its header line, then
 * each key's own line of it: a script reading the CSV by column name finds its columns); otherwise when the
 * first key does not start with `20` (game ids, player ids) the file begins with the header line `key`, or
 * the script would silently drop that key (tester U9). Date keys with no expected header get no header.
 */
export const KEYS_FILE_HEADER = 'key';

/** Whether a keys file's first line is a header to the scripts: a line that does not start with `20`. */
export function isScriptHeader(line: string): boolean {
  return line !== '' && !line.startsWith('20');
}

/**
 * The text of a keys file or keys object for `keys`: one key a line, a header first when one is needed; with
 * the expected file's `layout`, its header and each key's own row (a key it does not hold: the key alone).
 */
export function keysFileText(keys: string[], layout: KeysLayout | null = null): string {
  if (keys.length === 0) return '';
  if (layout) return `${layout.header}\n${keys.map((k) => layout.rows.get(k) ?? k).join('\n')}\n`;
  const header = isScriptHeader(keys[0]) ? `${KEYS_FILE_HEADER}\n` : '';
  return `${header}${keys.join('\n')}\n`;
}

/** The keys a script reads from a keys file's text: the header rule above, a row's first comma field, blank lines ignored. */
export function keysInKeysFile(text: string): string[] {
  const lines = text.split('\n').map((l) => l.trim());
  const rows = lines.length > 0 && isScriptHeader(lines[0]) ? lines.slice(1) : lines;
  return rows.map((row) => row.split(',')[0].trim()).filter(Boolean);
}

/** `20251126-231710`, in UTC so names sort the same on every machine. */
export function fileStamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

/**
 * Writes `STATEDIR/keys/<label>-<stamp>.txt`, one key per line (see keysFileText, `layout` the expected file's), atomically and never over an existing
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
  layout: KeysLayout | null = null,
): Promise<string> {
  const bad = keys.findIndex((k) => unsafeKeyProblem(k) !== null);
  if (bad !== -1) throw new Error(`Refusing to write the keys file: key ${bad + 1} ${keyForMessage(keys[bad])} ${unsafeKeyProblem(keys[bad])}`);
  const dir = join(resolve(stateDir), 'keys');
  try {
    await makeDirs(dir);
  } catch (err) {
    throw describeWriteError(err, `the keys file directory ${dir}`, resolve(stateDir));
  }
  const body = keysFileText(keys, layout);
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
