import { Box, Text } from 'ink';
import type { FunnelRow } from '../src/chain/funnel.js';
import { funnelColumns, stageFigures, stageNotes } from '../src/chain/funnel-text.js';
import { formatCount } from '../src/format.js';
import { SegmentBar } from './SegmentBar.js';
import { SEGMENT, useColor } from './theme.js';

/**
 * The phase chain as a funnel: per stage a bar (where the notes leave room for it), present/expected and %,
 * what was lost since the stage before, blocked; the notes in the longest form that fits the width.
 */
export function FunnelPanel({ rows, width, error }: { rows: FunnelRow[]; width: number; error: string | null }) {
  const color = useColor();
  const cols = funnelColumns(rows, width);
  return (
    <Box flexDirection="column">
      <Text dimColor wrap="truncate-end">
        chain · {formatCount(rows[0]?.expected ?? 0)} expected keys{error ? ` · ${error}` : ''}
      </Text>
      {rows.map((r) => (
        <Box key={r.stage}>
          <Box width={cols.name} flexShrink={0}>
            <Text wrap="truncate-end" bold>
              {r.stage}
            </Text>
          </Box>
          {cols.bar ? (
            <Box width={cols.bar + 1} flexShrink={0}>
              <SegmentBar segments={[{ count: r.present ?? 0, ...SEGMENT.succeeded }]} total={r.expected} width={cols.bar} />
            </Box>
          ) : null}
          <Box width={cols.figures} flexShrink={0}>
            <Text wrap="truncate-end">{stageFigures(r)}</Text>
          </Box>
          <Text wrap="truncate-end" color={color ? (r.blockedBy || r.error ? 'yellow' : r.next ? undefined : 'green') : undefined}>
            {stageNotes(r, cols.notes)}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
