import { SourceError, type KeySource } from '../coverage/source.js';
import type { AppEvent } from '../state/events.js';

/** Any failure of a source as a SourceError; sources explain their own, this only wraps the unexpected. */
export function asSourceError(err: unknown): SourceError {
  if (err instanceof SourceError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SourceError(message, null, null);
}

/** Lists a source once (no poller) and reports it as events; the keys found, or null when it failed. */
export async function lookOnce(source: KeySource, dispatch: (e: AppEvent) => void, now: () => number, signal: AbortSignal): Promise<Set<string> | null> {
  dispatch({ type: 'coverage/checking', source: source.name });
  try {
    const result = await source.list(signal);
    dispatch({ type: 'coverage/result', source: source.name, result, at: now() });
    return result.keys;
  } catch (err) {
    dispatch({ type: 'coverage/error', source: source.name, error: asSourceError(err), at: now() });
    return null;
  }
}
