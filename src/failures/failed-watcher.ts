import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { FSWatcher } from 'chokidar';
import { kindOf } from '../follow/tracked-file.js';
import { compareNewestFirst, readFailedFile, unreadReason, type FailedFile } from './failed-file.js';
import { nameRegexSource } from './name-glob.js';


/** Called whenever the set of good files or the notes change (and once after the first look). */
export interface FailedFilesHandlers {
  /** `files`: every good file, newest first; `current`: the newest of them; `notes`: what the operator should know. */
  onUpdate(files: FailedFile[], current: FailedFile | null, notes: string[]): void;
}

/** How the watcher waits: `settleMs` before re-reading a file that did not parse, `pollMs` between full looks. */
export interface WatchFailedOptions {
  signal: AbortSignal;
  settleMs?: number;
  pollMs?: number;
}

/** Re-reads of an unchanged file that still does not parse; after these only a change or the poll retries it. */
const MAX_ATTEMPTS = 3;

/** Split an absolute glob into its directory and a matcher for the basename (the only part that may hold *, ? and {a,b}). */
export function splitFailedGlob(glob: string): { dir: string; match: RegExp } {
  const abs = resolve(glob);
  const dir = dirname(abs);
  if (/[*?]/.test(dir)) throw new Error(`failed: only the file name may contain * or ? (${glob})`);
  return { dir, match: new RegExp(`^${nameRegexSource(basename(abs), '.*', '.')}$`) };
}

interface Bad {
  reason: string;
  sig: string;
  attempts: number;
}

/**
 * Watch the failed-keys files a glob matches until `signal` aborts, then resolve with nothing left running.
 * Read-only. A file that does not parse (the script writes it with a plain json.dump, so readers see it
 * half-written) keeps its last good content and is re-read after `settleMs`; a new one is not reported until
 * it parses. A missing directory is waited for. chokidar gives prompt events; the poll catches what it misses.
 */
export async function watchFailedFiles(glob: string, handlers: FailedFilesHandlers, opts: WatchFailedOptions): Promise<void> {
  const { dir, match } = splitFailedGlob(glob);
  const settleMs = opts.settleMs ?? 300;
  const pollMs = opts.pollMs ?? 5000;
  const { signal } = opts;
  if (signal.aborted) return;

  const good = new Map<string, { file: FailedFile; sig: string }>();
  const bad = new Map<string, Bad>();
  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  let timerDue = Infinity;
  let scanning = false;
  let inflight: Promise<void> | null = null;
  let again = false;
  /** The directory was listed once: its absence later is a folder gone (moved, unmounted), not one to be made. */
  let listed = false;
  let lastEmitted: string | null = null;
  let fail: (err: unknown) => void = () => {};
  let onAbort = (): void => {};
  const done = new Promise<void>((res, rej) => {
    fail = rej;
    onAbort = () => res();
    signal.addEventListener('abort', onAbort, { once: true });
  });

  // One timer, set to the earliest wanted time: events, retries and the poll coalesce and never overlap.
  const schedule = (delay: number): void => {
    if (signal.aborted) return;
    if (scanning) return void (again = true);
    const due = Date.now() + delay;
    if (timer && timerDue <= due) return;
    if (timer) clearTimeout(timer);
    timerDue = due;
    timer = setTimeout(() => {
      timer = null;
      timerDue = Infinity;
      inflight = scan().catch((err: unknown) => fail(err));
    }, delay);
  };

  const scan = async (): Promise<void> => {
    scanning = true;
    const notes: string[] = [];
    let names: string[] = [];
    /** The directory listed before cannot be listed now: what was read of it stays (tester AF9's class). */
    let gone = false;
    try {
      // Watcher first, listing second: a file made in between is in the listing or raises an event.
      if (!watcher && (await stat(dir)).isDirectory() && !signal.aborted) watcher = await startWatcher();
      names = (await readdir(dir)).filter((n) => match.test(n));
      listed = true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const missing = code === 'ENOENT' || code === 'ENOTDIR';
      gone = listed;
      // A folder of failed-keys files that vanishes (an unmount, a move) is not every failure recovered: the files
      // read stay, said, until it is back; an operator who deletes files one by one is heard file by file.
      const held = good.size === 1 ? '1 failed-keys file' : `${good.size} failed-keys files`;
      // Said as the folder it is (tester AG6 c: `failed-keys file …/nbac_player_boxscore does not exist yet` named a folder a file).
      notes.push(gone ? `folder ${dir} is gone (moved or unmounted?): showing the ${held} read before` : missing ? `folder ${dir} does not exist yet; waiting for it` : `folder ${dir} cannot be listed: ${(err as Error).message}`);
      // A deleted directory leaves chokidar watching nothing; a new one is started when the directory is back.
      await closeWatcher();
    }
    const present = new Set(names.map((n) => join(dir, n)));
    if (!gone) for (const path of [...good.keys(), ...bad.keys()]) if (!present.has(path)) forget(path);
    for (const path of present) if (!signal.aborted) await look(path);
    scanning = false;
    if (signal.aborted) return;

    for (const [path, b] of bad) {
      const shown = good.has(path) ? 'showing the last good copy' : 'not shown until it reads';
      const what = b.reason.includes('still being written') ? 'is being written' : `cannot be read (${b.reason})`;
      notes.push(`${basename(path)} ${what}; ${shown}`);
    }
    const files = [...good.values()].map((g) => g.file).sort(compareNewestFirst);
    const state = JSON.stringify([files.map((f) => [f.path, good.get(f.path)?.sig]), notes]);
    if (state !== lastEmitted) {
      lastEmitted = state;
      handlers.onUpdate(files, files[0] ?? null, notes);
    }
    const retry = [...bad.values()].some((b) => b.attempts < MAX_ATTEMPTS);
    if (again) schedule(0);
    again = false;
    schedule(retry ? settleMs : pollMs);
  };

  const closeWatcher = async (): Promise<void> => {
    const w = watcher;
    watcher = null;
    await w?.close();
  };

  const forget = (path: string): void => {
    good.delete(path);
    bad.delete(path);
  };

  // Read one file unless its size and mtime say nothing changed since the last read.
  const look = async (path: string): Promise<void> => {
    const st = await stat(path).catch(() => null);
    if (!st) return forget(path);
    // A folder (or FIFO, socket) with a failed-keys file's name is said, as status says it (tester AA16's recheck: a
    // directory `failed_dates_….json` was said by status and by nothing on the dashboard); it is never opened.
    if (!st.isFile()) {
      good.delete(path);
      return void bad.set(path, { reason: `not a file: ${kindOf(st)}${st.isDirectory() ? '' : '; never opened'}`, sig: 'not-a-file', attempts: MAX_ATTEMPTS });
    }
    const sig = `${st.mtimeMs}:${st.size}`;
    const prev = bad.get(path);
    if (good.get(path)?.sig === sig && !prev) return;
    if (prev?.sig === sig && prev.attempts >= MAX_ATTEMPTS) return;
    const read = await readFailedFile(path);
    const readSig = `${read.mtimeMs}:${read.size}`;
    if (read.ok) {
      good.set(path, { file: read.file, sig: readSig });
      bad.delete(path);
      return;
    }
    if (read.reason === 'missing') return forget(path);
    bad.set(path, { reason: unreadReason(read.reason, read.mtimeMs, Date.now()), sig: readSig, attempts: prev?.sig === readSig ? prev.attempts + 1 : 1 });
  };

  // Resolves once chokidar is ready: until then a new file could count as "initial" and raise no event.
  // chokidar loads with the first watch, not with this module (`status` reads the files once, unwatched).
  const startWatcher = async (): Promise<FSWatcher> => {
    const { watch } = await import('chokidar');
    const w = watch(dir, { depth: 0, ignoreInitial: true, ignored: (p: string) => p !== dir && !match.test(basename(p)) });
    // Events only ask for a look soon; the look itself decides what changed.
    w.on('all', () => schedule(Math.min(50, settleMs)));
    w.on('error', () => schedule(settleMs));
    return new Promise((res) => {
      const settle = () => {
        signal.removeEventListener('abort', settle);
        res(w);
      };
      w.once('ready', settle);
      // Aborted while chokidar loaded: no 'abort' event comes any more.
      if (signal.aborted) settle();
      else signal.addEventListener('abort', settle, { once: true });
    });
  };

  schedule(0);
  try {
    await done;
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (timer) clearTimeout(timer);
    timer = null;
    // Let a look already under way finish, so no read or watcher outlives the returned promise.
    await inflight;
    await closeWatcher();
  }
}
