import { expect, test } from 'vitest';
import { columnWidths, type Column } from '../components/FailureTable.js';

type Row = { key: string; error: string };
const columns: Column<Row>[] = [
  { title: 'key', cell: (r) => r.key },
  { title: 'error', cell: (r) => r.error, max: 18, grow: true },
];

// Tester V16: `f` with 130,000 failing keys crashed the dashboard (RangeError: Maximum call stack size
// exceeded, a Math.max spread over every row).
test('widths over 300,000 rows: no stack overflow, the widest cell counted wherever it is', () => {
  const rows: Row[] = Array.from({ length: 300_000 }, (_, i) => ({ key: String(i).padStart(10, '0'), error: 'HTTP 500' }));
  rows[299_999] = { key: 'a-much-longer-key-at-the-end', error: 'Timeout after 180s, then more' };
  // key: 28 characters (the last row); error: capped at 18; the total fits 80 columns.
  expect(columnWidths(columns, rows, 80)).toEqual([28, 18]);
});

test('a column is never narrower than its title, nor wider than its cap', () => {
  expect(columnWidths(columns, [{ key: 'k', error: 'e' }], 80)).toEqual([3, 5]);
});
