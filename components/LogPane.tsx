import { Box, Text } from 'ink';
import type { TailLine } from '../src/log-line.js';
import { truncate } from '../src/text-width.js';
import { collapseRepeats } from '../src/state/tail-lines.js';
import { toneColor, useColor } from './theme.js';

/** The newest log lines, colored by kind, cut to the pane (never wrapped: wrapping would push the layout). */
export function LogPane({ lines, height, width }: { lines: TailLine[]; height: number; width: number }) {
  const color = useColor();
  // A line the log wrote twice in a row (a logger with two handlers) once, with how many times: never a key line twice.
  const shown = height > 0 ? collapseRepeats(lines).slice(-height) : [];
  return (
    <Box flexDirection="column">
      {shown.map((line, i) => {
        const times = line.times > 1 ? ` ×${line.times}` : '';
        return (
          <Text key={i} color={toneColor(line.tone, color)} dimColor={line.tone === 'dim'} wrap="truncate-end">
            {truncate(line.text.replace(/\t/g, '  '), Math.max(1, width - times.length))}
            {times}
          </Text>
        );
      })}
    </Box>
  );
}
