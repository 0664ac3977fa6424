import { Box, Text } from 'ink';
import { truncate } from '../src/text-width.js';
import { CONFIRM_KEYS } from '../src/keymap.js';
import { OVERVIEW_KEYMAP } from '../src/overview/overview-keymap.js';

/** All keys of the overview with what they do, from its one keymap table. */
export function OverviewHelp({ width }: { width: number }) {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={Math.min(width, 78)}>
      <Text bold>Keys (overview)</Text>
      {[...OVERVIEW_KEYMAP, ...CONFIRM_KEYS].map((b) => (
        <Text key={b.keys.join()} wrap="truncate-end">
          <Text bold>{b.keys.join(', ').padEnd(12)}</Text>
          {b.description}
        </Text>
      ))}
      <Text dimColor>Esc on a job's dashboard comes back here. Quitting never stops a backfill.</Text>
    </Box>
  );
}

/** One line of the overview's keys, from the same table as the handler. */
export function OverviewHelpBar({ width }: { width: number }) {
  const items = OVERVIEW_KEYMAP.filter((b) => b.bar).map((b) => `${b.keys[0] === 'return' ? 'Enter' : b.keys[0]} ${b.bar}`);
  return <Text dimColor>{truncate(['↑↓', ...items].join(' · '), width)}</Text>;
}
