import { Box, Text } from 'ink';
import { truncate } from '../src/text-width.js';
import { CONFIRM_ANSWERS, keyLabel, keysLabel } from '../src/keymap.js';
import { OVERVIEW_KEYMAP } from '../src/overview/overview-keymap.js';

/** All keys of the overview with what they do, from its one keymap table. */
export function OverviewHelp({ width, height }: { width: number; height: number }) {
  // Rows next to each other with one description share a row (`up, k / down, j`), as on a job's help.
  const all: { keys: string; description: string }[] = [];
  for (const b of [...OVERVIEW_KEYMAP, ...CONFIRM_ANSWERS]) {
    const prev = all.at(-1);
    if (prev && prev.description === b.description) prev.keys += ` / ${keysLabel(b.keys)}`;
    else all.push({ keys: keysLabel(b.keys), description: b.description });
  }
  const keyWidth = Math.max(...all.map((b) => b.keys.length)) + 2;
  // Border, title and the closing line take 4 rows; on a short terminal the rest is said in one line.
  const fits = all.length + 4 <= height ? all : all.slice(0, Math.max(0, height - 5));
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={Math.min(width, 78)}>
      <Text bold wrap="truncate-end">
        Keys (overview) <Text dimColor>· {OVERVIEW_KEYMAP.filter((b) => b.selectedJob).map((b) => keyLabel(b.keys[0])).join(' ')} act on the selected job</Text>
      </Text>
      {fits.map((b) => (
        <Text key={b.keys} wrap="truncate-end">
          <Text bold>{b.keys.padEnd(keyWidth)}</Text>
          {b.description}
        </Text>
      ))}
      {fits.length < all.length ? <Text dimColor wrap="truncate-end">{`… ${all.length - fits.length} more keys: a taller terminal shows them`}</Text> : <Text dimColor wrap="truncate-end">Esc on a job's dashboard comes back here. Quitting never stops a backfill.</Text>}
    </Box>
  );
}

/** One line of the overview's keys, from the same table as the handler; under 80×24 it says first that the terminal is small, as the job screen does. */
export function OverviewHelpBar({ width, height = 24 }: { width: number; height?: number }) {
  const items = OVERVIEW_KEYMAP.filter((b) => b.bar).map((b) => `${keyLabel(b.keys[0])} ${b.bar}`);
  const small = width < 80 || height < 24 ? [`small terminal ${width}×${height}`] : [];
  return <Text dimColor>{truncate([...small, `${keyLabel('up')}${keyLabel('down')}`, ...items].join(' · '), width)}</Text>;
}
