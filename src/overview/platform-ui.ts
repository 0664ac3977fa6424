/** Which screen the platform dashboard shows, and which job is selected (by name, so re-sorting never moves it). */
export interface PlatformUi {
  screen: 'overview' | 'job';
  selected: string | null;
  help: boolean;
  /** The job screen was opened from the overview on this view (f, h): Esc on it comes back to the overview. */
  openedOn?: 'dashboard' | 'failures' | 'history' | null;
  /** A set-up the sources wait for is under way (a new demo): its progress, shown under the title. */
  preparing?: string | null;
  /** `/`: the overview shows only the jobs this matches (see overview-filter.ts); '' shows all. */
  filter?: string;
  /** The filter prompt is open: keys are its text. */
  filtering?: boolean;
}

/** A tiny store for the platform's own view state; the jobs' states stay in their own stores. */
export interface PlatformUiStore {
  getState(): PlatformUi;
  set(patch: Partial<PlatformUi>): void;
  subscribe(listener: () => void): () => void;
}

/**
 * The view state a dashboard of `jobs` (names, config order) opens with: several jobs open on the overview with
 * nothing chosen, so the cursor is on the first row, whichever job sorts there as the logs are read (tester U10:
 * pinned to the first job of the config it ended on the last row, the job needing nothing). The first key that
 * moves or acts pins it to the job it was on (see {@link pinSelection}); from then on the cursor stays on that
 * job as the list sorts.
 */
export function initialPlatformUi(jobs: string[]): PlatformUi {
  return jobs.length > 1 ? { screen: 'overview', selected: null, help: false } : { screen: 'job', selected: null, help: false };
}

export function createPlatformUi(initial: PlatformUi): PlatformUiStore {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    set(patch) {
      state = { ...state, ...patch };
      for (const l of listeners) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * The name `step` rows away from `selected` in `order` (clamped). Nothing chosen yet means the first row, where
 * the cursor is shown: ↓ then goes to the second.
 */
export function moveSelection(order: string[], selected: string | null, step: number): string | null {
  if (order.length === 0) return null;
  const i = selected === null ? 0 : order.indexOf(selected);
  if (i < 0) return order[0];
  return order[Math.max(0, Math.min(order.length - 1, i + step))];
}
