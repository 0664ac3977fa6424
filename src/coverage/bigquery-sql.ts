import { SourceError } from './source.js';

/** A table named project.dataset.table, each part checked. */
export interface TableRef {
  project: string;
  dataset: string;
  table: string;
}

/** A query and its named parameters, in the REST shape of `queryParameters`. */
export interface Statement {
  query: string;
  queryParameters: QueryParameter[];
}

/** One named parameter of a query (BigQuery REST `QueryParameter`). */
export interface QueryParameter {
  name: string;
  parameterType: { type: 'DATE' | 'STRING' };
  parameterValue: { value: string };
}

/** What to count: the table, its key column, and the inclusive date range. */
export interface CountSpec {
  table: TableRef;
  column: string;
  keyFormat: 'date' | 'id';
  since?: string;
  until?: string;
  /**
   * The table requires a partition filter and is partitioned on `column`, of this type: the scan then also
   * compares the column itself with since/until (a filter BigQuery can use for partition elimination).
   */
  partitionFilter?: 'DATE' | 'TIMESTAMP' | 'DATETIME';
}

const TABLE = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\.([A-Za-z0-9_$-]+)$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;

/** Splits and checks project.dataset.table; nothing else may reach the SQL text. */
export function parseTableName(name: string): TableRef {
  const m = TABLE.exec(name);
  if (m === null) {
    throw new SourceError(`warehouse.table ${JSON.stringify(name)} is not project.dataset.table`, 'write it as my-project.my_dataset.my_table', null);
  }
  return { project: m[1], dataset: m[2], table: m[3] };
}

/** Backtick-quotes a column name after checking it is a plain identifier (so it cannot close the quote). */
export function quoteColumn(column: string): string {
  if (!IDENTIFIER.test(column)) {
    throw new SourceError(`warehouse.column ${JSON.stringify(column)} is not a column name`, 'use letters, digits and _ only, e.g. game_date', null);
  }
  return `\`${column}\``;
}

/** Checks a since/until value is a real calendar date (2023-02-29 is not). */
export function checkDate(setting: string, value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m === null ? null : new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d === null || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw new SourceError(`${setting} ${JSON.stringify(value)} is not a date`, 'write it as YYYY-MM-DD', null);
  }
  return value;
}

/** SELECT DISTINCT keys by reading the column: DATE(column) as YYYY-MM-DD, or the id as text. */
export function buildScanQuery(spec: CountSpec): Statement {
  const col = quoteColumn(spec.column);
  const from = `\`${spec.table.project}.${spec.table.dataset}.${spec.table.table}\``;
  if (spec.keyFormat === 'id') {
    if (spec.since !== undefined || spec.until !== undefined) {
      throw new SourceError('warehouse.since/until filter dates, but the keys are ids', 'drop since/until, or count a date column', null);
    }
    return { query: `SELECT DISTINCT CAST(${col} AS STRING) AS key FROM ${from} WHERE ${col} IS NOT NULL`, queryParameters: [] };
  }
  const { where, queryParameters } = dateRange(`DATE(${col})`, spec);
  return {
    query: `SELECT DISTINCT FORMAT_DATE('%F', DATE(${col})) AS key FROM ${from} WHERE ${col} IS NOT NULL${where}${partitionFilter(col, spec)}`,
    queryParameters,
  };
}

/** The column compared with since/until in its own type, so a require_partition_filter table accepts the scan. */
function partitionFilter(col: string, spec: CountSpec): string {
  const type = spec.partitionFilter;
  if (type === undefined) return '';
  const as = (x: string) => (type === 'DATE' ? x : `${type}(${x})`);
  let out = '';
  if (spec.since !== undefined) out += ` AND ${col} >= ${as('@since')}`;
  if (spec.until !== undefined) out += ` AND ${col} < ${as('DATE_ADD(@until, INTERVAL 1 DAY)')}`;
  return out;
}

/**
 * Non-empty day partitions from INFORMATION_SCHEMA.PARTITIONS: metadata only, so it bills
 * the small fixed minimum instead of a scan. partition_id comes back as YYYYMMDD.
 */
export function buildPartitionsQuery(spec: CountSpec): Statement {
  const { project, dataset, table } = spec.table;
  const day = "SAFE.PARSE_DATE('%Y%m%d', partition_id)";
  const { where, queryParameters } = dateRange(day, spec);
  return {
    // __NULL__ and __UNPARTITIONED__ parse to NULL and drop out.
    query: `SELECT partition_id AS key FROM \`${project}.${dataset}.INFORMATION_SCHEMA.PARTITIONS\` WHERE table_name = @table AND total_rows > 0 AND ${day} IS NOT NULL${where}`,
    queryParameters: [stringParam('table', table), ...queryParameters],
  };
}

/** True when the table metadata says: partitioned by DAY on this very column. */
export function isDayPartitionedOn(metadata: { timePartitioning?: { type?: string | null; field?: string | null } | null }, column: string): boolean {
  const p = metadata.timePartitioning;
  return p?.type === 'DAY' && typeof p.field === 'string' && p.field.toLowerCase() === column.toLowerCase();
}

/** 20240105 → 2024-01-05; anything else (e.g. __NULL__) → null. */
export function partitionIdToKey(id: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(id);
  return m === null ? null : `${m[1]}-${m[2]}-${m[3]}`;
}

function dateRange(expr: string, spec: CountSpec): { where: string; queryParameters: QueryParameter[] } {
  let where = '';
  const queryParameters: QueryParameter[] = [];
  if (spec.since !== undefined) {
    where += ` AND ${expr} >= @since`;
    queryParameters.push(dateParam('since', checkDate('warehouse.since', spec.since)));
  }
  if (spec.until !== undefined) {
    where += ` AND ${expr} <= @until`;
    queryParameters.push(dateParam('until', checkDate('warehouse.until', spec.until)));
  }
  return { where, queryParameters };
}

function dateParam(name: string, value: string): QueryParameter {
  return { name, parameterType: { type: 'DATE' }, parameterValue: { value } };
}

function stringParam(name: string, value: string): QueryParameter {
  return { name, parameterType: { type: 'STRING' }, parameterValue: { value } };
}
