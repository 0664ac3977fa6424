import type { AppState } from './app-state.js';

const SHOW_MS = 60_000;

/** The notices still on screen at `now`: the newest two, each for a minute. */
export function recentNotices<T extends { at: number }>(notices: T[], now: number): T[] {
  return notices.filter((n) => now - n.at < SHOW_MS).slice(-2);
}

/** The notices a job's screen shows: one below 20 rows, else two. */
export function shownNotices(state: AppState): AppState['ui']['notices'] {
  return recentNotices(state.ui.notices, state.now).slice(state.ui.height < 20 ? -1 : -2);
}

/**
 * Rows for a job screen's body (dashboard, failures, history): the terminal's height less the header, the
 * notices, the key bar, and one row short of the terminal (Ink clears the whole screen on every frame of an
 * output that fills it). The views and the keys that scroll them use this one figure.
 */
export function bodyHeightOf(state: AppState): number {
  return Math.max(2, state.ui.height - 3 - shownNotices(state).length);
}
