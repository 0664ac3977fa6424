import type { AppState } from '../state/app-state.js';
import type { Store } from '../store.js';
import { executionLogUnread, executionsUnlisted } from '../state/failures-known.js';

/**
 * What a key acts on may still be being read when it is pressed (the expected keys, the log's history, who
 * writes the log, the job's executions): `unknown` names what is still missing, or null once all is read.
 * Resolves true once it is null, false if `signal` aborts first. Listens to the store; never polls.
 */
export function whenKnown(store: Store, unknown: (s: AppState) => string | null, signal: AbortSignal): Promise<boolean> {
  if (unknown(store.getState()) === null) return Promise.resolve(true);
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (known: boolean) => {
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      resolve(known);
    };
    const onAbort = () => done(false);
    const unsubscribe = store.subscribe(() => {
      if (unknown(store.getState()) === null) done(true);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** What `s` needs that is still being read: the expected keys (a file that failed to read is known: its error). */
export function expectedUnknown(s: AppState, file: string | null): string | null {
  if (file === null || s.coverage.expected || s.coverage.expectedError) return null;
  return `the expected keys are still being read from ${file.split('/').at(-1)}`;
}

/**
 * What `r` and `R` need that is still being read (the log's history, where the failures are), or what keeps it from
 * ever being read; null once the failures are known. Not the one-shot `failuresUnknown` (state/failures-known.ts),
 * which `status` asks once everything it waited for has been read.
 */
export function failuresStillReading(s: AppState): string | null {
  const { log } = s;
  // A Cloud Run job's log is no file: its history is done once a read of the execution's entries caught up. A read
  // that fails is said on the place's line; what failed is then not known (tester AD10: `r` said `no key has failed`),
  // nor, with the executions not listed, what the newest one failed. Asked first: an execution launched from here has
  // no history to read (done at its launch), yet what it failed is in the log that cannot be read (tester AE12).
  if (s.place) {
    if (executionsUnlisted(s)) return "the executions could not be listed, so the newest one's failures are not known";
    if (executionLogUnread(s)) return "the execution's log could not be read, so its failures are not known";
    if (log.historyDone || s.place.error) return null;
    return "the execution's log is still being read, so not every failure is known";
  }
  if (log.historyDone) return null;
  if (!log.looked) return 'the log has not been looked at yet';
  if (!log.exists) return null;
  const pct = log.size > 0 ? ` (${Math.floor((log.bytesRead / log.size) * 100)} %)` : '';
  return `the log is still being read${pct}, so not every failure is known`;
}
