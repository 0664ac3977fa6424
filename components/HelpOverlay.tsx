import { Box, Text } from 'ink';
import { KEYMAP, CONFIRM_KEYS } from '../src/keymap.js';

/** All keys with what they do, from the one keymap table. */
export function HelpOverlay({ width }: { width: number }) {
  const rows = [...KEYMAP, ...CONFIRM_KEYS];
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={Math.min(width, 78)}>
      <Text bold>Keys</Text>
      {rows.map((b) => (
        <Text key={b.intent} wrap="truncate-end">
          <Text bold>{b.keys.join(', ').padEnd(12)}</Text>
          {b.description}
        </Text>
      ))}
      <Text dimColor>Quitting never stops the backfill: it runs on in its own session.</Text>
    </Box>
  );
}
