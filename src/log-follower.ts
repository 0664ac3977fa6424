import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { FSWatcher } from 'chokidar';
import { FileFollower } from './follow/file-follower.js';
import type { FollowWriters, MovedLog } from './follow/moved-log.js';
import { startPollClock } from './follow/poll-clock.js';
import { serialRunner } from './follow/serial-runner.js';

/** What a follower reports; all calls stop once the signal aborts. */
export interface FollowHandlers {
  /**
   * Complete lines only: a Buffer that ends in '\n' and holds one or more whole lines, in file order. With
   * `lendChunks` the buffer is reused for the next chunk: read it during the call, keep nothing of it.
   */
  onChunk(chunk: Buffer): void;
  /**
   * The file was truncated or replaced (inode change / delete+recreate): what follows comes from the new file's
   * start. 'rotated': the file before was the log moved aside under its writer (onMoved), read to its end; the
   * new one goes on from it.
   */
  onReset(reason: 'truncated' | 'replaced' | 'rotated'): void;
  /**
   * The log is read under another name because a process goes on writing it there after it was moved aside
   * (`mv`, logrotate's `create`; see FollowOptions.writers): where, and by whom; null once the path is read again.
   */
  onMoved?(moved: MovedLog | null): void;
  /** The file does not exist (yet, or any more). Called once per transition into that state. */
  onWaiting(): void;
  /** Reading progress; historyDone becomes true once the bytes present at first open were all delivered. */
  onProgress(p: { bytesRead: number; size: number; historyDone: boolean }): void;
  /**
   * Bytes the log held between two reads that no file beside it holds any more (two copytruncates while nothing read it,
   * the older copy deleted: tester AD14): said where they were, between the chunks before and after them. Null: how
   * many is not known (a `>>` writer's cut whose copy is not found, tester AG10: there may be none). `compressed`: the
   * name of a rotation compressed since the last read (`bf.log.1.gz`), where they likely are, not read; else null.
   */
  onLost?(bytes: number | null, compressed?: string | null): void;
  /** A line longer than the cap was cut; droppedBytes were counted but not kept. */
  onOverlong?(droppedBytes: number): void;
  /** A check failed for a reason other than the file being missing; it is retried on the next poll. */
  onError?(error: unknown): void;
  /**
   * The path holds something that cannot be followed: a directory, a FIFO, a socket, a device, or a file we may
   * not read. Any old file was dropped; the follower waits for a regular file there. Called once per change of
   * what it found, with that in words (e.g. "is a directory, not a regular file").
   */
  onUnusable?(what: string): void;
  /** The directory watch is set up (chokidar's `ready`): from now on changes are seen without the poll. */
  onWatching?(): void;
  /**
   * Offered a long stretch of history to read by other means (a parse worker: app/parse-worker-client.ts)
   * instead of as chunks: the bytes [from, to) of the open file `fd`, from a line start. Resolves with the
   * offset up to which it delivered every line (as onChunk would have, with onOverlong and `progress` on the
   * way); `from` when it declines. The follower reads on from there.
   */
  readBulk?(range: BulkRange): Promise<number>;
  /**
   * A file was opened whose history (at most `bytes` of it) may be offered to readBulk once the follower knows
   * where it starts (`historyStart`, which can take a while): a handler may get ready meanwhile (start its
   * worker). `ahead` is the stretch readBulk is offered when the history starts where the file was opened (a
   * one-run log: its history starts at its first line): a handler may begin reading it now, and use what it read
   * if readBulk is offered exactly that range. Returns what to call when the follower is done with that file's
   * history; by then readBulk has been offered it, or will not be.
   */
  prepareBulk?(bytes: number, ahead: BulkAhead): () => void;
}

/** The stretch of history prepareBulk may read ahead: a BulkRange without its signal and progress. */
export type BulkAhead = Pick<BulkRange, 'fd' | 'from' | 'to' | 'maxLineBytes'>;

/** What FollowHandlers.readBulk is offered. */
export interface BulkRange {
  fd: number;
  from: number;
  to: number;
  maxLineBytes: number;
  signal: AbortSignal;
  /** Call with how far the reading got (bytes of the file), as the follower's own progress reports say it. */
  progress(bytesRead: number): void;
  /**
   * The history's start was not looked for to the end (see UnsureStart): `from` is where it most likely starts. A
   * handler that delivers lines from `from` finds out as it reads (`decide`), or asks (`settle`), before it returns;
   * when it starts later, every line delivered before is replaced (a `log/batch` with `replace`) and the lines are
   * delivered from there. One that delivers nothing leaves it to the follower, which settles it before it reads.
   */
  unsure?: UnsureStart;
}

/**
 * A history start not looked for to the end (history-start.ts `unsure`): `at`, unless the file holds more run starts
 * than the state keeps, which a read from `at` can tell by itself. Used within the follower's handling of the file
 * that gave it (it reads through that file's handle).
 */
export interface UnsureStart {
  readonly at: number;
  /** Where the history starts: looks the rest of the way (once; the same answer after). */
  settle(): Promise<number>;
  /** The reader found out by itself: `settle` gives this, without looking. */
  decide(start: number): void;
}

/** How a follower reads and how often it looks without being told. */
export interface FollowOptions {
  signal: AbortSignal;
  /**
   * Fallback stat poll interval (ms) while the log is being written, default 250: chokidar drops the last
   * change event of a burst (50 ms throttle), and the poll picks it up.
   */
  pollMs?: number;
  /** Poll interval once nothing was written for a while, default 20 × pollMs (5 s): an idle follower costs next to nothing. */
  idlePollMs?: number;
  /** Quiet for this long, the follower polls at its idle rate; default 10 s. */
  idleAfterMs?: number;
  /** Read size, default 256 KiB: as fast as 1 MiB here, with less peak memory (fewer large chunk copies waiting for GC). */
  chunkSize?: number;
  /** Max kept bytes of one line, default 64 KiB. */
  maxLineBytes?: number;
  /**
   * Where the history of a newly opened (or truncated) file begins, given its size then; default 0.
   * It must be a line start whose earlier lines cannot change what the reader shows. An UnsureStart is offered
   * to readBulk (BulkRange.unsure), and settled by the follower itself when readBulk delivers nothing.
   */
  historyStart?: HistoryStart;
  /**
   * Who writes which file (a walk of /proc): with it, a log moved aside while its writer goes on is read there to
   * its end, and found by its rotated name when the path names no file or an empty one. Without it, a moved log
   * is left at once.
   */
  writers?: FollowWriters;
  /** onChunk's buffer is lent (see FollowHandlers.onChunk): for handlers that parse each chunk at once. */
  lendChunks?: boolean;
  /**
   * Watch the directory for changes (default true). A one-shot read (`status`) passes false: it stops at the
   * end of the history, before a watch could tell it anything, and chokidar then is never loaded.
   */
  watch?: boolean;
}

/** Picks the offset a history read begins at; see FollowOptions.historyStart. */
export type HistoryStart = (file: { handle: FileHandle; size: number; maxLineBytes: number }) => Promise<number | UnsureStart>;

/** Default cap of one line's kept bytes. */
export const MAX_LINE_BYTES = 64 << 10;

/** Quiet for this long, the follower polls at its idle rate. */
const IDLE_AFTER_MS = 10_000;

/** Follows `file` until the signal aborts; resolves then, leaving no watcher, timer or open fd behind. */
export function followLog(file: string, handlers: FollowHandlers, opts: FollowOptions): Promise<void> {
  const { signal } = opts;
  if (signal.aborted) return Promise.resolve();
  const target = path.resolve(file);
  const dir = path.dirname(target);
  const pollMs = opts.pollMs ?? 250;
  const idlePollMs = Math.max(pollMs, opts.idlePollMs ?? pollMs * 20);
  // Assigned below; chunks only come from checks the clock or the watcher start, after this.
  let onData = (): void => {};
  const counted: FollowHandlers = {
    ...handlers,
    onChunk(chunk) {
      onData();
      handlers.onChunk(chunk);
    },
  };
  const follower = new FileFollower(target, counted, signal, {
    chunkSize: opts.chunkSize ?? 256 << 10,
    maxLineBytes: opts.maxLineBytes ?? MAX_LINE_BYTES,
    historyStart: opts.historyStart,
    lendChunks: opts.lendChunks,
    writers: opts.writers,
  });
  const runner = serialRunner(
    () => follower.check(),
    (err) => {
      if (!signal.aborted) handlers.onError?.(err);
    },
  );
  const poke = (): void => {
    if (!signal.aborted) runner.trigger();
  };

  // The directory, not the file: only a directory watch sees the file appear again after a delete or rotation.
  // chokidar is loaded here, not with this module: the poll below covers the moment until its watch is ready.
  const watching: Promise<FSWatcher | null> = opts.watch === false ? Promise.resolve(null) : startWatch(dir, target, poke, handlers, signal);

  // Fast while lines are arriving (the end of a burst has no event), slow once the log is quiet.
  const clock = startPollClock({ pollMs, idlePollMs, idleAfterMs: opts.idleAfterMs ?? IDLE_AFTER_MS, tick: poke });
  onData = () => clock.dataArrived();

  return new Promise<void>((resolve) => {
    const stop = async (): Promise<void> => {
      clock.stop();
      await (await watching)?.close().catch(() => {});
      await runner.idle();
      await follower.close();
      resolve();
    };
    signal.addEventListener('abort', () => void stop(), { once: true });
  });
}

/** chokidar's watch of `dir` poking on changes to `target`; null when it could not start or the follower stopped first. */
async function startWatch(dir: string, target: string, poke: () => void, handlers: FollowHandlers, signal: AbortSignal): Promise<FSWatcher | null> {
  const { watch } = await import('chokidar').catch(() => ({ watch: null }));
  if (watch === null || signal.aborted) return null;
  const watcher = watch(dir, {
    depth: 0,
    ignoreInitial: true,
    // We stat on every event anyway; atomic's 100 ms unlink delay would only slow a rotation down.
    atomic: false,
    ignored: (p: string) => {
      const abs = path.resolve(p);
      return abs !== dir && abs !== target;
    },
  });
  watcher.on('all', (_event, p) => {
    if (path.resolve(p) === target) poke();
  });
  watcher.on('ready', () => handlers.onWatching?.());
  // Without a listener an 'error' event would throw; the poll covers for a broken watch.
  watcher.on('error', () => {});
  return watcher;
}
