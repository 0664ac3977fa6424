/** Where the cursor is: the row with its key, or the first row when that key is gone. */
export function cursorIndex(rows: { key: string }[], cursorKey: string | null): number {
  if (cursorKey === null) return 0;
  const i = rows.findIndex((r) => r.key === cursorKey);
  return i < 0 ? 0 : i;
}

/** The key one step up or down from the cursor, clamped to the list. */
export function moveCursor(rows: { key: string }[], cursorKey: string | null, step: number): string | null {
  if (rows.length === 0) return null;
  const i = Math.max(0, Math.min(rows.length - 1, cursorIndex(rows, cursorKey) + step));
  return rows[i].key;
}
