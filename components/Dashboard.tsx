import { placeErrorSource } from '../src/state/place-state.js';
import { Box, Text } from 'ink';
import type { AppState } from '../src/state/app-state.js';
import { keyDateOf, seasonCount } from '../src/state/calendar.js';
import { coverageView } from '../src/state/coverage-view.js';
import { failureSummaryLine } from '../src/state/failures-view.js';
import { keyStateOf } from '../src/state/key-state.js';
import { lateLogOf, launchOfCurrentRun } from '../src/state/run-notes.js';
import { otherWriters } from '../src/state/writer.js';
import { skipsClaimed } from '../src/state/current-figures.js';
import { isLive, type RunFigures } from '../src/state/run-view.js';
import { CalendarStrip } from './CalendarStrip.js';
import { FunnelPanel } from './FunnelPanel.js';
import type { FunnelView } from './useFunnel.js';
import { CoveragePanel, coveragePanelHeight } from './CoveragePanel.js';
import { sourceErrorText } from './CoverageBar.js';
import { WrappedText, wrappedRows } from './WrappedText.js';
import { HistoryProgress } from './HistoryProgress.js';
import { LogPane } from './LogPane.js';
import { PlaceLines, placeLineRows } from './PlaceLines.js';
import { placeLines } from '../src/state/place-view.js';
import { RunPanel, runNoteParts } from './RunPanel.js';
import { foreignLog } from '../src/state/foreign-log.js';
import { deadStartWords, runEndError } from '../src/state/dead-start.js';
import { failuresShort, rotationNote } from '../src/state/rotation-note.js';
import { readingLog } from '../src/state/log-reading.js';
import { failedFileProblems } from '../src/failures/failed-file.js';
import { useColor } from './theme.js';
import { countOf } from '../src/format.js';

/**
 * The expected-keys file's problem on the job screen: why it could not be read, or its bad lines with the first one
 * (`1 bad line`, `2 bad lines`: format.ts countOf, never `bad line(s)`).
 */
export function expectedProblemText(coverage: Pick<AppState['coverage'], 'expected' | 'expectedError'>): string | null {
  if (coverage.expectedError) return `expected keys: ${coverage.expectedError}`;
  const bad = coverage.expected?.invalid ?? [];
  if (!bad.length) return null;
  return `expected keys: ${countOf(bad.length, 'bad line')}; line ${bad[0].line}: ${bad[0].reason} (${bad[0].text})`;
}

/** The log pane gets at least this many lines before the calendar legend is shown. */
const MIN_LOG = 3;

/**
 * The main screen, fitted to `height`: run, coverage, failures line and the calendar come first;
 * the newest log lines take what is left.
 */
export function Dashboard({ state, figures, height, funnel = null }: { state: AppState; figures: RunFigures; height: number; funnel?: FunnelView | null }) {
  const color = useColor();
  const width = state.ui.width;
  const run = state.log.current;
  const cov = coverageView(state);
  const expected = state.coverage.expected;
  const summary = failureSummaryLine(state);
  // While the history is read the run is half known (a finished run read to its middle looks ended at
  // 0/5,299): the bar says how far the read is, and no run figures are shown until it is done (tester U8).
  const reading = readingLog(state);
  const bar = reading && state.log.size > 0;
  const expectedProblem = expectedProblemText(state.coverage);
  // A failed-keys file not read whole (not a file, not JSON, entries left out): which keys fail is then not all known.
  // Said only in `f` beside failures, so with no run in the log it was said nowhere here, while status said it (AA16).
  const failedProblems = failedFileProblems(state.failed.files, state.failed.notes);
  const failedProblem = failedProblems.length ? `${failedProblems[0]}${failedProblems.length > 1 ? ` (and ${failedProblems.length - 1} more: f shows them)` : ''}` : null;

  // Fitted by priority, never by overflow: what must stay (run bar and counts, one bar per source) is
  // placed first, then each extra in order of use while rows remain; the log pane takes the rest.
  // The launch from here that started this run, for the note on keys the script did not read (tester U14).
  const launched = launchOfCurrentRun(state);
  const others = otherWriters(state.process);
  // Keys the script will skip (in storage already): the ETA leaves them out, a note says them (tester W13).
  const skipping = run && isLive(figures.status) ? skipsClaimed(state) : 0;
  const foreign = foreignLog(state);
  const cause = deadStartWords(state);
  // Or the error a run that did some work died of, as `status` says it (tester AC8).
  const error = runEndError(state);
  // The run began in rotated files read first, or the log begins mid-run (tester X13).
  const rotation = rotationNote(state);
  // Failures of the summary's ✗ that no line read says (lines lost between reads: tester AD14).
  const short = failuresShort(state);
  // The run's notes row: why it ended before its first record (the Python error), who else writes the log.
  const noteParts = run && !reading ? runNoteParts(run, { launched, others, skipping, lateLog: lateLogOf(state), cause, error, rotation }) : [];
  const runFull = reading ? 0 : run ? 3 + (Object.keys(run.failures).length || short ? 1 : 0) + (noteParts.length ? 1 : 0) : foreign ? 2 : 1;
  const sourceCount = [cov.storage, cov.warehouse].filter((x) => x !== null).length;
  const covFull = coveragePanelHeight(cov);
  const place = placeLines(state);
  // A Cloud Run job has no log file to wait for: its place lines (which must stay) say where the log comes from.
  // Only once the follower looked and found no file: before its first look nothing is known (tester U8 saw
  // `waiting for` a file that was there).
  const waiting = state.log.looked && !state.log.exists && !state.place;
  let left = height - (bar ? 1 : 0) - (waiting ? 1 : 0) - place.length - Math.min(runFull, 2) - sourceCount;
  const take = (rows: number) => {
    if (rows <= 0 || rows > left) return false;
    left -= rows;
    return true;
  };
  const runLines = Math.min(runFull, 2) + (take(runFull - Math.min(runFull, 2)) ? runFull - Math.min(runFull, 2) : 0);
  const covLines = sourceCount + (take(covFull - sourceCount) ? covFull - sourceCount : 0);
  const showSummary = summary !== null && take(1);
  const showProblem = expectedProblem !== null && take(1);
  const showFailedProblem = failedProblem !== null && take(1);
  // A problem's line says what failed, why, and the fix, in that order: cut at the width, the why and the fix went
  // (tester AA9: `storage: Cloud Storage gs://…/player-boxscores/: host st…` with 8 rows free below). Each shown
  // problem gets the rows it needs to be read whole, while the log pane keeps MIN_LOG.
  const grow = (text: string | null, needs = text === null ? 1 : wrappedRows(text, width)): number => {
    if (text === null) return 1;
    const more = Math.min(needs - 1, left - MIN_LOG);
    return more > 0 && take(more) ? 1 + more : 1;
  };
  // The notes row wraps only where it is shown (the run panel had all its rows).
  const noteRows = noteParts.length && runLines === runFull ? grow(`  ${noteParts.join(' · ')}`) : 1;
  const placeRows: Record<string, number> = {};
  // Its problem lines, after the first (the execution's own line puts its long name last, to be cut).
  for (const l of place.slice(1)) if (l.tone === 'fail' || l.tone === 'warn') placeRows[l.text] = grow(l.text, placeLineRows(l, width).length);
  const errorRows: Record<string, number> = {};
  if (covLines === covFull) {
    for (const [name, s] of [['storage', cov.storage], ['warehouse', cov.warehouse]] as const) if (s?.error) errorRows[name] = grow(sourceErrorText(name, s));
  }
  const problemRows = showProblem ? grow(expectedProblem) : 1;
  const failedProblemRows = showFailedProblem ? grow(failedProblem) : 1;
  // A lone job's chain (the overview shows it for several): its title line and a line per stage, where they fit.
  const showFunnel = funnel !== null && take(funnel.rows.length + 1);
  // Date keys, or game ids with the file's date column: a row per season either way (tester V9).
  const dateOf = keyDateOf(expected);
  const seasons = expected ? seasonCount(expected.keys, dateOf) : 0;
  const calendar = seasons > 0 && left - (seasons + 1) >= MIN_LOG && take(seasons + 1);
  const legend = calendar && left - 1 >= MIN_LOG + 2 && take(1);
  const logHeight = Math.max(0, left);

  return (
    <Box flexDirection="column">
      {bar ? <HistoryProgress read={state.log.bytesRead} size={state.log.size} width={width} /> : null}
      {waiting ? <Text color={color ? 'yellow' : undefined}>waiting for {state.log.path} …</Text> : null}
      <PlaceLines lines={place} width={width} rows={placeRows} />
      {reading ? null : <RunPanel run={run} figures={figures} width={width} lines={runLines} launched={launched} others={others} skipping={skipping} lateLog={lateLogOf(state)} foreign={foreign} cause={cause} error={error} rotation={rotation} noteRows={noteRows} short={short} shortIn={state.log.lost?.compressed ?? null} noRun={noRunWords(state)} />}
      <CoveragePanel cov={cov} width={width} lines={covLines} errorRows={errorRows} />
      {showProblem ? <WrappedText text={expectedProblem!} width={width} rows={problemRows} color={color ? 'red' : undefined} /> : null}
      {showFailedProblem ? <WrappedText text={failedProblem!} width={width} rows={failedProblemRows} color={color ? 'yellow' : undefined} /> : null}
      {showFunnel ? <FunnelPanel rows={funnel!.rows} width={width} error={funnel!.error} reading={funnel!.reading} /> : null}
      {calendar ? <CalendarStrip keys={expected!.keys} stateOf={keyStateOf(state)} dateOf={dateOf ?? undefined} width={width} legend={legend} sources={{ storage: state.coverage.storage !== null, warehouse: state.coverage.warehouse !== null }} /> : null}
      {showSummary ? <Text wrap="truncate-end">{summary}</Text> : null}
      <LogPane lines={state.log.tail} height={logHeight} width={width} />
    </Box>
  );
}

/**
 * What the run pane says with no run read, for a Cloud Run job: no log file to wait for, and with the region or Cloud
 * Logging not answering, nothing read of its executions (tester AE15: `No run in the log yet` while `h` listed four
 * executions launched here), or none to read (tester AF2). Undefined: a local log's words.
 */
export function noRunWords(state: AppState): string | undefined {
  const p = state.place;
  if (!p) return undefined;
  if (p.error) return `No execution's log read: ${placeErrorSource(p.error)} cannot be read (executions launched here: h).`;
  if (p.execution) return "No run in the execution's log yet: its lines arrive with Cloud Logging's delay.";
  // No execution at all: there is no log to wait for (tester AF2: a local log's `No run in the log yet` on a job never
  // launched). Within 80 columns.
  return p.listedAt === null ? "Listing the job's executions…" : "No execution yet: s launches one (gcloud's or the console's are followed too).";
}
