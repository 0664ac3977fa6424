import { Box, Text } from 'ink';
import { calendarRows, monthMarks, type KeyDate, type KeyState } from '../src/state/calendar.js';
import { SEGMENT, useColor } from './theme.js';

/** Which sources the config has: the legend names only those, and without a warehouse storage is "there". */
export interface CalendarSources {
  storage: boolean;
  warehouse: boolean;
}

function cells(sources: CalendarSources): Record<KeyState, { glyph: string; color: string; label: string }> {
  return {
    warehouse: { ...SEGMENT.present, label: 'in warehouse' },
    storage: sources.warehouse ? { ...SEGMENT.storageOnly, label: 'storage only' } : { ...SEGMENT.present, label: 'in storage' },
    failed: { ...SEGMENT.failed, label: 'failed' },
    missing: { ...SEGMENT.empty, label: 'missing' },
    unchecked: { ...SEGMENT.unchecked, label: 'not checked yet' },
    scraped: { ...SEGMENT.succeeded, label: 'scraped (log)' },
    untried: { ...SEGMENT.unchecked, label: 'not scraped (log)' },
    unknown: { ...SEGMENT.unknown, label: 'unknown (source failed)' },
  };
}

/** Legend entries: the configured sources' states and failed/missing always; the rest only when a cell shows them. */
export function legendStates(sources: CalendarSources, shown: Set<KeyState>): KeyState[] {
  const order: KeyState[] = ['warehouse', 'storage', 'scraped', 'failed', 'missing', 'unchecked', 'untried', 'unknown'];
  return order.filter((k) => {
    if (k === 'warehouse') return sources.warehouse;
    if (k === 'storage') return sources.storage;
    if (k === 'failed') return true;
    if (k === 'missing') return sources.storage || sources.warehouse;
    return shown.has(k);
  });
}

const LABEL = 8;

/** One row per season (October to June), months marked; each cell shows the worst state of its keys. */
export function CalendarStrip({ keys, stateOf, width, legend = true, sources = { storage: true, warehouse: true }, dateOf }: { keys: string[]; stateOf: (key: string) => KeyState; width: number; legend?: boolean; sources?: CalendarSources; dateOf?: KeyDate }) {
  const color = useColor();
  const CELL = cells(sources);
  const cellCount = Math.max(20, width - LABEL - 1);
  const rows = calendarRows(keys, stateOf, cellCount, dateOf);
  const shown = new Set(rows.flatMap((r) => r.cells.filter((c): c is KeyState => c !== null)));
  const header = Array.from({ length: cellCount }, () => ' ');
  for (const m of monthMarks(cellCount)) header[m.cell] = m.label;
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
        <Text dimColor wrap="truncate-end">
          {''.padEnd(LABEL)}
          {legendStates(sources, shown)
            .map((k) => `${CELL[k].glyph} ${CELL[k].label}`)
            .join('  ')}
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
