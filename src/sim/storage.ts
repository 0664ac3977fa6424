import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FailedEntry } from './engine.js';
import { fileStamp, isoformat } from './python-format.js';

/** A key's folder name; anything that could climb out of the storage folder is percent-encoded. */
export function folderName(key: string): string {
  return /^[\w.-]+$/.test(key) && key !== '.' && key !== '..' ? key : encodeURIComponent(key).replace(/\./g, '%2E');
}

/** The script's resume check (`list_blobs(prefix=KEY/, max_results=1)`): the key's folder holds anything. */
export async function isPresent(storage: string, key: string): Promise<boolean> {
  try {
    return (await readdir(join(storage, folderName(key)))).length > 0;
  } catch {
    return false;
  }
}

/**
 * Stores a scraped key as `STORAGE/KEY/<YYYYMMDD_HHMMSS>.json`. The body is written beside the folders
 * first and renamed in, so a storage poller never sees a half-written object.
 */
export async function saveScraped(storage: string, key: string, at: number, body: object): Promise<string> {
  const folder = join(storage, folderName(key));
  const name = `${fileStamp(at)}.json`;
  await mkdir(folder, { recursive: true });
  const temp = join(storage, `.${folderName(key)}.${name}.tmp`);
  await writeFile(temp, JSON.stringify(body));
  const target = join(folder, name);
  await rename(temp, target);
  return target;
}

/** json.dump's default ensure_ascii: every non-ASCII character as \uXXXX. */
const asciiOnly = (json: string): string =>
  json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * Writes `failed_dates_<run start>.json` exactly as the script does: plain write (a reader may catch it
 * half-written), `json.dump(indent=2)`, `timestamp` = write time in isoformat, both on the writer's clock and in
 * its zone (`zone`: `--timezone`; else this machine's). Returns its path.
 */
export async function writeFailedDates(dir: string, failed: FailedEntry[], startedAt: number, writtenAt: number, zone?: string | null): Promise<string> {
  const file = join(dir, `failed_dates_${fileStamp(startedAt, zone)}.json`);
  const body = { timestamp: isoformat(writtenAt, zone), total_failed: failed.length, failed_dates: failed };
  await mkdir(dir, { recursive: true });
  await writeFile(file, asciiOnly(JSON.stringify(body, null, 2)));
  return file;
}
