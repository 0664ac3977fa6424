import { literalStart, nameRegexSource } from './name-glob.js';

/** A `failed` setting that names Cloud Storage objects: gs://BUCKET/PREFIX/failed_dates_*.json. */
export function isGsGlob(glob: string): boolean {
  return glob.startsWith('gs://');
}

/**
 * Splits gs://BUCKET/PREFIX/NAME-GLOB into the bucket, the listing prefix (the folder plus the glob's literal
 * start, so only candidates are listed; of `{a,b}` words, what they begin with alike) and a matcher for the whole object name. Only the last segment may
 * hold * or ?; throws an Error naming the problem otherwise.
 */
export function splitGsGlob(glob: string): { bucket: string; folder: string; listPrefix: string; match: RegExp } {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])\/(.*)$/.exec(glob);
  if (!m) throw new Error(`${glob} is not gs://BUCKET/PREFIX/NAME (e.g. gs://my-bucket/failed/failed_dates_*.json)`);
  const name = m[2];
  const cut = name.lastIndexOf('/');
  const folder = name.slice(0, cut + 1);
  const base = name.slice(cut + 1);
  if (/[*?]/.test(folder)) throw new Error(`only the object name may hold * or ? (${glob}): name the folder, e.g. gs://BUCKET/failed/failed_dates_*.json`);
  if (base === '') throw new Error(`${glob} names a folder: add the file name pattern, e.g. failed_dates_*.json`);
  return { bucket: m[1], folder, listPrefix: folder + literalStart(base), match: new RegExp(`^${escape(folder)}${nameRegexSource(base, '[^/]*', '[^/]')}$`) };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
