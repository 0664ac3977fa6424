import { stat } from 'node:fs/promises';
import { historyStartFor } from './history-start.js';
import { type HistoryStart, followLog } from '../log-follower.js';
import type { Grammar } from '../parser/index.js';
import type { LogClockState } from '../parser/log-clock.js';
import type { AppEvent } from '../state/events.js';
import { UserError } from '../errors.js';
import { logNotAFile } from '../overview/row-problem.js';
import { logHandlers, startEarly, type ParseWorkerChoice } from './log-events.js';
import { procWriters } from './proc-writers.js';
import { parseWorkerChoice } from './parse-worker-client.js';
import { markStartup } from '../startup-timing.js';
import { guessAndTail, logWritten, type OpenForRead } from './log-zone-guess.js';
import { baselineOnly, mayCapTiers, SHORT_READ_BYTES } from './short-read.js';

/**
 * Reads a log's history once (no following) and turns it into events; a missing log is `waiting`.
 * Only the part of a long log that can still show is read (see history-start.ts; `historyStart` undefined: that).
 * Gives the log's clock as the read left it (a rotated file read first hands it to the file after it: `opts.clock`).
 */
export async function readLogOnce(
  file: string,
  grammar: Grammar,
  dispatch: (e: AppEvent) => void,
  historyStart?: HistoryStart,
  /**
   * Read size (default: the follower's), whether outcome lines come as keyed columns (default true), the
   * parse worker for a long log (default: parseWorkerChoice(); null: none), `paneless` when no log pane
   * shows what is read (status, missing: see logHandlers), and `clock`, the clock the lines before this file's left
   * (logHandlers `from`).
   */
  opts: { chunkSize?: number; keyed?: boolean; now?: () => number; worker?: ParseWorkerChoice | null; paneless?: boolean; openForGuess?: OpenForRead; clock?: LogClockState | null } = {},
): Promise<LogClockState> {
  const ac = new AbortController();
  let failure: unknown = null;
  // A long log's parse worker loads while the tail is read and the zone guessed (log-events.ts startEarly).
  const choice = opts.worker !== undefined ? opts.worker : parseWorkerChoice();
  const early = choice ? startEarly(file, choice) : null;
  // No `timezone`: the file's modification time says which zone its clock is in (log-zone-guess.ts).
  // The file's size with it (from the same read of its tail, else asked): a short log is parsed and folded without
  // TurboFan (short-read.ts). Asked through the thread pool, as everything here: a log on a file system that does
  // not answer must not stop the --timeout.
  const { guess, seen } = await guessAndTail(file, grammar, opts.now, opts.openForGuess).catch(async (err: unknown) => {
    (await early)?.drop();
    throw err;
  });
  const size = seen ? seen.size : await stat(file).then((st) => st.size, () => 0);
  const read = guess ? { ...grammar, zone: guess.zone } : grammar;
  const worker = choice ? { ...choice, early: await early } : null;
  const handlers = logHandlers(read, dispatch, undefined, opts.keyed ?? true, guess, worker, opts.paneless, opts.clock);
  let moved = false;
  const short = size < SHORT_READ_BYTES && mayCapTiers();
  // A long one-run log is not looked through backwards when its read in the worker can tell where its history starts
  // (history-start.ts `unsure`): only when nothing of the log is in the state before this file (no earlier rotated
  // file's run goes on here), as a later start replaces everything read.
  const pick = historyStart ?? historyStartFor(read, undefined, { unsure: worker !== null && opts.clock == null });
  try {
    await followLog(
      file,
      {
        ...handlers,
        onChunk: short ? (chunk) => baselineOnly(() => handlers.onChunk(chunk)) : handlers.onChunk,
        onWaiting: () => {
          handlers.onWaiting();
          ac.abort();
        },
        onProgress: (p) => {
          handlers.onProgress(p);
          if (p.historyDone) ac.abort();
        },
        onMoved: (m) => {
          moved = m !== null;
          handlers.onMoved?.(m);
        },
        onError: (err) => {
          failure = err;
          ac.abort();
        },
        // A directory, FIFO or socket at the log path: said at once, never opened (a FIFO would block the read).
        onUnusable: (what) => {
          failure = new UserError(logNotAFile(file, what));
          ac.abort();
        },
      },
      // logHandlers parses each chunk as it comes: the chunk buffer can be lent.
      // A one-shot read ends with the history: no directory watch (chokidar stays unloaded).
      // With who writes which file: a log moved aside under its writer is read where it is (tester W20).
      { signal: ac.signal, pollMs: 60_000, historyStart: pick, lendChunks: true, watch: false, chunkSize: opts.chunkSize, writers: procWriters() },
    );
  } finally {
    // Not taken (the log was replaced, moved or gone before it was opened): it ends here.
    worker?.early?.drop();
  }
  // A start-up stage for `npm run bench` (src/startup-timing.ts; nothing is recorded without BACKFILL_TUI_TIMING).
  markStartup('log read');
  // When its newest line was written, for a log whose clock is off by more than a zone (clockBehindMs).
  // (Not for a log read under another name: the file at the path is not the one read.)
  if (!failure && !moved) {
    // And when the file was last written at all: a write after the look at who writes it proves a writer (writer.ts).
    const written = await logWritten(file, seen);
    if (written) dispatch({ type: 'log/written', ...written });
  }
  // A log we cannot read (EACCES, a directory) must not pass for an empty one.
  if (failure instanceof UserError) throw failure;
  if (failure) throw new UserError(`cannot read the log ${file}: ${(failure as Error).message ?? String(failure)}`);
  return handlers.clockState();
}

