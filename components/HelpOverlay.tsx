import { Box, Text } from 'ink';
import { KEYMAP, CONFIRM_ANSWERS, helpRows } from '../src/keymap.js';

/** All keys with what they do, from the one keymap table; fitted to `height` rows (a border only when there is room). */
export function HelpOverlay({ width, height = Infinity }: { width: number; height?: number }) {
  const rows = helpRows([...KEYMAP, ...CONFIRM_ANSWERS]);
  const keyWidth = Math.max(...rows.map((b) => b.keys.length)) + 2;
  // Title, footer and border take 4 rows; without room for them the list goes bare, and what does not fit is counted.
  const framed = rows.length + 4 <= height;
  const room = framed ? rows.length : Math.max(1, height - 1);
  const shown = rows.length <= room ? rows : rows.slice(0, room - 1);
  const hidden = rows.length - shown.length;
  return (
    <Box flexDirection="column" borderStyle={framed ? 'round' : undefined} paddingX={framed ? 1 : 0} width={Math.min(width, 78)}>
      {framed ? <Text bold>Keys</Text> : null}
      {shown.map((b) => (
        <Text key={b.intent} wrap="truncate-end">
          <Text bold>{b.keys.padEnd(keyWidth)}</Text>
          {b.description}
        </Text>
      ))}
      {hidden > 0 ? <Text dimColor wrap="truncate-end">… {hidden} more: a taller terminal shows every key</Text> : null}
      {framed || hidden === 0 ? (
        <Text dimColor wrap="truncate-end">
          s, r, R and x ask first (y / n). Quitting never stops the backfill.
        </Text>
      ) : null}
    </Box>
  );
}
