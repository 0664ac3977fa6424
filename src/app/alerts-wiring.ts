import { readPastAlerts, startAlertSink } from '../alerts/alert-sink.js';
import type { Config } from '../config.js';
import type { Store } from '../store.js';

/**
 * Connects one job's store to its alert channels (config `alerts`), unless `--no-alerts`; the history
 * view gets earlier sessions' alerts either way. Returns the function that stops the sink (resolving once
 * what was raised is recorded).
 */
export function wireAlerts(store: Store, config: Config, on: boolean): () => Promise<void> {
  if (!on) {
    void readPastAlerts(config.stateDir).then((past) => past.length && store.dispatch({ type: 'alerts/past', alerts: past }));
    return async () => undefined;
  }
  return startAlertSink(store, { channels: config.alerts, stateDir: config.stateDir, write: (bytes) => void process.stdout.write(bytes) });
}
