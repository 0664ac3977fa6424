import { useEffect, useRef } from 'react';
import { useInput, useStdin, type Key } from 'ink';

/**
 * Ink's useInput, with the raw read each call was decoded from as a third argument. Ink decodes ESC ESC
 * arriving in one read as one Escape, so without the raw read two quick Escs would be handled as one
 * (src/key-chunk.ts keysOf takes it). The raw listener is prepended: it always runs before Ink's own
 * listener for the same read, whatever order effects run in.
 */
export function useKeyInput(handler: (input: string, key: Key, raw: string) => void, options?: { isActive?: boolean }): void {
  const { internal_eventEmitter: emitter } = useStdin();
  const raw = useRef('');
  useEffect(() => {
    if (!emitter) return;
    const note = (data: unknown) => {
      raw.current = String(data);
    };
    emitter.prependListener('input', note);
    return () => {
      emitter.removeListener('input', note);
    };
  }, [emitter]);
  useInput((input, key) => handler(input, key, raw.current), options);
}
