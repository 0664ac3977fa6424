import type { AppState } from './app-state.js';
import type { KeyState } from './calendar.js';
import { failuresView } from './failures-view.js';

/**
 * The state of each expected key for the calendar: in the warehouse, in storage only, failing (the latest
 * run that tried it failed it, as in the failures view), missing, or not known yet (storage not checked
 * yet, or failing).
 */
export function keyStateOf(state: AppState): (key: string) => KeyState {
  const warehouse = state.coverage.warehouse?.keys ?? null;
  const storage = state.coverage.storage?.keys ?? null;
  const failed = failuresView(state).failing;
  // Before storage answers, a key is not known to be missing: "not checked yet", or "unknown" once it failed.
  const src = state.coverage.storage;
  const notKnown: KeyState = src && src.keys === null ? (src.error ? 'unknown' : 'unchecked') : src ? 'missing' : 'unchecked';
  return (key) => {
    if (warehouse?.has(key)) return 'warehouse';
    if (storage?.has(key)) return 'storage';
    if (failed.has(key)) return 'failed';
    return notKnown;
  };
}
