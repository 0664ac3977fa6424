import { Box, Text } from 'ink';
import { keyLabel } from '../src/keymap.js';
import { countOf } from '../src/format.js';

/** `R`: pick one group to retry (an error kind, a phase or a month), windowed around the choice to fit `height`. */
export function ChooseGroup({ groups, index, width, height = 24 }: { groups: { label: string; keys: string[] }[]; index: number; width: number; height?: number }) {
  // Border 2 lines, title 1, and one line saying what is above/below when the list does not fit.
  const room = Math.max(1, height - 4);
  const start = groups.length <= room ? 0 : Math.max(0, Math.min(index - Math.floor(room / 2), groups.length - room));
  const shown = groups.slice(start, start + room);
  const hidden = groups.length - shown.length;
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={Math.min(width, 78)}>
      <Text bold wrap="truncate-end">
        Retry which group? {keyLabel('up')}/{keyLabel('down')} then {keyLabel('return')} · {keyLabel('escape')} cancel · q quit{hidden ? ` · ${index + 1} of ${groups.length}` : ''}
      </Text>
      {shown.map((g, i) => (
        <Text key={g.label} inverse={start + i === index} wrap="truncate-end">
          {start + i === index ? '› ' : '  '}
          {g.label}: {countOf(g.keys.length, 'key')}
        </Text>
      ))}
      {/* The list does not fit: say so where the eye ends (tester X9: 16 of 39 shown, nothing said of the rest). */}
      {hidden ? <Text dimColor wrap="truncate-end">{[start > 0 ? `↑ ${start} more above` : '', start + shown.length < groups.length ? `↓ ${groups.length - start - shown.length} more below` : ''].filter(Boolean).join(' · ')}</Text> : null}
    </Box>
  );
}
