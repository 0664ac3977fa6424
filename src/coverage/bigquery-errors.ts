import { explainError, type ErrorContext } from './explain-error.js';
import type { TableRef } from './bigquery-sql.js';
import { SourceError } from './source.js';

/** Which call failed: each needs a different permission on a different resource. */
export type BigQueryStep = 'metadata' | 'dry run' | 'query' | 'results';

/** Where a BigQuery call failed, for naming the resource and the permission it lacks. */
export interface BigQueryErrorContext {
  step: BigQueryStep;
  table: TableRef;
  /** The project jobs run (and bill) in. */
  jobProject: string;
  method: 'scan' | 'partitions' | null;
  timeoutMs: number;
  /** The configured endpoint (warehouse.apiEndpoint), if any: a network failure names its host and port. */
  endpoint?: string;
}

/**
 * Explains a failed BigQuery call in one line, naming the permission and resource the operator
 * must fix. Bodies that are not JSON arrive as a string (checked by the source) or, under the
 * content type `application/json` exactly, as the SyntaxError of node-fetch's parse.
 */
export function explainBigQueryError(err: unknown, where: BigQueryErrorContext): SourceError {
  const message = String((err as { message?: unknown } | null)?.message ?? '');
  // "Cannot query over table 'p.d.t' without a filter over column(s) 'game_date' that can be used for partition elimination"
  const filter = /without a filter over column\(s\) '([^']+)'/.exec(message);
  if (filter) {
    const { project, dataset, table } = where.table;
    return new SourceError(
      `BigQuery: table ${project}.${dataset}.${table} requires a partition filter on ${filter[1]} (require_partition_filter)`,
      `set warehouse.since (and warehouse.until) to the dates to count: they become that filter${filter[1] === '_PARTITIONTIME' || filter[1] === '_PARTITIONDATE' ? '; the table is partitioned by ingestion time, so count a view or table partitioned on warehouse.column' : ''}`,
      400,
    );
  }
  return explainError(err, contextFor(err, where));
}

function contextFor(err: unknown, where: BigQueryErrorContext): ErrorContext {
  const { project, dataset, table } = where.table;
  const message = String((err as { message?: unknown } | null)?.message ?? '');
  const base = { service: 'BigQuery', setting: 'warehouse.table', timeoutMs: where.timeoutMs, endpoint: where.endpoint ?? 'https://bigquery.googleapis.com', endpointSetting: 'warehouse.apiEndpoint (or BIGQUERY_EMULATOR_HOST)', label: `${project}.${dataset}.${table}` };
  const tableCtx = { ...base, resource: `table ${project}.${dataset}.${table}` };
  // "Not found: Dataset p:d" means the dataset, not just the table, is missing (or in another location).
  const notFound = /Not found: Dataset/i.test(message)
    ? { resource: `dataset ${project}.${dataset}`, notFoundHint: 'check the dataset in warehouse.table, and warehouse.location' }
    : { notFoundHint: 'check warehouse.table (project.dataset.table), and warehouse.location' };

  if (where.step === 'metadata') {
    return { ...tableCtx, permission: 'bigquery.tables.get', role: 'roles/bigquery.metadataViewer', ...notFound };
  }
  // Creating the job is checked on the project that runs it; reading on the table (or dataset).
  if (/bigquery\.jobs\.create/i.test(message)) {
    return { ...base, resource: `project ${where.jobProject}`, permission: 'bigquery.jobs.create', role: 'roles/bigquery.jobUser', setting: 'warehouse.projectId' };
  }
  if (where.method === 'partitions') {
    return { ...base, resource: `dataset ${project}.${dataset}`, permission: 'bigquery.tables.list', role: 'roles/bigquery.metadataViewer', ...notFound };
  }
  return { ...tableCtx, permission: 'bigquery.tables.getData', role: 'roles/bigquery.dataViewer', ...notFound };
}
