import { SourceError } from '../coverage/source.js';

/** Any failure of a source as a SourceError; sources explain their own, this only wraps the unexpected. */
export function asSourceError(err: unknown): SourceError {
  if (err instanceof SourceError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SourceError(message, null, null);
}
