import type { AppState } from './app-state.js';
import type { KeyState } from './calendar.js';
import { failuresView } from './failures-view.js';
import { OUTCOME_MASK, OUTCOME_SUCCEEDED } from './key-ledger.js';

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
  if (src === null) {
    // No storage to check: what the current run's lines say is all there is (tester W2).
    const ledger = state.log.current?.keys?.ledger ?? null;
    return (key) => {
      if (warehouse?.has(key)) return 'warehouse';
      if (failed.has(key)) return 'failed';
      return ledger !== null && (ledger.peek(key) & OUTCOME_MASK) === OUTCOME_SUCCEEDED ? 'scraped' : 'untried';
    };
  }
  const notKnown: KeyState = src.keys === null ? (src.error ? 'unknown' : 'unchecked') : 'missing';
  return (key) => {
    if (warehouse?.has(key)) return 'warehouse';
    if (storage?.has(key)) return 'storage';
    if (failed.has(key)) return 'failed';
    return notKnown;
  };
}
