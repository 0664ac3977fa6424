import { Box, Text } from 'ink';
import { calendarRows, monthMarks, type KeyState } from '../src/state/calendar.js';
import { useColor } from './theme.js';

const CELL: Record<KeyState, { glyph: string; color: string }> = {
  warehouse: { glyph: '█', color: 'green' },
  storage: { glyph: '▓', color: 'yellow' },
  failed: { glyph: '✗', color: 'red' },
  missing: { glyph: '░', color: 'gray' },
};

const LABEL = 8;

/** One row per season (October to June), months marked; each cell shows the worst state of its keys. */
export function CalendarStrip({ keys, stateOf, width, legend = true }: { keys: string[]; stateOf: (key: string) => KeyState; width: number; legend?: boolean }) {
  const color = useColor();
  const cells = Math.max(20, width - LABEL - 1);
  const rows = calendarRows(keys, stateOf, cells);
  const header = Array.from({ length: cells }, () => ' ');
  for (const m of monthMarks(cells)) header[m.cell] = m.label;
  return (
    <Box flexDirection="column">
      <Text dimColor>
        {''.padEnd(LABEL)}
        {header.join('')}
      </Text>
      {rows.map((row) => (
        <Text key={row.label}>
          <Text dimColor>{row.label.padEnd(LABEL)}</Text>
          {groupRuns(row.cells).map((run, i) => (
            <Text key={i} color={color && run.state ? CELL[run.state].color : undefined}>
              {run.state ? CELL[run.state].glyph.repeat(run.length) : ' '.repeat(run.length)}
            </Text>
          ))}
        </Text>
      ))}
      {legend ? (
        <Text dimColor>
          {''.padEnd(LABEL)}█ in warehouse ▓ storage only ✗ failed ░ missing
        </Text>
      ) : null}
    </Box>
  );
}

function groupRuns(cells: (KeyState | null)[]): { state: KeyState | null; length: number }[] {
  const runs: { state: KeyState | null; length: number }[] = [];
  for (const c of cells) {
    const last = runs[runs.length - 1];
    if (last && last.state === c) last.length++;
    else runs.push({ state: c, length: 1 });
  }
  return runs;
}
