import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { SourceError, type KeySource, type SourceResult } from './source.js';

/** Options for {@link createLocalSource}. */
export interface LocalSourceOptions {
  dir: string;
  name: 'storage' | 'warehouse';
  /** Regular expression with a named group `key`, matched against each file's path below `dir` (with `/`). */
  keyPattern?: string;
}

/** Compiles a `keyPattern` setting; a pattern without a `key` group is a config error, said up front. */
export function compileKeyPattern(pattern: string, setting = 'storage.keyPattern'): RegExp {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (e) {
    throw new SourceError(`${setting} is not a regular expression: ${(e as Error).message}`, 'fix the pattern in the config', null);
  }
  if (!/\(\?<key>/.test(pattern)) {
    throw new SourceError(`${setting} has no named group "key"`, 'write the key part as (?<key>...), e.g. /(?<key>\\d{10})/', null);
  }
  return re;
}

/**
 * Keys present in a local directory: the simulator's stand-in for a bucket. A key is present
 * when `DIR/KEY/` holds at least one file with data (size > 0, at any depth, as a GCS folder holds
 * any object below it); empty folders and empty files are not data, as GCS placeholders are not.
 * With `keyPattern`, every file path below `dir` is matched instead, by the same rule.
 */
export function createLocalSource(opts: LocalSourceOptions): KeySource {
  const pattern = opts.keyPattern === undefined ? null : compileKeyPattern(opts.keyPattern, `${opts.name}.keyPattern`);
  return {
    name: opts.name,
    label: opts.dir,
    async list(signal) {
      signal.throwIfAborted();
      try {
        return pattern === null ? await listFolders(opts.dir, signal) : await listByPattern(opts.dir, pattern);
      } catch (e) {
        if (signal.aborted) throw signal.reason;
        throw explainFsError(e, opts);
      }
    },
  };
}

// Reading every folder one by one is what makes 100,000 keys slow; a few at once hides the latency.
const PARALLEL = 32;

async function listFolders(dir: string, signal: AbortSignal): Promise<SourceResult> {
  const entries = await readdir(dir, { withFileTypes: true });
  const folders = entries.filter((d) => d.isDirectory()).map((d) => d.name);
  const keys = new Set<string>();
  for (let i = 0; i < folders.length; i += PARALLEL) {
    signal.throwIfAborted();
    const batch = folders.slice(i, i + PARALLEL);
    const held = await Promise.all(batch.map((f) => holdsFile(join(dir, f))));
    batch.forEach((f, j) => held[j] && keys.add(f));
  }
  return { keys, requests: 1 + folders.length, bytesBilled: null, method: 'directory' };
}

/** True when the file (or what a symlink points at) holds at least one byte; a file gone meanwhile holds none. */
async function hasData(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/**
 * True when the folder has a file with data somewhere below it; stops at the first one. One readdir per folder
 * (opendir, its reads and its close cost 2.5× the CPU for the usual folder of one or two files).
 */
async function holdsFile(path: string): Promise<boolean> {
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (e) {
    // A folder removed while we list is simply not there; it must not fail the whole listing.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw e;
  }
  const subfolders: string[] = [];
  for (const d of entries) {
    if ((d.isFile() || d.isSymbolicLink()) && (await hasData(join(path, d.name)))) return true;
    if (d.isDirectory()) subfolders.push(join(path, d.name));
  }
  for (const sub of subfolders) if (await holdsFile(sub)) return true;
  return false;
}

async function listByPattern(dir: string, pattern: RegExp): Promise<SourceResult> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const keys = new Set<string>();
  for (const d of entries) {
    if (!d.isFile()) continue;
    const path = relative(dir, join(d.parentPath, d.name)).split(sep).join('/');
    const key = pattern.exec(path)?.groups?.key;
    if (key && !keys.has(key) && (await hasData(join(d.parentPath, d.name)))) keys.add(key);
  }
  return { keys, requests: 1, bytesBilled: null, method: 'files' };
}

function explainFsError(e: unknown, opts: LocalSourceOptions): SourceError {
  const code = (e as NodeJS.ErrnoException).code;
  const url = opts.name === 'storage' ? 'storage.url' : 'warehouse.dir';
  if (code === 'ENOENT') return new SourceError(`${opts.name}: directory ${opts.dir} not found`, `create it, or set ${url} to the directory the backfill writes`, null);
  if (code === 'ENOTDIR') return new SourceError(`${opts.name}: ${opts.dir} is not a directory`, `set ${url} to a directory (or gs://BUCKET/PREFIX/)`, null);
  if (code === 'EACCES' || code === 'EPERM') return new SourceError(`${opts.name}: no permission to read ${opts.dir}`, 'check the directory permissions', null);
  if (e instanceof SourceError) return e;
  return new SourceError(`${opts.name}: ${(e as Error).message}`, null, null);
}
