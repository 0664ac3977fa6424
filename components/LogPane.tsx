import { Box, Text } from 'ink';
import type { TailLine } from '../src/log-line.js';
import { truncate } from '../src/text-width.js';
import { toneColor, useColor } from './theme.js';

/** The newest log lines, colored by kind, cut to the pane (never wrapped: wrapping would push the layout). */
export function LogPane({ lines, height, width }: { lines: TailLine[]; height: number; width: number }) {
  const color = useColor();
  const shown = height > 0 ? lines.slice(-height) : [];
  return (
    <Box flexDirection="column">
      {shown.map((line, i) => (
        <Text key={i} color={toneColor(line.tone, color)} dimColor={line.tone === 'dim'} wrap="truncate-end">
          {truncate(line.text.replace(/\t/g, '  '), width)}
        </Text>
      ))}
    </Box>
  );
}
