import { Box, Text } from 'ink';
import { displayWidth, fitColumn } from '../src/text-width.js';

/** One column of {@link FailureTable}: its heading, the cell text of a row, and its width bounds. */
export interface Column<R> {
  title: string;
  cell: (row: R) => string;
  min?: number;
  max?: number;
  align?: 'left' | 'right';
  /** This column takes what the others leave of the width (one column should). */
  grow?: boolean;
}

/**
 * Column widths from every row, not only the ones on screen, so they stay put while the table scrolls;
 * the growing column takes what is left of `width` (measured by display width), its cells cut with `…`.
 */
export function columnWidths<R>(columns: Column<R>[], rows: R[], width: number): number[] {
  const widths = columns.map((c) => {
    const cap = c.max ?? Infinity;
    let w = Math.max(c.min ?? 0, displayWidth(c.title));
    // A loop, not Math.max(...rows.map(…)): a spread of more than ~120,000 arguments overflows V8's stack (tester
    // V16: `f` with 130,000 failing keys crashed the dashboard). It stops once the column is as wide as it may be.
    for (let i = 0; i < rows.length && w < cap; i++) w = Math.max(w, displayWidth(c.cell(rows[i])));
    return Math.min(cap, w);
  });
  const grow = Math.max(0, columns.findIndex((c) => c.grow));
  const others = widths.reduce((a, b, i) => (i === grow ? a : a + b), 0) + columns.length - 1;
  widths[grow] = Math.max(4, Math.min(widths[grow], width - others));
  return widths;
}

/** A table with one row per line (no rules between rows), fixed column widths, the cursor row marked. */
export function FailureTable<R>({ columns, rows, all, cursor, width, widths: given }: { columns: Column<R>[]; rows: R[]; all: R[]; cursor: number; width: number; widths?: number[] }) {
  // Given by a caller that needs them too (the failures view, for the error under the table): worked out once.
  const widths = given ?? columnWidths(columns, all, width - 2);
  const line = (cells: string[]) => cells.map((c, i) => fitColumn(c, widths[i], columns[i].align)).join(' ');
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {'  '}
        {line(columns.map((c) => c.title))}
      </Text>
      {rows.map((r, i) => (
        <Text key={i} inverse={i === cursor} wrap="truncate-end">
          {i === cursor ? '› ' : '  '}
          {line(columns.map((c) => c.cell(r)))}
        </Text>
      ))}
    </Box>
  );
}
