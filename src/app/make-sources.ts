import { createLocalSource } from '../coverage/local-source.js';
import type { KeySource } from '../coverage/source.js';
import type { Config } from '../config.js';

/**
 * A source whose client library is loaded on first use: the Google clients take a second or more to
 * import, and the first frame (or a local-only config) must not wait for them.
 */
function lazySource(name: 'storage' | 'warehouse', label: string, load: () => Promise<KeySource>): KeySource {
  let loading: Promise<KeySource> | null = null;
  return {
    name,
    label,
    async list(signal) {
      loading ??= load();
      return (await loading).list(signal);
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
    return lazySource('storage', s.url, async () => {
      const { createGcsSource } = await import('../coverage/gcs-source.js');
      return createGcsSource({ url: s.url, keyPattern: s.keyPattern, apiEndpoint: s.apiEndpoint, projectId: s.projectId });
    });
  }
  return createLocalSource({ dir: s.url, name: 'storage', keyPattern: s.keyPattern });
}

/** The warehouse source: BigQuery, or a local directory stand-in (the demo's). */
export function warehouseSourceFor(config: Config, keyFormat: 'date' | 'id'): KeySource | null {
  return config.warehouse ? warehouseSource(config.warehouse, keyFormat) : null;
}

/** A warehouse source from a job's (or a chain stage's) `warehouse` settings. */
export function warehouseSource(w: WarehouseSpec, keyFormat: 'date' | 'id'): KeySource {
  if (w.dir) return createLocalSource({ dir: w.dir, name: 'warehouse' });
  return lazySource('warehouse', w.table, async () => {
    const { createBigQuerySource } = await import('../coverage/bigquery-source.js');
    return createBigQuerySource({ table: w.table, column: w.column, keyFormat, since: w.since, until: w.until, location: w.location, projectId: w.projectId, apiEndpoint: w.apiEndpoint });
  });
}
