import path from 'node:path';
import type { AppState } from './app-state.js';

/**
 * What the run's figures rest on after a rotation (tester X13), one line, or null: the rotated files read first
 * (`began in bf.log.2, bf.log.1 (rotated): read from there too`), or a log that begins mid-run with no rotated
 * file holding the start (`begins mid-run: its earlier lines were rotated away; figures count from the rotation`).
 */
export function rotationNote(state: AppState): string | null {
  // A Cloud Run execution's log is read by its id from its start: never rotated.
  if (state.place) return null;
  const from = state.log.rotatedFrom ?? [];
  const names = from.map((f) => path.basename(f)).join(', ');
  if (state.log.current?.beganMidway) return `begins mid-run: its earlier lines are not beside the log${names ? ` (${names} read, not its start)` : ''}; figures count from its first line read`;
  if (!from.length || !state.log.current) return null;
  // Only while the run that began there is the one shown: a later run began in the log itself.
  return state.log.current.startedAt === (state.log.rotatedRunAt ?? null) ? `began in ${names} (rotated): read from there too` : null;
}

/** `status --json` `logRotated`: the rotated files read first, and whether the figures are part of a run. */
export function rotationJson(state: AppState): { readFirst: string[]; partial: boolean } | null {
  if (state.place) return null;
  const from = state.log.rotatedFrom ?? [];
  const partial = state.log.current?.beganMidway === true;
  return from.length || partial ? { readFirst: from, partial } : null;
}
