import { Box, Text } from 'ink';
import { formatBytes } from '../src/format.js';
import { SegmentBar } from './SegmentBar.js';

/** "reading history ███░░ 43 %": shown while a long log is read, so the first frame never waits for it. */
export function HistoryProgress({ read, size, width }: { read: number; size: number; width: number }) {
  const pct = size > 0 ? Math.floor((read / size) * 100) : 0;
  return (
    <Box>
      <Text>reading history </Text>
      <SegmentBar width={Math.max(10, width - 40)} total={size} segments={[{ count: read, glyph: '█', color: 'cyan' }]} />
      <Text>
        {' '}
        {pct} % of {formatBytes(size)}
      </Text>
    </Box>
  );
}
