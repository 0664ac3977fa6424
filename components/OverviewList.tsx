import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import type { OverviewRow } from '../src/overview/overview-rows.js';
import { overviewCells } from '../src/overview/overview-text.js';
import type { OverviewColumns } from '../src/overview/layout.js';
import { SegmentBar } from './SegmentBar.js';
import { SEGMENT, useColor } from './theme.js';

const STATUS_COLOR: Record<string, string> = { waiting: 'gray', running: 'green', stalled: 'yellow', stuck: 'red', complete: 'cyan', incomplete: 'yellow', ended: 'magenta', stopped: 'magenta' };

/** A cell `width` wide whose text is cut one short of it: a cut cell never runs into the next one. */
function Cell({ width, children, color, bold }: { width: number; children: React.ReactNode; color?: string; bold?: boolean }) {
  return (
    <Box width={width} flexShrink={0}>
      <Box width={Math.max(1, width - 1)} flexShrink={0}>
        <Text wrap="truncate-end" color={color} bold={bold}>
          {children}
        </Text>
      </Box>
    </Box>
  );
}

/** One job on two lines: name, state, run bar with done/total, rate, ETA, failures; then coverage and the age of the figures. */
export function OverviewJob({ row, selected, cols }: { row: OverviewRow; selected: boolean; cols: OverviewColumns }) {
  const color = useColor();
  const c = overviewCells(row);
  const total = row.reading ? 0 : (row.total ?? 0);
  const failedShown = row.failed && !row.reading ? c.failed : '';
  return (
    <Box flexDirection="column">
      <Box>
        <Cell width={cols.marker} color={color ? 'cyan' : undefined} bold>
          {selected ? '❯' : ' '}
        </Cell>
        <Cell width={cols.name + 1} bold={selected}>
          {row.job}
        </Cell>
        <Cell width={cols.state} color={color ? (row.runUnknown ? 'red' : STATUS_COLOR[row.reading ? 'waiting' : row.status]) : undefined}>
          {/* The spinner only while a run runs: it is the one thing that redraws an idle overview. */}
          {row.status === 'running' && !row.reading && !row.runUnknown ? (
            <>
              <Spinner type="dots" />{' '}
            </>
          ) : null}
          {c.state}
        </Cell>
        {row.problem?.run ? (
          // The run's source fails: what failed takes the bar, count, rate and ETA (its figures are stale or unknown).
          <Cell width={(cols.bar ? cols.bar + 1 : 0) + cols.count + cols.rate + cols.eta} color={color ? 'red' : undefined}>
            {c.run}
          </Cell>
        ) : (
          <>
            {cols.bar ? (
              <Box width={cols.bar + 1} flexShrink={0}>
                {total > 0 ? <SegmentBar segments={[{ count: row.done - row.runFailed, ...SEGMENT.succeeded }, { count: row.runFailed, ...SEGMENT.failed }]} total={total} width={cols.bar} /> : <Text> </Text>}
              </Box>
            ) : null}
            <Cell width={cols.count}>{c.run}</Cell>
            {cols.rate ? <Cell width={cols.rate}>{c.rate}</Cell> : null}
            {cols.eta ? <Cell width={cols.eta}>{c.eta}</Cell> : null}
          </>
        )}
        <Cell width={cols.failed} color={color && row.failed ? 'red' : undefined}>
          {failedShown}
        </Cell>
      </Box>
      <Box>
        <Box width={cols.indent} flexShrink={0} />
        <Cell width={cols.coverage} color={color && row.storage?.error ? 'red' : undefined}>
          {c.storage}
        </Cell>
        <Cell width={cols.coverage} color={color && row.warehouse?.error ? 'red' : undefined}>
          {c.warehouse}
        </Cell>
        {cols.age ? (
          <Cell width={cols.age}>
            <Text dimColor>{c.age}</Text>
          </Cell>
        ) : null}
      </Box>
    </Box>
  );
}

/** The column heads over the list, in the same widths (a column left out on a narrow terminal has no head). */
export function OverviewHead({ cols }: { cols: OverviewColumns }) {
  const head = (width: number, text: string) => (width ? <Cell width={width}><Text dimColor>{text}</Text></Cell> : null);
  return (
    <Box flexDirection="column">
      <Box>
        {head(cols.marker + cols.name + 1, 'job')}
        {head(cols.state, 'state')}
        {head((cols.bar ? cols.bar + 1 : 0) + cols.count, 'run')}
        {head(cols.rate, 'rate')}
        {head(cols.eta, 'ETA')}
        {head(cols.failed, 'failed')}
      </Box>
      <Box>
        <Box width={cols.indent} flexShrink={0} />
        {head(cols.coverage, 'storage')}
        {head(cols.coverage, 'warehouse')}
        {head(cols.age, 'figures')}
      </Box>
    </Box>
  );
}

/** `↑ 3 more` / `↓ 15 more`: jobs of a list that does not fit, above or below the rows shown. */
export function MoreJobs({ count, up }: { count: number; up: boolean }) {
  return count ? <Text dimColor>{`  ${up ? '↑' : '↓'} ${count} more`}</Text> : <Text> </Text>;
}
