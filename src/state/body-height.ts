import { fitRows, hangingWrap } from '../text-width.js';
import type { AppState } from './app-state.js';

const SHOW_MS = 60_000;

/** The notices still on screen at `now`: the newest two, each for a minute. */
export function recentNotices<T extends { at: number }>(notices: T[], now: number): T[] {
  return notices.filter((n) => now - n.at < SHOW_MS).slice(-2);
}

/** A notice as shown: its rows, wrapped. */
export type ShownNotice<T> = T & { lines: string[] };

/**
 * `notices` (the newest last) as rows of `width` columns, for a screen `height` rows high. A notice says what happened
 * and then why and what to do, so cut at the width the why went (tester AA9's residue): from 20 rows each wraps, with
 * a hanging indent, over at most 3 rows and the notices over 4 in all (the newest first served, the older one at least
 * a row), the last row of one cut short ending in `…`; below 20 rows only the newest shows, on one row.
 */
export function fitNotices<T extends { text: string }>(notices: T[], width: number, height: number): ShownNotice<T>[] {
  if (height < 20) return notices.slice(-1).map((n) => ({ ...n, lines: fitRows(n.text, width, 1) }));
  const shown = notices.slice(-2);
  const need = shown.map((n) => hangingWrap(n.text, width).length);
  const newest = shown.length - 1;
  const rows = need.map(() => 1);
  if (newest >= 0) rows[newest] = Math.min(3, need[newest], 4 - newest);
  if (newest > 0) rows[0] = Math.max(1, Math.min(3, need[0], 4 - rows[newest]));
  return shown.map((n, i) => ({ ...n, lines: fitRows(n.text, width, rows[i]) }));
}

/** The notices a job screen shows, wrapped (fitNotices). */
export function shownNotices(state: AppState): ShownNotice<AppState['ui']['notices'][number]>[] {
  return fitNotices(recentNotices(state.ui.notices, state.now), Math.max(20, state.ui.width), state.ui.height);
}

/**
 * Rows for a job screen's body (dashboard, failures, history): the terminal's height less the header, the
 * notices' rows, the key bar, and one row short of the terminal (Ink clears the whole screen on every frame of an
 * output that fills it). The views and the keys that scroll them use this one figure.
 */
export function bodyHeightOf(state: AppState): number {
  return Math.max(2, state.ui.height - 3 - shownNotices(state).reduce((n, s) => n + s.lines.length, 0));
}
