import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Which code cache the launcher reads for the one-shot bundle. V8 takes a cache only from its own version, the
 * same architecture and the same V8 flags (NODE_OPTIONS=--max-old-space-size=… is one; --cpu-prof, a Node
 * option, is not), so:
 * - one this machine made, when there is one: in the user's cache folder (`$XDG_CACHE_HOME/backfill-tui`, else
 *   `~/.cache/backfill-tui`), named after the bundle, the V8 version, the architecture and the flags;
 * - else the cache shipped beside the bundle, made by the build's Node, when this Node is the same V8 on the
 *   same architecture;
 * - else none.
 * When what was read is refused or missing, the run writes the user's cache as it exits (`write`), so the next
 * start has one: under flags V8 refuses the shipped cache for, or a damaged copy of it. No cache folder (no
 * HOME): no user cache.
 */
export interface CachePlace {
  /** The cache file to read. */
  file: string;
  /** 'shipped' (beside the bundle, read-only) or 'user' (this machine's own). */
  kind: 'shipped' | 'user';
}

/** What to read, and where to write the user's cache when that is refused or missing (null: nowhere). */
export interface CachePlan {
  read: CachePlace | null;
  write: string | null;
}

/** What the build knew when it made the shipped cache (see scripts/build.mjs). */
export interface ShippedCache {
  file: string;
  /** A hash of the bundle's text: a user cache of another build of the bundle is never read. */
  bundleId: string;
  /** process.versions.v8 and process.arch of the Node that made it. */
  v8: string;
  arch: string;
}

/** The flags this Node runs with (command line and NODE_OPTIONS), as one string; '' without any. */
export function nodeFlags(execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): string {
  return [...execArgv, env.NODE_OPTIONS ?? ''].join(' ').trim();
}

/** 32-bit FNV-1a of a string, as 8 hex digits: a short, stable name for a flags string (not a secret). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The user's cache folder for backfill-tui, or null when there is none to use. */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : '');
  return base ? join(base, 'backfill-tui') : null;
}

/** Where this process reads its code cache from and where it would write one (see {@link CachePlace}). */
export function cachePlan(
  shipped: ShippedCache,
  now: { v8: string; arch: string; flags: string; cacheDir: string | null },
  exists: (file: string) => boolean = existsSync,
): CachePlan {
  const flags = now.flags === '' ? 'none' : fnv1a(now.flags);
  const user = now.cacheDir === null ? null : join(now.cacheDir, `one-shot-${shipped.bundleId}-v8-${now.v8}-${now.arch}-${flags}.v8cache`);
  if (user !== null && exists(user)) return { read: { file: user, kind: 'user' }, write: user };
  const same = now.v8 === shipped.v8 && now.arch === shipped.arch;
  return { read: same ? { file: shipped.file, kind: 'shipped' } : null, write: user };
}

/**
 * Writes `data` to `file` atomically (a temporary file in the same folder, then a rename), making the folder;
 * then removes the caches of other builds of the bundle from it (files `one-shot-*.v8cache` not of
 * `bundleId`): each release leaves one file per Node and flags, never a pile. Any failure (a read-only home)
 * is ignored: the cache only makes the next start faster.
 */
export function writeUserCache(file: string, data: Buffer, bundleId: string): void {
  const dir = join(file, '..');
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, file);
    for (const name of readdirSync(dir)) {
      if (name.startsWith('one-shot-') && name.endsWith('.v8cache') && !name.startsWith(`one-shot-${bundleId}-`)) rmSync(join(dir, name), { force: true });
    }
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing more to do: the next start compiles from source again
    }
  }
}
