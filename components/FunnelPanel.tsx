import { Box, Text } from 'ink';
import type { FunnelRow } from '../src/chain/funnel.js';
import { funnelColumns, stageFigures, stageNotes } from '../src/chain/funnel-text.js';
import { formatCount } from '../src/format.js';
import { SegmentBar } from './SegmentBar.js';
import { SEGMENT, useColor } from './theme.js';
import { displayWidth, namesApart, truncate } from '../src/text-width.js';

/** `text` cut one short of `width` columns and padded to it. */
function fit(text: string, width: number): string {
  const shown = truncate(text, width - 1);
  return shown + ' '.repeat(Math.max(0, width - displayWidth(shown)));
}

/**
 * The phase chain as a funnel: per stage a bar (where the notes leave room for it), present/expected and %,
 * what was lost since the stage before, blocked; the notes in the longest form that fits the width.
 */
export function FunnelPanel({ rows, width, error, reading = false }: { rows: FunnelRow[]; width: number; error: string | null; reading?: boolean }) {
  const color = useColor();
  const cols = funnelColumns(rows, width);
  // Stage names cut in the middle, apart from each other, as job names are (`Phase 2 raw`, `Phase 2 raw backup`).
  const names = namesApart(rows.map((r) => r.stage), cols.name - 1);
  return (
    <Box flexDirection="column">
      <Text dimColor wrap="truncate-end">
        {/* Not read yet (a demo still laying out): no count, where `0 expected keys` would be a figure. */}
        chain · {reading && !error ? 'reading the expected keys…' : `${formatCount(rows[0]?.expected ?? 0)} expected keys`}
        {error ? ` · ${error}` : ''}
      </Text>
      {rows.map((r) => (
        // One line of nested texts per stage (no box per cell: fewer layout nodes, a sooner first frame).
        <Text key={r.stage} wrap="truncate-end">
          <Text bold>{fit(names.get(r.stage) ?? r.stage, cols.name)}</Text>
          {cols.bar ? (
            <>
              <SegmentBar segments={[{ count: r.present ?? 0, ...SEGMENT.succeeded }]} total={r.expected} width={cols.bar} />{' '}
            </>
          ) : null}
          {fit(stageFigures(r), cols.figures)}
          <Text color={color ? (r.blockedBy || r.error ? 'yellow' : r.next ? undefined : 'green') : undefined}>{stageNotes(r, cols.notes)}</Text>
        </Text>
      ))}
    </Box>
  );
}
