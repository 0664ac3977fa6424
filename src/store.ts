import type { AppState } from './state/app-state.js';
import type { AppEvent } from './state/events.js';
import { reduce } from './state/reducer.js';

/** Timers the store uses; injected so tests can drive frames without waiting. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The app's single state holder, outside React (the same store feeds `status --json`). */
export interface Store {
  getState(): AppState;
  dispatch(event: AppEvent): void;
  /** Listeners hear at most one change per `frameMs`, however fast events arrive. */
  subscribe(listener: () => void): () => void;
  /** Delivers a pending change now (tests, and before exit). */
  flush(): void;
  close(): void;
}

/** ~10 frames a second: a log written at 10,000 lines/s still redraws 10 times. */
export const FRAME_MS = 100;

/** Creates the store; state changes synchronously, notification is coalesced per frame. */
export function createStore(initial: AppState, opts: { frameMs?: number; timers?: Timers } = {}): Store {
  const frameMs = opts.frameMs ?? FRAME_MS;
  const timers: Timers = opts.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  let state = initial;
  let notified = state;
  let pending: unknown = null;
  let lastFrame = Number.NEGATIVE_INFINITY;
  const listeners = new Set<() => void>();

  const emit = () => {
    pending = null;
    if (notified === state) return;
    notified = state;
    lastFrame = Date.now();
    for (const l of listeners) l();
  };

  return {
    getState: () => state,
    dispatch(event) {
      state = reduce(state, event);
      if (state === notified || pending !== null) return;
      const wait = Math.max(0, frameMs - (Date.now() - lastFrame));
      pending = timers.setTimeout(emit, wait);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    flush() {
      if (pending !== null) timers.clearTimeout(pending);
      emit();
    },
    close() {
      if (pending !== null) timers.clearTimeout(pending);
      pending = null;
      listeners.clear();
    },
  };
}
