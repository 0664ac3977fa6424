import type { KeyEvent } from '../key-chunk.js';
import { filterKey, filterKeyWords, keyLabel } from '../keymap.js';
import { overviewCells } from './overview-text.js';
import type { OverviewRow } from './overview-rows.js';
import type { PlatformUi } from './platform-ui.js';

/**
 * What `/` on the overview matches, case-insensitive: the job's name, its state word (`running`, `stalled`,
 * `reading…`), its worst error (`HTTP 500`) and a failing source's kind (`no access (403)`), so `box`, `stalled`
 * or `403` each narrow twenty jobs to the ones meant. An empty filter matches every job.
 */
export function rowMatches(row: OverviewRow, filter: string): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  const cells = overviewCells(row);
  // A run not started here says `external` where it runs: `running` finds it too.
  const words = [row.job, cells.state, cells.state === 'external' ? 'running' : '', row.worstError ?? '', row.problem ? `${row.problem.source} ${row.problem.kind}` : ''];
  return words.some((w) => w.toLowerCase().includes(needle));
}

/** The rows `filter` keeps, in their order. */
export function filterRows(rows: OverviewRow[], filter: string): OverviewRow[] {
  return filter ? rows.filter((r) => rowMatches(r, filter)) : rows;
}

/**
 * A key while the filter prompt is open, as the job screen's failures filter takes it: text goes into the filter
 * (`q` too), Backspace takes the last character, Ctrl-U the whole line, Enter keeps the filter, Esc clears it
 * (keymap.ts FILTER_KEYS). The view-state patch, or null for a key the prompt ignores (arrows, other control
 * keys: Ctrl-C still quits, handled before).
 */
export function filterPromptKey(ui: Pick<PlatformUi, 'filter'>, ev: KeyEvent): Partial<PlatformUi> | null {
  const edit = filterKey(ui.filter ?? '', ev);
  if (!edit) return null;
  return edit.done ? { filtering: false, filter: edit.text } : { filter: edit.text };
}

/** The line under the title while a filter is typed or kept: what it matches, and how to change or clear it. */
export function filterLine(ui: Pick<PlatformUi, 'filter' | 'filtering'>, shown: number, all: number): string | null {
  const filter = ui.filter ?? '';
  if (!ui.filtering && !filter) return null;
  const count = shown === 0 ? `no job matches (${all} in all)` : `${shown} of ${all} jobs`;
  return ui.filtering ? `/${filter}▏ ${count} · ${filterKeyWords(' · ')}` : `filter "${filter}": ${count} · / changes · ${keyLabel('escape')} clears`;
}
