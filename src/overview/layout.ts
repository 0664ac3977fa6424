/** Column widths of the overview's two lines per job, fitted to the terminal width. A width of 0 leaves the column out. */
export interface OverviewColumns {
  marker: number;
  name: number;
  state: number;
  bar: number;
  count: number;
  rate: number;
  eta: number;
  failed: number;
  /** Second line: blank under the marker and name, the storage and warehouse cells, then the age of the figures. */
  indent: number;
  coverage: number;
  age: number;
}

/** The smallest terminal the overview draws in; under it one line says the terminal is small. */
export const MIN_WIDTH = 50;
export const MIN_HEIGHT = 10;

/**
 * Widths for `width` columns: no line wider than the terminal (a wider one wraps, and Ink's erase of the frame
 * before then misses rows: stale rows stay on screen). Names get what they need up to 20 and the run bar what is left (up to 20). On a
 * narrow terminal the bar goes first, then the ETA, then the rate; then the failed cell and the names shrink.
 * `bar: false` (text status) gives the bar's room to the failed cell.
 */
export function overviewColumns(width: number, longestName: number, opts: { bar?: boolean } = {}): OverviewColumns {
  const room = Math.max(MIN_WIDTH, width);
  const c = { marker: 2, name: Math.max(3, Math.min(20, longestName)), state: 11, bar: 0, count: 12, rate: 9, eta: 10, failed: 15 };
  const used = () => c.marker + c.name + 1 + c.state + (c.bar ? c.bar + 1 : 0) + c.count + c.rate + c.eta + c.failed;
  const cuts = [() => (c.eta = 0), () => (c.rate = 0), () => (c.failed = 10), () => (c.name = Math.max(8, c.name - (used() - room)))];
  for (const cut of cuts) if (used() > room) cut();
  // The bar only where at least 3 cells of it fit, with the space after it.
  if (opts.bar !== false && room - used() >= 4) c.bar = Math.min(20, room - used() - 1);
  // A wide terminal gives what is left to the failures (`26 · HTTP 500 5` is cut at 15).
  c.failed += Math.min(20, Math.max(0, room - used()));
  const indent = c.marker + c.name + 1;
  const coverage = Math.max(12, Math.floor((room - indent - 10) / 2));
  return { ...c, indent, coverage, age: Math.max(0, room - indent - 2 * coverage) };
}

/** Lines per job in the list. */
export const LINES_PER_JOB = 2;

/**
 * Which jobs fit in `lines` rows, keeping `selectedIndex` in view: the first shown and how many, and how many are
 * left out above and below. When not all fit, two of the lines say so (`↑ 3 more`, `↓ 15 more`). The window moves
 * only when the selection would leave it, so the list does not jump under the cursor.
 */
export function visibleWindow(count: number, selectedIndex: number, lines: number, previousStart = 0): { start: number; shown: number; above: number; below: number } {
  const scrolls = count * LINES_PER_JOB > lines;
  const shown = Math.max(1, Math.min(count, Math.floor((scrolls ? lines - 2 : lines) / LINES_PER_JOB)));
  let start = Math.min(Math.max(0, previousStart), Math.max(0, count - shown));
  if (selectedIndex < start) start = selectedIndex;
  if (selectedIndex >= start + shown) start = selectedIndex - shown + 1;
  start = Math.max(0, start);
  return { start, shown, above: start, below: Math.max(0, count - start - shown) };
}
