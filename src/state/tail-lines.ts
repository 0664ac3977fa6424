import type { TailLine } from '../log-line.js';

/** A line of the log pane: a log line, and how many times in a row the log wrote it (1 for most). */
export interface ShownTailLine extends TailLine {
  times: number;
}

/**
 * The log pane's lines with a line written twice or more in a row shown once, with how many times (AJ5 h: a logger with
 * two handlers writes every record twice, and the pane showed each key line twice mid-run, as if the key ran twice; its
 * run counts them once, `N repeated key lines counted once`). Only the same text, time to the millisecond included: two
 * records of one key at different times are two lines.
 */
export function collapseRepeats(lines: readonly TailLine[]): ShownTailLine[] {
  const out: ShownTailLine[] = [];
  for (const line of lines) {
    const last = out.at(-1);
    if (last && last.text === line.text) last.times++;
    else out.push({ ...line, times: 1 });
  }
  return out;
}
