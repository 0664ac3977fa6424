import React from 'react';
import { Box, Text } from 'ink';
import type { AppState } from '../src/state/app-state.js';
import { coverageView } from '../src/state/coverage-view.js';
import type { RunFigures } from '../src/state/run-view.js';
import { keyStateOf } from '../src/state/key-state.js';
import { failureSummaryLine } from '../src/state/failures-view.js';
import { CalendarStrip } from './CalendarStrip.js';
import { CoverageBar } from './CoverageBar.js';
import { LogPane } from './LogPane.js';
import { RunPanel } from './RunPanel.js';
import { HistoryProgress } from './HistoryProgress.js';

/** The main screen: run, coverage, calendar, failures line, newest log lines; sized to the terminal. */
export function Dashboard({ state, figures, height }: { state: AppState; figures: RunFigures; height: number }) {
  const width = state.ui.width;
  const run = state.log.current;
  const cov = coverageView(state);
  const expectedKeys = state.coverage.expected?.keys ?? null;
  const showCalendar = expectedKeys !== null && state.coverage.expected?.format === 'date' && height >= 20;
  const summary = failureSummaryLine(state);
  let used = 0;
  const runLines = run ? 3 + (Object.keys(run.failures).length ? 1 : 0) : 1;
  used += runLines;
  const covLines = (cov.storage ? 2 + (cov.storage.error ? 1 : 0) : 0) + (cov.warehouse ? 2 + (cov.warehouse.error ? 1 : 0) : 0) + (cov.lag ? 1 : 0);
  used += covLines;
  const calendarSeasons = showCalendar ? new Set(expectedKeys!.map((k) => k.slice(0, 4))).size + 2 : 0;
  const calendar = showCalendar && height - used - calendarSeasons - 4 >= 3;
  if (calendar) used += calendarSeasons + 1;
  if (summary) used += 1;
  if (state.coverage.expectedError || state.coverage.expected?.invalid.length) used += 1;
  const logHeight = Math.max(0, height - used - 1);
  return (
    <Box flexDirection="column">
      {!state.log.historyDone && state.log.size > 0 ? <HistoryProgress read={state.log.bytesRead} size={state.log.size} width={width} /> : null}
      {!state.log.exists ? <Text color="yellow">waiting for {state.log.path} …</Text> : null}
      <RunPanel run={run} figures={figures} width={width} />
      {cov.storage ? <CoverageBar name="storage" source={cov.storage} expected={cov.expected} width={width} /> : null}
      {cov.warehouse ? <CoverageBar name="warehouse" source={cov.warehouse} expected={cov.expected} width={width} /> : null}
      {cov.lag ? <Text dimColor>lag: {cov.lag.length} keys in storage, not yet in the warehouse (Phase 2 load)</Text> : null}
      {state.coverage.expectedError ? <Text color="red">expected keys: {state.coverage.expectedError}</Text> : null}
      {state.coverage.expected?.invalid.length ? (
        <Text color="red" wrap="truncate-end">
          expected keys: {state.coverage.expected.invalid.length} bad lines, first line {state.coverage.expected.invalid[0].line}: {state.coverage.expected.invalid[0].reason}
        </Text>
      ) : null}
      {calendar ? <CalendarStrip keys={expectedKeys!} stateOf={keyStateOf(state)} width={width} /> : null}
      {summary ? <Text wrap="truncate-end">{summary}</Text> : null}
      <Box marginTop={0} flexDirection="column">
        <LogPane lines={state.log.tail} height={logHeight} width={width} />
      </Box>
    </Box>
  );
}
