import { Box, Text } from 'ink';
import { ClockSpinner } from './ClockSpinner.js';
import type { OverviewRow } from '../src/overview/overview-rows.js';
import { cellRoom, overviewCells } from '../src/overview/overview-text.js';
import type { OverviewColumns } from '../src/overview/layout.js';
import { SegmentBar, runSegments } from './SegmentBar.js';
import { useColor } from './theme.js';
import { displayWidth, truncate, truncateMiddle } from '../src/text-width.js';

const STATUS_COLOR: Record<string, string> = { waiting: 'gray', running: 'green', stalled: 'yellow', stuck: 'red', complete: 'cyan', incomplete: 'yellow', ended: 'magenta', stopped: 'magenta' };

/**
 * `text` as a cell `width` columns wide: cut one short of it (a cut cell never runs into the next one) and padded.
 * A row is one line of nested texts, not a box per cell: a fifth of the layout nodes, and the first frame of the
 * overview is drawn that much sooner.
 */
function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const shown = truncate(text, width - 1);
  return shown + ' '.repeat(Math.max(0, width - displayWidth(shown)));
}

/** One job on two lines: name, state, run bar with done/total, rate, ETA, failures; then coverage and the age of the figures. */
/** The spinner only while a run runs: it is the one thing that redraws an idle overview (once a second). */
export function spins(row: OverviewRow): boolean {
  return row.status === 'running' && !row.reading && !row.runUnknown;
}

/** `name`: the job's name as the list shows it, cut apart from the others' (text-width.ts namesApart); else cut here. */
export function OverviewJob({ row, selected, cols, now, name }: { row: OverviewRow; selected: boolean; cols: OverviewColumns; now: number; name?: string }) {
  const color = useColor();
  const c = overviewCells(row, cellRoom(cols, row.problem?.run === true, true));
  // No bar for a run whose counts are not known: an empty track would read as 0 done.
  const total = row.reading || row.runCountsUnknown ? 0 : (row.total ?? 0);
  // Blank for none; a count, `waiting` or `not known` in words otherwise (never a blank that reads as none).
  const failedShown = (row.failed || row.runCountsAwaited || row.failedUnknown) && !row.reading ? c.failed : '';
  const spinning = spins(row);
  const stateColor = color ? (row.runUnknown ? 'red' : STATUS_COLOR[row.reading ? 'waiting' : row.status]) : undefined;
  const barWidth = cols.bar ? cols.bar + 1 : 0;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text color={color ? 'cyan' : undefined} bold>
          {fit(selected ? '❯' : ' ', cols.marker)}
        </Text>
        <Text bold={selected}>{fit(name ?? truncateMiddle(row.job, cols.name), cols.name + 1)}</Text>
        <Text color={stateColor}>
          {spinning ? <ClockSpinner now={now} /> : null}
          {spinning ? fit(` ${c.state}`, cols.state - 1) : fit(c.state, cols.state)}
        </Text>
        {row.problem?.run ? (
          // The run's source fails: what failed takes the bar, count, rate and ETA (its figures are stale or unknown).
          <Text color={color ? 'red' : undefined}>{fit(c.run, barWidth + cols.count + cols.rate + cols.eta)}</Text>
        ) : (
          <>
            {cols.bar ? (
              total > 0 ? (
                <>
                  <SegmentBar segments={runSegments({ succeeded: row.runSucceeded, failed: row.runFailed, skipped: row.runSkipped })} total={total} width={cols.bar} />{' '}
                </>
              ) : (
                ' '.repeat(barWidth)
              )
            ) : null}
            {fit(c.run, cols.count)}
            {fit(c.rate, cols.rate)}
            {fit(c.eta, cols.eta)}
          </>
        )}
        <Text color={color && row.failed ? 'red' : undefined}>{fit(failedShown, cols.failed)}</Text>
      </Text>
      <Text wrap="truncate-end">
        {' '.repeat(cols.indent)}
        <Text color={color && row.storage?.error ? 'red' : undefined}>{fit(c.storage, cols.coverage)}</Text>
        <Text color={color && row.warehouse?.error ? 'red' : undefined}>{fit(c.warehouse, cols.coverage)}</Text>
        <Text dimColor>{fit(c.age, cols.age)}</Text>
      </Text>
    </Box>
  );
}

/** The column heads over the list, in the same widths (a column left out on a narrow terminal has no head). */
export function OverviewHead({ cols }: { cols: OverviewColumns }) {
  return (
    <Box flexDirection="column">
      <Text dimColor wrap="truncate-end">
        {fit('job', cols.marker + cols.name + 1)}
        {fit('state', cols.state)}
        {fit('run', (cols.bar ? cols.bar + 1 : 0) + cols.count)}
        {fit('rate', cols.rate)}
        {fit('ETA', cols.eta)}
        {fit('failing', cols.failed)}
      </Text>
      <Text dimColor wrap="truncate-end">
        {' '.repeat(cols.indent)}
        {fit('storage', cols.coverage)}
        {fit('warehouse', cols.coverage)}
        {fit('figures', cols.age)}
      </Text>
    </Box>
  );
}

/** `↑ 3 more` / `↓ 15 more`: jobs of a list that does not fit, above or below the rows shown. */
export function MoreJobs({ count, up }: { count: number; up: boolean }) {
  // None there: no line (an empty row where `↑ 2 more` would be read as a gap in the list: U10).
  return count ? <Text dimColor>{`  ${up ? '↑' : '↓'} ${count} more`}</Text> : null;
}
