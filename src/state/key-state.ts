import type { AppState } from './app-state.js';
import type { KeyState } from './calendar.js';

/**
 * The state of each expected key for the calendar: in the warehouse, in storage only, failed in the
 * latest run (and not present since), or simply missing.
 */
export function keyStateOf(state: AppState): (key: string) => KeyState {
  const warehouse = state.coverage.warehouse?.keys ?? null;
  const storage = state.coverage.storage?.keys ?? null;
  const failed = new Set<string>(state.log.current?.failedKeys.keys() ?? []);
  for (const e of state.failed.current?.entries ?? []) failed.add(e.key);
  return (key) => {
    if (warehouse?.has(key)) return 'warehouse';
    if (storage?.has(key)) return 'storage';
    if (failed.has(key)) return 'failed';
    return 'missing';
  };
}
