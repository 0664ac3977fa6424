import { storageOrigin } from '../coverage/gs-url.js';
import { createLocalSource } from '../coverage/local-source.js';
import type { KeySource } from '../coverage/source.js';
import type { Config } from '../config.js';

/**
 * A source whose client library is loaded on first use: the Google clients take a second or more to
 * import, and the first frame (or a local-only config) must not wait for them.
 */
function lazySource(name: 'storage' | 'warehouse', label: string, about: { service: string; timeoutHint: string; endpoint?: string }, load: () => Promise<KeySource>): KeySource {
  let loading: Promise<KeySource> | null = null;
  return {
    name,
    label,
    ...about,
    async list(signal, options) {
      loading ??= load();
      // Loading the client can take seconds on a busy machine: a look that runs out of time must not wait for it.
      const source = await new Promise<KeySource>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        loading!.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
      return source.list(signal, options);
    },
  };
}

type StorageSpec = NonNullable<Config['storage']>;
type WarehouseSpec = NonNullable<Config['warehouse']>;

/** The storage source the config names: Cloud Storage for gs:// URLs, else a local directory. */
export function storageSourceFor(config: Config): KeySource | null {
  return config.storage ? storageSource(config.storage) : null;
}

/** A storage source from a job's (or a chain stage's) `storage` settings. */
export function storageSource(s: StorageSpec): KeySource {
  if (s.url.startsWith('gs://')) {
    const about = { service: 'Cloud Storage', timeoutHint: 'check the network and storage.apiEndpoint (or STORAGE_EMULATOR_HOST); `status --timeout` gives it longer', endpoint: storageOrigin(s.apiEndpoint) };
    return lazySource('storage', s.url, about, async () => {
      const { createGcsSource } = await import('../coverage/gcs-source.js');
      return createGcsSource({ url: s.url, keyPattern: s.keyPattern, apiEndpoint: s.apiEndpoint, projectId: s.projectId });
    });
  }
  return createLocalSource({ dir: s.url, name: 'storage', keyPattern: s.keyPattern });
}

/**
 * Why the warehouse is not looked at while the expected keys are not read: its query needs their kind (dates or ids).
 * One rule for the dashboard (live-sources.ts) and `status` (snapshot.ts; tester AJ2: status sent the billed scan
 * with the expected keys file missing, the kind guessed, and threw its answer away).
 */
export function warehouseWaits(config: Pick<Config, 'expected'>): string {
  return config.expected ? 'not checked: waits for the expected keys' : 'not checked: needs expected keys (none configured)';
}

/** The warehouse source: BigQuery, or a local directory stand-in (the demo's). */
export function warehouseSourceFor(config: Config, keyFormat: 'date' | 'id'): KeySource | null {
  return config.warehouse ? warehouseSource(config.warehouse, keyFormat) : null;
}

/** A warehouse source from a job's (or a chain stage's) `warehouse` settings. */
export function warehouseSource(w: WarehouseSpec, keyFormat: 'date' | 'id'): KeySource {
  if (w.dir) return createLocalSource({ dir: w.dir, name: 'warehouse' });
  const about = {
    service: 'BigQuery',
    timeoutHint: 'check the network and warehouse.apiEndpoint (or BIGQUERY_EMULATOR_HOST); a slow query can be given longer with `status --timeout`',
    endpoint: w.apiEndpoint ?? process.env.BIGQUERY_EMULATOR_HOST,
  };
  return lazySource('warehouse', w.table, about, async () => {
    const { createBigQuerySource } = await import('../coverage/bigquery-source.js');
    return createBigQuerySource({ table: w.table, column: w.column, keyFormat, since: w.since, until: w.until, location: w.location, projectId: w.projectId, apiEndpoint: w.apiEndpoint });
  });
}
