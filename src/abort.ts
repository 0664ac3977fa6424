/**
 * Time limits as abort signals, built from a plain controller and a timer that this module holds. Not
 * AbortSignal.timeout inside AbortSignal.any: on Node 20 the timeout signal, referred to only by the composite
 * one, can be garbage collected before it fires, and the limit then never comes (seen with a never-answering
 * server while the BigQuery client loaded).
 */
export interface Limit {
  signal: AbortSignal;
  /** Drops the timer (call once the work is done). */
  clear(): void;
}

/** A signal that aborts after `ms` (reason: a TimeoutError), or when `parent` aborts, whichever comes first. */
export function limit(ms: number, parent?: AbortSignal): Limit {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  const onParent = () => ac.abort(parent?.reason);
  if (parent?.aborted) onParent();
  else parent?.addEventListener('abort', onParent, { once: true });
  return {
    signal: ac.signal,
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects): a pause a shutdown may cut short. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * True once `ready` resolves, false when it rejects or `signal` aborts first (never rejects): work that waits for a
 * set-up, and a shutdown that must not wait for a set-up that never ends.
 */
export function readyUnlessAborted(ready: Promise<unknown>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    ready.then(
      () => resolve(!signal.aborted),
      () => resolve(false),
    ).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
