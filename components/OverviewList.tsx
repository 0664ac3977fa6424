import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import type { OverviewRow } from '../src/overview/overview-rows.js';
import { overviewCells } from '../src/overview/overview-text.js';
import type { OverviewColumns } from '../src/overview/layout.js';
import { SegmentBar } from './SegmentBar.js';
import { SEGMENT, useColor } from './theme.js';

const STATUS_COLOR: Record<string, string> = { waiting: 'gray', running: 'green', stalled: 'yellow', complete: 'cyan', ended: 'magenta', stopped: 'magenta' };

function Cell({ width, children, color, bold }: { width: number; children: React.ReactNode; color?: string; bold?: boolean }) {
  return (
    <Box width={width} flexShrink={0}>
      <Text wrap="truncate-end" color={color} bold={bold}>
        {children}
      </Text>
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
        <Cell width={cols.state} color={color ? STATUS_COLOR[row.reading ? 'waiting' : row.status] : undefined}>
          {/* The spinner only while a run runs: it is the one thing that redraws an idle overview. */}
          {row.status === 'running' && !row.reading ? (
            <>
              <Spinner type="dots" />{' '}
            </>
          ) : null}
          {c.state}
        </Cell>
        <Box width={cols.bar + 1} flexShrink={0}>
          {total > 0 ? <SegmentBar segments={[{ count: row.done - row.runFailed, ...SEGMENT.succeeded }, { count: row.runFailed, ...SEGMENT.failed }]} total={total} width={cols.bar} /> : <Text> </Text>}
        </Box>
        <Cell width={cols.count}>{c.run}</Cell>
        <Cell width={cols.rate}>{c.rate}</Cell>
        <Cell width={cols.eta}>{c.eta}</Cell>
        <Cell width={cols.failed} color={color && row.failed ? 'red' : undefined}>
          {failedShown}
        </Cell>
      </Box>
      <Box>
        <Box width={cols.marker + cols.name + 1} flexShrink={0} />
        <Cell width={cols.coverage} color={color && row.storage?.error ? 'yellow' : undefined}>
          {c.storage}
        </Cell>
        <Cell width={cols.coverage} color={color && row.warehouse?.error ? 'yellow' : undefined}>
          {c.warehouse}
        </Cell>
        <Cell width={cols.age}>
          <Text dimColor>{c.age}</Text>
        </Cell>
      </Box>
    </Box>
  );
}

/** The column heads over the list, in the same widths. */
export function OverviewHead({ cols, range }: { cols: OverviewColumns; range: string }) {
  return (
    <Box flexDirection="column">
      <Box>
        <Cell width={cols.marker + cols.name + 1}>
          <Text dimColor>job</Text>
        </Cell>
        <Cell width={cols.state}>
          <Text dimColor>state</Text>
        </Cell>
        <Cell width={cols.bar + 1 + cols.count}>
          <Text dimColor>run</Text>
        </Cell>
        <Cell width={cols.rate}>
          <Text dimColor>rate</Text>
        </Cell>
        <Cell width={cols.eta}>
          <Text dimColor>ETA</Text>
        </Cell>
        <Cell width={cols.failed}>
          <Text dimColor>failed</Text>
        </Cell>
      </Box>
      <Box>
        <Cell width={cols.marker + cols.name + 1}>
          <Text dimColor>{range}</Text>
        </Cell>
        <Cell width={cols.coverage}>
          <Text dimColor>storage</Text>
        </Cell>
        <Cell width={cols.coverage}>
          <Text dimColor>warehouse</Text>
        </Cell>
        <Cell width={cols.age}>
          <Text dimColor>figures</Text>
        </Cell>
      </Box>
    </Box>
  );
}
