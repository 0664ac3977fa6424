import { SourceError, type KeySource } from '../coverage/source.js';
import type { AppEvent } from '../state/events.js';

/** Any failure of a source as a SourceError; sources explain their own, this only wraps the unexpected. */
export function asSourceError(err: unknown): SourceError {
  if (err instanceof SourceError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SourceError(message, null, null);
}

/**
 * Lists a source once (no poller) and reports it as events; the keys found, or null when it failed. When the
 * signal ends the look (`limitMs` passed), the error names the service and what to check, never only "aborted".
 */
export async function lookOnce(source: KeySource, dispatch: (e: AppEvent) => void, now: () => number, signal: AbortSignal, limitMs?: number): Promise<Set<string> | null> {
  dispatch({ type: 'coverage/checking', source: source.name });
  try {
    const result = await source.list(signal);
    dispatch({ type: 'coverage/result', source: source.name, result, at: now() });
    return result.keys;
  } catch (err) {
    const error = signal.aborted ? timeoutError(source, limitMs) : asSourceError(err);
    dispatch({ type: 'coverage/error', source: source.name, error, at: now() });
    return null;
  }
}

/** "BigQuery p.d.t: no answer within 20 s" with what to check. */
export function timeoutError(source: KeySource, limitMs?: number): SourceError {
  const within = limitMs === undefined ? 'no answer in time' : `no answer within ${Math.round(limitMs / 100) / 10} s`;
  return new SourceError(`${source.service ?? source.name} ${source.label}: ${within}`, source.timeoutHint ?? 'check the network and the endpoint in the config', null);
}
