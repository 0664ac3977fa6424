import { fstatSync } from 'node:fs';
import type { AppState } from '../state/app-state.js';
import { readingText } from '../state/log-reading.js';

/** A one-shot read says how far it is once it has taken this long (the brief: a progress line for anything over a second). */
export const PROGRESS_AFTER_MS = 1_000;
const EVERY_MS = 250;

/** A look's progress line: `watch` is given to collectSnapshot, `stop` is called when the look is over, however. */
export interface ReadProgress {
  watch(state: () => AppState): void;
  stop(): void;
}

/**
 * `status` and `missing` on a long log said nothing for seconds (tester AD9: ~3 s on 53 MB, where the dashboard says
 * `reading… 45 % of 53 MB`). From a second on, the same words on one line of stderr, rewritten in place, and wiped
 * when the look ends: only when stderr is a terminal (a script's stderr gets no `\r` lines).
 */
export function progressOnStderr(job: string, stderr: NodeJS.WriteStream | null = stderrIfTerminal()): ReadProgress {
  let get: (() => AppState) | null = null;
  let shown = false;
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    const text = get && readingText(get());
    if (!text) return;
    stderr!.write(`\r\x1b[K${job}: ${text}`);
    shown = true;
  };
  const start = stderr?.isTTY
    ? setTimeout(() => {
        tick();
        timer = setInterval(tick, EVERY_MS);
        timer.unref();
      }, PROGRESS_AFTER_MS)
    : null;
  start?.unref();
  return {
    watch: (state) => void (get = state),
    stop: () => {
      if (start) clearTimeout(start);
      if (timer) clearInterval(timer);
      if (shown) stderr!.write('\r\x1b[K');
      shown = false;
    },
  };
}

/**
 * process.stderr when fd 2 is a terminal, else null, told apart without making the stream: a pipe's stream is a
 * socket, and status into pipes loads no socket module (test/one-shot-output.test.ts).
 */
function stderrIfTerminal(): NodeJS.WriteStream | null {
  try {
    return fstatSync(2).isCharacterDevice() ? process.stderr : null;
  } catch {
    return null;
  }
}
