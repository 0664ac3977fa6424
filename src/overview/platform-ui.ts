/** Which screen the platform dashboard shows, and which job is selected (by name, so re-sorting never moves it). */
export interface PlatformUi {
  screen: 'overview' | 'job';
  selected: string | null;
  help: boolean;
}

/** A tiny store for the platform's own view state; the jobs' states stay in their own stores. */
export interface PlatformUiStore {
  getState(): PlatformUi;
  set(patch: Partial<PlatformUi>): void;
  subscribe(listener: () => void): () => void;
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

/** The name `step` rows away from `selected` in `order` (clamped), or the first when nothing is selected yet. */
export function moveSelection(order: string[], selected: string | null, step: number): string | null {
  if (order.length === 0) return null;
  const i = selected === null ? -1 : order.indexOf(selected);
  if (i < 0) return order[0];
  return order[Math.max(0, Math.min(order.length - 1, i + step))];
}
