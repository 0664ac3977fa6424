import path from 'node:path';
import type { AppState } from './app-state.js';

/**
 * What the run's figures rest on after a rotation (tester X13), one line, or null: the rotated files read first
 * (`began in bf.log.2, bf.log.1 (rotated): read from there too`; `ran in bf.log.1 (rotated): …` when the path holds
 * no record since, tester Z9), or a log that begins mid-run with no rotated
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
  if (state.log.current.startedAt !== (state.log.rotatedRunAt ?? null)) return null;
  // Nothing read at the path since (no file there, or one with no record): the whole run is in the rotated files.
  return state.log.lines === state.log.rotatedLines ? `ran in ${names} (rotated): nothing at the log's path since` : `began in ${names} (rotated): read from there too`;
}

/** `status --json` `logRotated`: the rotated files read first, and whether the figures are part of a run. */
export function rotationJson(state: AppState): { readFirst: string[]; partial: boolean } | null {
  if (state.place) return null;
  const from = state.log.rotatedFrom ?? [];
  const partial = state.log.current?.beganMidway === true;
  return from.length || partial ? { readFirst: from, partial } : null;
}
