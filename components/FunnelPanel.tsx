import { Box, Text } from 'ink';
import type { FunnelRow } from '../src/chain/funnel.js';
import { formatCount } from '../src/format.js';
import { stageFigures, stageNotes } from '../src/overview/overview-text.js';
import { SegmentBar } from './SegmentBar.js';
import { SEGMENT, useColor } from './theme.js';

/** The phase chain as a funnel: per stage a bar, present/expected and %, what was lost since the stage before, blocked. */
export function FunnelPanel({ rows, width, error }: { rows: FunnelRow[]; width: number; error: string | null }) {
  const color = useColor();
  const nameWidth = Math.min(20, Math.max(...rows.map((r) => r.stage.length), 5)) + 1;
  const bar = Math.max(6, Math.min(16, width - nameWidth - 60));
  return (
    <Box flexDirection="column">
      <Text dimColor wrap="truncate-end">
        chain · {formatCount(rows[0]?.expected ?? 0)} expected keys{error ? ` · ${error}` : ''}
      </Text>
      {rows.map((r) => (
        <Box key={r.stage}>
          <Box width={nameWidth} flexShrink={0}>
            <Text wrap="truncate-end" bold>
              {r.stage}
            </Text>
          </Box>
          <Box width={bar + 1} flexShrink={0}>
            <SegmentBar segments={[{ count: r.present ?? 0, ...SEGMENT.succeeded }]} total={r.expected} width={bar} />
          </Box>
          <Box width={19} flexShrink={0}>
            <Text wrap="truncate-end">{stageFigures(r)}</Text>
          </Box>
          <Text wrap="truncate-end" color={color ? (r.blockedBy || r.error ? 'yellow' : r.next ? undefined : 'green') : undefined}>
            {stageNotes(r)}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
