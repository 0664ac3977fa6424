import path from 'node:path';
import type { AppState } from './app-state.js';
import { clockTime } from './confirm-situation.js';
import { formatCount } from '../format.js';
import { doneOf } from './run.js';

/**
 * What the run's figures rest on after a rotation (tester X13), one line, or null: the rotated files read first
 * (`began in bf.log.2, bf.log.1 (rotated): read from there too`; `ran in bf.log.1 (rotated): …` when the path holds
 * no record since, tester Z9), or a log that begins mid-run with no rotated
 * file holding the start (`begins mid-run: its earlier lines were rotated away; figures count from the rotation`).
 */
export function rotationNote(state: AppState): string | null {
  // A Cloud Run execution's log is read by its id from its start: never rotated.
  if (state.place) return null;
  const lost = lostNote(state);
  const rotated = rotatedNote(state);
  return lost && rotated ? `${lost} · ${rotated}` : (lost ?? rotated);
}

/**
 * Lines the log held between two reads that are in no file any more (tester AD14: two copytruncates while the
 * dashboard was suspended, the older copy deleted, read `✓ 136 ✗ 64` beside kinds summing 47 without a word): when,
 * and how far the failures read fall short of the summary's ✗. Only while the run they were lost from is shown.
 */
export function lostNote(state: AppState): string | null {
  const lost = state.log.lost;
  const run = state.log.current;
  if (!lost || !lostFromShown(state) || !run) return null;
  const at = (t: number) => clockTime(t + (state.log.clockBehindMs ?? 0));
  const span = lost.afterAt !== null && lost.beforeAt !== null ? `between ${at(lost.afterAt)} and ${at(lost.beforeAt)}` : lost.afterAt !== null ? `after ${at(lost.afterAt)}` : lost.beforeAt !== null ? `before ${at(lost.beforeAt)}` : '';
  const short = failuresShort(state);
  // A gap of a size not known (a `>>` writer's cut whose copy is not found: tester AG10) holds lines only when the
  // counts say so: its Progress or summary counts outcomes no line read says.
  const proven = lost.bytes !== null || short > 0 || run.summaryUnseen > 0 || run.progressDone > doneOf(run);
  // A copy compressed at once by the rotation (h78's note: `bf.log.1.gz` read as a deleted copy): where they are, not read.
  const where = lost.compressed ? `are likely in ${lost.compressed}, compressed by the rotation, which the dashboard does not read` : 'are in no file found (a rotated copy deleted?)';
  return `lines written ${span ? `${span} ` : ''}while the dashboard was not reading${proven ? '' : ', if any,'} ${where}${short ? `: its failures read are ${formatCount(short)} short of its summary's ✗ ${formatCount(run.failed)}` : ''}`;
}

/**
 * Lines of the shown run may be in no file (lostNote), or are not beside the log (it begins mid-run: rotatedNote): its
 * figures then count the lines read alone (the bar's done as its ✓ ✗ ↷, never a Progress line's count over them: tester
 * AH7, `300/300 100.0 %` over `✓ 160 ✗ 60` and a quarter of the bar empty), and no key of it with no outcome line is
 * claimed as one the script will skip, as its outcome line may be among those lost (tester AG10: `~24 of its keys
 * already in storage: the script skips them`, scraped in the lost window).
 */
export function linesLost(state: AppState): boolean {
  return state.log.current?.beganMidway === true || lostFromShown(state);
}

/** Lines were lost between two reads (state.log.lost) from the run shown. */
function lostFromShown(state: AppState): boolean {
  const lost = state.log.lost;
  const run = state.log.current;
  return !!lost && !!run && (run.startedAt ?? null) === lost.runStartedAt;
}

/** How many of the run's failures (its summary's ✗) no failure line read says, when lines were lost (lostNote); else 0. */
export function failuresShort(state: AppState): number {
  const run = state.log.current;
  const lost = state.log.lost;
  if (!run || !lost || (run.startedAt ?? null) !== lost.runStartedAt) return 0;
  const read = Object.values(run.failures).reduce((a, b) => a + b, 0);
  return Math.max(0, run.failed - read);
}

/** What a run's summary says of the whole run, where its counts are not the figures shown: ` (its summary: 234 scraped, 66 failed, 0 skipped)`. */
function summarySaid(run: NonNullable<AppState['log']['current']>): string {
  const s = run.summary;
  const said = ([['processed', 'scraped'], ['failed', 'failed'], ['skipped', 'skipped']] as const).filter(([f]) => s[f] !== undefined).map(([f, w]) => `${formatCount(s[f]!)} ${w}`);
  return said.length ? ` (its summary: ${said.join(', ')})` : '';
}

function rotatedNote(state: AppState): string | null {
  const from = state.log.rotatedFrom ?? [];
  const names = from.map((f) => path.basename(f)).join(', ');
  // Where they likely are when a compressed rotation holds them (h83's note: `bf.log.1.gz` went unnamed), not read.
  const gz = state.log.rotatedCompressed ? `, likely in ${state.log.rotatedCompressed} (compressed, not read)` : '';
  if (state.log.current?.beganMidway) return `begins mid-run: its earlier lines are not beside the log${names ? ` (${names} read, not its start)` : ''}${gz}; figures count from its first line read${summarySaid(state.log.current)}`;
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
