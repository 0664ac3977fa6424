import { Box, Text } from 'ink';
import type { AppState } from '../src/state/app-state.js';
import { seasonOf } from '../src/state/calendar.js';
import { coverageView } from '../src/state/coverage-view.js';
import { failureSummaryLine } from '../src/state/failures-view.js';
import { keyStateOf } from '../src/state/key-state.js';
import type { RunFigures } from '../src/state/run-view.js';
import { CalendarStrip } from './CalendarStrip.js';
import { CoveragePanel, coveragePanelHeight } from './CoveragePanel.js';
import { HistoryProgress } from './HistoryProgress.js';
import { LogPane } from './LogPane.js';
import { RunPanel } from './RunPanel.js';

/** The log pane gets at least this many lines before the calendar legend is shown. */
const MIN_LOG = 3;

/**
 * The main screen, fitted to `height`: run, coverage, failures line and the calendar come first;
 * the newest log lines take what is left.
 */
export function Dashboard({ state, figures, height }: { state: AppState; figures: RunFigures; height: number }) {
  const width = state.ui.width;
  const run = state.log.current;
  const cov = coverageView(state);
  const expected = state.coverage.expected;
  const summary = failureSummaryLine(state);
  const reading = !state.log.historyDone && state.log.size > 0;
  const expectedProblem = state.coverage.expectedError
    ? `expected keys: ${state.coverage.expectedError}`
    : expected?.invalid.length
      ? `expected keys: ${expected.invalid.length} bad line(s); line ${expected.invalid[0].line}: ${expected.invalid[0].reason} (${expected.invalid[0].text})`
      : null;

  let used = (reading ? 1 : 0) + (state.log.exists ? 0 : 1);
  used += run ? 3 + (Object.keys(run.failures).length ? 1 : 0) : 1;
  used += coveragePanelHeight(cov) + (summary ? 1 : 0) + (expectedProblem ? 1 : 0);
  const seasons = expected?.format === 'date' ? new Set(expected.keys.map(seasonOf)).size : 0;
  const calendarRows = seasons ? seasons + 1 : 0;
  const calendar = calendarRows > 0 && height - used - calendarRows >= MIN_LOG;
  if (calendar) used += calendarRows;
  const legend = calendar && height - used - 1 >= MIN_LOG + 2;
  if (legend) used += 1;
  const logHeight = Math.max(0, height - used);

  return (
    <Box flexDirection="column">
      {reading ? <HistoryProgress read={state.log.bytesRead} size={state.log.size} width={width} /> : null}
      {!state.log.exists ? <Text color="yellow">waiting for {state.log.path} …</Text> : null}
      <RunPanel run={run} figures={figures} width={width} />
      <CoveragePanel cov={cov} width={width} />
      {expectedProblem ? (
        <Text color="red" wrap="truncate-end">
          {expectedProblem}
        </Text>
      ) : null}
      {calendar ? <CalendarStrip keys={expected!.keys} stateOf={keyStateOf(state)} width={width} legend={legend} /> : null}
      {summary ? <Text wrap="truncate-end">{summary}</Text> : null}
      <LogPane lines={state.log.tail} height={logHeight} width={width} />
    </Box>
  );
}
