import { followLog } from '../log-follower.js';
import { parseChunk, type Grammar } from '../parser/index.js';
import type { AppEvent } from '../state/events.js';
import { UserError } from '../errors.js';

/** Reads a log's history once (no following) and turns it into events; a missing log is `waiting`. */
export async function readLogOnce(file: string, grammar: Grammar, dispatch: (e: AppEvent) => void): Promise<void> {
  const ac = new AbortController();
  let failure: unknown = null;
  await followLog(
    file,
    {
      onChunk: (chunk) => dispatch({ type: 'log/batch', batch: parseChunk(chunk, grammar) }),
      onReset: (reason) => dispatch({ type: 'log/reset', reason }),
      onWaiting: () => {
        dispatch({ type: 'log/waiting' });
        ac.abort();
      },
      onProgress: (p) => {
        dispatch({ type: 'log/progress', ...p });
        if (p.historyDone) ac.abort();
      },
      onOverlong: (bytes) => dispatch({ type: 'log/overlong', bytes }),
      onError: (err) => {
        failure = err;
        ac.abort();
      },
    },
    { signal: ac.signal, pollMs: 60_000 },
  );
  // A log we cannot read (EACCES, a directory) must not pass for an empty one.
  if (failure) throw new UserError(`cannot read the log ${file}: ${(failure as Error).message ?? String(failure)}`);
}
