import { readingText } from '../state/log-reading.js';
import { FAILURES_UNKNOWN_WORDS, failuresUnknown } from '../state/failures-known.js';
import { FOREIGN_LOG_HINT, foreignLog, foreignLogText } from '../state/foreign-log.js';
import { deadStartWords } from '../state/dead-start.js';
import { etaText, lateLogOf, launchOfCurrentRun, runNotes } from '../state/run-notes.js';
import { otherWriters, strangerRun } from '../state/writer.js';
import { runUnknown } from '../overview/row-problem.js';
import { HISTORY_LIMIT, later } from '../state/apply-lines.js';
import { NO_KEYS_EXPECTED, nextUnmetTarget } from '../coverage/math.js';
import { failureKindsLine } from '../state/failure-breakdown.js';
import { CODE_POINTS, commandRowsMeasured, countOf, formatClock, formatCount, formatElapsed, formatPercent, formatRate } from '../format.js';
import { stopStage } from '../state/confirm-situation.js';
import type { AppState } from '../state/app-state.js';
import { coverageView, type SourceCoverage } from '../state/coverage-view.js';
import { isLive } from '../state/run-view.js';
import { currentFigures, skipsClaimed } from '../state/current-figures.js';
import { formatGroups, formatMonths, NO_DATE, persistentSentence } from '../failures/analysis.js';
import { packGroups } from '../state/group-lines.js';
import { failuresView } from '../state/failures-view.js';
import { placeLines } from '../state/place-view.js';
import { zoneGuessText } from '../state/zone-guess-text.js';
import { clockStepText, shownClockStep } from '../state/clock-step-text.js';
import { movedText } from '../state/moved-text.js';
import { failuresShort, rotationNote } from '../state/rotation-note.js';
import { earlierRuns } from '../state/log-runs.js';

function sourceLine(name: string, s: SourceCoverage | null, expected: number | null, width: number): string[] {
  if (!s) return [];
  const out: string[] = [];
  if (s.coverage && expected === 0) out.push(`${name.padEnd(10)}${NO_KEYS_EXPECTED}${s.coverage.extra ? `  (+${formatCount(s.coverage.extra)} not expected)` : ''}`);
  else if (s.coverage && expected !== null) {
    const next = nextUnmetTarget(s.coverage.targets);
    const items = [
      `${formatCount(s.coverage.present)}/${formatCount(expected)}  ${formatPercent(s.coverage.present, expected)}`,
      next ? `${next.percent} %: ${formatCount(next.needed)} more` : 'all targets met',
      ...(s.coverage.extra ? [`(+${formatCount(s.coverage.extra)} not expected)`] : []),
    ];
    out.push(...itemRows(name, items, width));
  } else out.push(`${name.padEnd(10)}${s.waits ?? 'unknown'}`);
  if (s.note) out.push(`${''.padEnd(10)}${s.note}`);
  if (s.error) out.push(`${''.padEnd(10)}${s.stale ? 'stale: ' : ''}${s.error}${s.hint ? ` → ${s.hint}` : ''}`);
  return out;
}

/**
 * A labelled line of items set apart by two spaces, as many on a row as fit `width`, the rest on rows under the first
 * item: a target's words stay together (AJ5's note: at 33 columns `storage   648/856  75.7 %  95 %:` over `166 more`).
 */
function itemRows(label: string, items: string[], width: number): string[] {
  const rows: string[] = [];
  let row = label.padEnd(10);
  let has = false;
  for (const item of items) {
    if (has && [...`${row}  ${item}`].length > width) {
      rows.push(row);
      row = ' '.repeat(10);
      has = false;
    }
    row += `${has ? '  ' : ''}${item}`;
    has = true;
  }
  return [...rows, row];
}

/** Cuts text to a width in terminal columns, ending in `…` (text-width.ts `truncate`; by code points when not given). */
type Cut = (text: string, width: number) => string;
const byCodePoints: Cut = (text, width) => ([...text].length <= width ? text : `${[...text].slice(0, width - 1).join('')}…`);

/**
 * Text status's lines fitted to `width` columns (tester Z10: a source's problem was one ~200-column line): a longer
 * line is wrapped at spaces with a hanging indent, under its text (past the 10-column label, or its own indent); a path
 * longer than the width is cut in the middle with `…`, as the screen cuts it, never broken across lines (tester AG6 a).
 */
export function fitStatusLines(lines: string[], width: number, wrap: (text: string, width: number, indent: number, paths: 'cut') => string[]): string[] {
  return lines.flatMap((l) => wrap(l, width, Math.max(10, /^ */.exec(l)![0].length), 'cut'));
}

/** Characters that may take two columns (CJK, Hangul, full-width forms, emoji and their surrogate halves). */
const MAY_BE_WIDE = /[\u1100-\u115f\u2300-\u23ff\u2600-\u27bf\u2e80-\ua4cf\uac00-\ud7a3\ud800-\udfff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

/** Characters of one column each on any terminal: printable ASCII, Latin letters with their accents precomposed, `·`, `–`, `…`. */
const PLAIN = /^[\x20-\x7e\u00a0-\u00ac\u00ae-\u02ff\u2013\u2014\u2026]*$/;

/** Whether `line` is all {@link PLAIN} characters: its code points are its columns (no width library needed to lay it out). */
export function isPlain(line: string): boolean {
  return PLAIN.test(line);
}

/**
 * Whether any line may be wider than `width` columns, without the width library: longer in UTF-16 units, or with a
 * character that may be wide and long enough that doubling would pass. False means every line fits.
 */
export function mayExceed(lines: string[], width: number): boolean {
  return lines.some((l) => l.length > width || (l.length * 2 > width && MAY_BE_WIDE.test(l)));
}

/** `backfill-tui status` for people: the same facts as the JSON, as lines. */
export function statusText(state: AppState, opts: { cut?: Cut; width?: number } = {}): string {
  const run = state.log.current;
  const f = currentFigures(state);
  const lines: string[] = [];
  // A log not read to its end within --timeout has no state yet (tester U8): how far the read got, no run figures.
  const reading = readingText(state);
  // A stop asked and not over (a dashboard left during it, tester Y9): `stopping`, as the overview's cell says.
  const stopping = !reading && state.process.stopping && state.process.attached && isLive(f.status);
  lines.push(`${state.job}: ${reading ?? (runUnknown(state) ? 'error' : stopping ? 'stopping' : f.status + (run?.dryRun ? ' (dry run)' : ''))}${!reading && strangerRun(state.process) ? ' (external)' : ''}  ${state.log.path}`);
  // Read in a shell: who decides and how, as the leave words say it (AI14's class: the dashboard's key said as its).
  if (stopping) lines.push(`stop      ${stopStage(state.process, state.now)}${state.process.stopping === 'needs-kill' ? '; open the dashboard: x asks about SIGKILL' : ''}`);
  // No writer found, but the look could not see them all (the log another user's): the state is by its lines.
  if (!reading && state.process.writersHidden && run && !run.complete) lines.push(`          writer not visible (the log is another user's): state by its lines`);
  // A Cloud Run job: the execution, its tasks and log delay, and at most one problem (as the dashboard's lines).
  // A failed call is one of status's `problem` lines, with its fix: said once, and no "retrying" from a one-shot.
  // A shell command on rows of its own, whole or broken with ` \` (tester AI14: `(or gcloud` / `run jobs executions
  // cancel …` / `--project=…)` pasted ran two commands), and the dashboard's key said as the dashboard's.
  for (const l of placeLines(state)) {
    if (state.place?.error && l.text.startsWith(state.place.error)) continue;
    if (l.command) lines.push(`          ${l.command.fact} · cancel it with x on its dashboard, or in a shell:`, ...commandRowsMeasured(`            ${l.command.command}`, opts.width ?? 80, 14, CODE_POINTS));
    else lines.push(`          ${l.text}`);
  }
  // Every time below rests on it (U17): a log written in another zone with no `timezone`.
  if (state.log.zoneGuess) lines.push(`          ${zoneGuessText(state.log.zoneGuess, true)}`);
  // A DST night the zone read has no change on, read as one (parser/log-clock.ts): the run's elapsed time rests on it.
  const step = reading ? null : shownClockStep(state);
  if (step) lines.push(`          ${clockStepText(step, true)}`);
  // The run is read where its writer writes now (tester W20), not at the configured path.
  if (state.log.moved) lines.push(`          ${movedText(state.log.path, state.log.moved)}`);
  // The run began in rotated files read first, or the log begins mid-run (tester X13): what the figures rest on.
  const rotation = reading ? null : rotationNote(state);
  if (rotation) lines.push(`          ${rotation}`);
  // Lines, none in the backfill's format (tester W19): how many, and the newest as it is, cut to the width.
  const foreign = reading ? null : foreignLog(state);
  if (foreign) lines.push(`log       ${foreignLogText(foreign)}`, `          newest: ${(opts.cut ?? byCodePoints)(foreign.sample, 62)}`);
  // What to do about it, once no writer may still bring the banner (tester AC11: status said what, not what to do).
  if (foreign && !foreign.writerAlive) lines.push(`          → ${FOREIGN_LOG_HINT}`);
  if (run && !reading) {
    const elapsed = `elapsed ${f.endBeforeStartMs || f.elapsedMs === null ? 'not known' : formatElapsed(f.startedAt, f.elapsedMs)}`;
    // An execution's log with no entry read yet: its keys, and no count made up from nothing (AJ5 e: `✗ 0 failed`).
    if (f.countsAwaited) lines.push(`run       ${f.total === null ? 'keys not known' : countOf(f.total, 'key')}, none read yet  ${elapsed}`, `          ✓ ✗ ↷ not known yet: no entry of its log read (entries arrive late)`);
    else {
      lines.push(`run       ${f.countsUnknown ? '–' : formatCount(f.done)}/${f.total === null ? '?' : formatCount(f.total)}${f.total && !f.countsUnknown ? `  ${formatPercent(f.done, f.total)}` : ''}  ${elapsed}`);
      // Counts of a log that is gone, nothing kept of it: not known, never zeros under the line that says so (tester AF1).
      const count = (n: number) => (f.countsUnknown ? '–' : formatCount(n));
      lines.push(`          ✓ ${count(run.succeeded)} scraped  ✗ ${count(run.failed)} failed  ↷ ${count(run.skipped)} skipped`);
    }
    // Why a run ended before its first record (tester X11), when no traceback said it.
    const error = deadStartWords(state) ?? run.error;
    if (error) lines.push(`          ${error}`);
    const breakdown = failureKindsLine(run.failures, failuresShort(state), state.log.lost?.compressed);
    if (breakdown) lines.push(`          ${breakdown}`);
    for (const note of runNotes(run, launchOfCurrentRun(state), otherWriters(state.process), isLive(f.status) ? skipsClaimed(state) : 0, lateLogOf(state))) lines.push(`          ${note}`);
    if (isLive(f.status)) {
      lines.push(f.unseen ? `          rate –  ETA not known while ${f.unseen}` : `          rate ${f.ratePerMin === null ? 'calculating…' : formatRate(f.ratePerMin)}  ETA ${etaText(f)}`);
    }
  }
  const odd = reading ? 0 : state.log.suspiciousKeys;
  const damaged = reading ? 0 : (state.log.damagedKeys ?? 0);
  if (odd - damaged > 0) lines.push(`suspicious ${countOf(odd - damaged, 'key')} longer than 200 characters in the log, cut for display (never launched)`);
  if (damaged > 0) lines.push(`suspicious ${countOf(damaged, 'line')} whose key holds bytes that are not UTF-8 (never launched)`);
  // The runs read so far are not the log's runs: its newest are in the part not read (tester Z12).
  const earlier = reading ? 0 : earlierRuns(state.log).length;
  // A full history means older runs may exist that were never read (see history-start.ts).
  // Runs read that left that list (the one a history read begins at, read for where the next begins; every older run
  // of a log read whole): their failures count, so a key of theirs is not a mystery beside the list (tester AF3).
  const unlisted = reading ? 0 : state.log.unlisted ?? 0;
  if (earlier >= HISTORY_LIMIT) lines.push(`earlier   the newest ${earlier} runs of this log (older ones are not ${unlisted ? 'listed' : 'read'})`);
  if (unlisted > 0) lines.push(`          failures count the ${countOf(unlisted, 'older run')} read too`);
  else if (earlier) {
    // A second writer's run begun after this one is in the list too (log-runs.ts): not `earlier` (tester AI10 a).
    const current = state.log.current;
    const after = current ? earlierRuns(state.log).filter((r) => later(r, current)).length : 0;
    if (earlier > after) lines.push(`earlier   ${countOf(earlier - after, 'run')} in this log`);
    if (after) lines.push(`${(earlier > after ? 'also' : 'other').padEnd(10)}${countOf(after, 'run')} in this log begun after this one`);
  }
  const cov = coverageView(state);
  lines.push(...sourceLine('storage', cov.storage, cov.expected, opts.width ?? 80), ...sourceLine('warehouse', cov.warehouse, cov.expected, opts.width ?? 80));
  if (cov.lag) lines.push(`lag       ${formatCount(cov.lag.length)} keys in storage, not yet in the warehouse`);
  const ex = state.coverage.expected;
  if (state.coverage.expectedError) lines.push(`expected  ${state.coverage.expectedError}`);
  for (const bad of ex?.invalid.slice(0, 5) ?? []) lines.push(`expected  line ${bad.line}: ${bad.reason}: ${bad.text}`);
  // As --json's expectedProblems says them (tester X9: text said only the invalid lines).
  const leftOut = ex ? [ex.blank ? countOf(ex.blank, 'blank line') : '', ex.duplicates ? countOf(ex.duplicates, 'duplicate key') : ''].filter(Boolean) : [];
  if (ex && leftOut.length) lines.push(`expected  ${leftOut.join(' and ')} in ${ex.file ?? 'the expected file'} not counted (${countOf(ex.keys.length, 'key')} counted)`);
  lines.push(...failureLines(state, opts.width ?? 80));
  return `${lines.join('\n')}\n`;
}

/** Keys still failing, by error kind, phase and month, and the persistent ones with what that means. */
function failureLines(state: AppState, width: number): string[] {
  // Which key fails depends on the latest run that tried it, maybe in the part of the log not read: none said as a
  // fact (tester Z12: `714 failing` from a third of the log, 785 once read whole), as `missing --from failures` says.
  const unknown = failuresUnknown(state);
  if (unknown) return [`failures  not known: ${FAILURES_UNKNOWN_WORDS[unknown].status}`];
  const { summary } = failuresView(state);
  if (summary.failing + summary.recovered === 0) return [];
  const file = state.failed.current ? `  (${state.failed.current.name})` : '';
  const out = [`failures  ${formatCount(summary.failing)} failing · ${formatCount(summary.recovered)} recovered${file}`];
  // persistentSentence says "persistent: not known (storage not listed)" when storage has no answer.
  // Each line packed into the width between its groups, as the failures view does (tester Y8: the month line of a
  // long backfill, ~250 columns, wrapped mid-word in the terminal); packed for 80 and wrapped again at 50, its rows
  // lost their hang (tester AC11).
  // The lines are not labelled: with no key dated (game ids without a game_date), the month line would repeat the
  // phase line's `no date N` word for word (tester AA3), so it is left out; a month line always names a month, and only
  // months: the phase line says `no date` once (tester AF8: `2021: Oct 1 Nov 6 · no date 1` under `… · no date 1`).
  const dated = summary.byMonth.some((m) => m.label !== NO_DATE);
  for (const line of [formatGroups(summary.byError), formatGroups(summary.byPhase), dated ? formatMonths(summary.byMonth.filter((m) => m.label !== NO_DATE)) : '', persistentSentence(summary, state.coverage.storage !== null)]) {
    if (line) out.push(...packGroups(line, Math.max(20, width - 10)).map((row) => `          ${row}`));
  }
  return out;
}
