/** Column widths of the overview's two lines per job, fitted to the terminal width. */
export interface OverviewColumns {
  marker: number;
  name: number;
  state: number;
  bar: number;
  count: number;
  rate: number;
  eta: number;
  failed: number;
  /** Second line: storage and warehouse cells, then the age of the figures. */
  coverage: number;
  age: number;
}

/** Widths for `width` columns: names get what they need up to 20, the run bar takes what is left (at least 4). */
export function overviewColumns(width: number, longestName: number): OverviewColumns {
  const name = Math.max(3, Math.min(20, longestName));
  const fixed = { marker: 2, state: 11, count: 12, rate: 9, eta: 10, failed: 15 };
  const used = fixed.marker + name + 1 + fixed.state + fixed.count + fixed.rate + fixed.eta + fixed.failed;
  const bar = Math.max(3, Math.min(20, width - used - 1));
  const indent = fixed.marker + name + 1;
  const coverage = Math.max(12, Math.floor((width - indent - 10) / 2));
  return { ...fixed, name, bar, coverage, age: Math.max(4, width - indent - 2 * coverage) };
}

/** Lines per job in the list. */
export const LINES_PER_JOB = 2;

/**
 * Which jobs fit in `lines` rows, keeping `selectedIndex` in view: the first shown and how many.
 * The window moves only when the selection would leave it, so the list does not jump under the cursor.
 */
export function visibleWindow(count: number, selectedIndex: number, lines: number, previousStart = 0): { start: number; shown: number } {
  const shown = Math.max(1, Math.min(count, Math.floor(lines / LINES_PER_JOB)));
  let start = Math.min(Math.max(0, previousStart), Math.max(0, count - shown));
  if (selectedIndex < start) start = selectedIndex;
  if (selectedIndex >= start + shown) start = selectedIndex - shown + 1;
  return { start: Math.max(0, start), shown };
}
