import { describe, expect, it } from 'vitest';
import { buildPartitionsQuery, buildScanQuery, checkDate, isDayPartitionedOn, parseTableName, partitionIdToKey, quoteColumn, type CountSpec } from '../src/coverage/bigquery-sql.js';
import { SourceError } from '../src/coverage/source.js';

const table = { project: 'nba-props-platform', dataset: 'nba_raw', table: 'nbac_player_boxscores' };
const spec = (over: Partial<CountSpec> = {}): CountSpec => ({ table, column: 'game_date', keyFormat: 'date', ...over });

describe('parseTableName', () => {
  it.each([
    ['nba-props-platform.nba_raw.nbac_player_boxscores', table],
    ['p.d.t', { project: 'p', dataset: 'd', table: 't' }],
    ['p-1.d_2.t$20240101', { project: 'p-1', dataset: 'd_2', table: 't$20240101' }],
  ])('accepts %s', (name, want) => {
    expect(parseTableName(name)).toEqual(want);
  });

  it.each([
    'a.b.c`; DROP TABLE x; --',
    'a.b.c` WHERE 1=1 --',
    'a.b',
    'a.b.c.d',
    'a.b.c d',
    "a.b.c'",
    'a.b-x.c',
    '',
    'a..c',
    'a.b.c\n',
  ])('rejects %j with a hint', (name) => {
    expect(() => parseTableName(name)).toThrow(SourceError);
    try {
      parseTableName(name);
    } catch (e) {
      expect((e as SourceError).hint).toContain('project.my_dataset.my_table');
    }
  });
});

describe('quoteColumn', () => {
  it.each([
    ['game_date', '`game_date`'],
    ['_x1', '`_x1`'],
  ])('quotes %s', (col, want) => expect(quoteColumn(col)).toBe(want));

  it.each(['game_date`; DROP', 'a b', '1abc', 'a.b', '', 'a`', 'x--', 'DATE(x)'])('rejects %j', (col) => {
    expect(() => quoteColumn(col)).toThrow(/is not a column name/);
  });
});

describe('checkDate', () => {
  it.each(['2021-10-19', '2024-02-29'])('accepts %s', (d) => expect(checkDate('warehouse.since', d)).toBe(d));
  it.each(['2023-02-29', '2021-13-01', '2021-10-1', "2021-10-01' OR '1'='1", '20211001', ''])('rejects %j', (d) => {
    expect(() => checkDate('warehouse.since', d)).toThrow(/warehouse.since .* is not a date/);
  });
});

describe('buildScanQuery', () => {
  it('counts distinct DATE(column) with no parameters when unbounded', () => {
    expect(buildScanQuery(spec())).toEqual({
      query: "SELECT DISTINCT FORMAT_DATE('%F', DATE(`game_date`)) AS key FROM `nba-props-platform.nba_raw.nbac_player_boxscores` WHERE `game_date` IS NOT NULL",
      queryParameters: [],
    });
  });

  it('filters since/until through DATE parameters, never in the text', () => {
    const s = buildScanQuery(spec({ since: '2021-10-01', until: '2025-06-30' }));
    expect(s.query).toContain('AND DATE(`game_date`) >= @since AND DATE(`game_date`) <= @until');
    expect(s.query).not.toContain('2021-10-01');
    expect(s.queryParameters).toEqual([
      { name: 'since', parameterType: { type: 'DATE' }, parameterValue: { value: '2021-10-01' } },
      { name: 'until', parameterType: { type: 'DATE' }, parameterValue: { value: '2025-06-30' } },
    ]);
  });

  it.each([
    [{ since: '2021-10-01' }, ['since']],
    [{ until: '2021-10-01' }, ['until']],
  ])('sends only the bounds given: %j', (bounds, names) => {
    const s = buildScanQuery(spec(bounds));
    expect(s.queryParameters.map((p) => p.name)).toEqual(names);
    expect(s.query.match(/@\w+/g)).toEqual(names.map((n) => `@${n}`));
  });

  it('reads id keys as text', () => {
    expect(buildScanQuery(spec({ column: 'game_id', keyFormat: 'id' })).query).toBe(
      'SELECT DISTINCT CAST(`game_id` AS STRING) AS key FROM `nba-props-platform.nba_raw.nbac_player_boxscores` WHERE `game_id` IS NOT NULL',
    );
  });

  it.each([
    [{ column: 'x`; DROP' }, /not a column name/],
    [{ since: "2021-10-01' OR 1=1 --" }, /not a date/],
    [{ until: '2021-02-30' }, /not a date/],
    [{ keyFormat: 'id' as const, since: '2021-10-01' }, /since\/until filter dates/],
  ])('refuses %j', (over, err) => {
    expect(() => buildScanQuery(spec(over))).toThrow(err);
  });
});

describe('buildPartitionsQuery', () => {
  it('reads non-empty day partitions of the table, named by parameter', () => {
    const s = buildPartitionsQuery(spec({ since: '2021-10-01' }));
    expect(s.query).toBe(
      'SELECT partition_id AS key FROM `nba-props-platform.nba_raw.INFORMATION_SCHEMA.PARTITIONS` ' +
        "WHERE table_name = @table AND total_rows > 0 AND SAFE.PARSE_DATE('%Y%m%d', partition_id) IS NOT NULL " +
        "AND SAFE.PARSE_DATE('%Y%m%d', partition_id) >= @since",
    );
    expect(s.queryParameters).toEqual([
      { name: 'table', parameterType: { type: 'STRING' }, parameterValue: { value: 'nbac_player_boxscores' } },
      { name: 'since', parameterType: { type: 'DATE' }, parameterValue: { value: '2021-10-01' } },
    ]);
  });
});

describe('isDayPartitionedOn', () => {
  it.each([
    [{ timePartitioning: { type: 'DAY', field: 'game_date' } }, true],
    [{ timePartitioning: { type: 'DAY', field: 'GAME_DATE' } }, true],
    [{ timePartitioning: { type: 'DAY', field: 'loaded_at' } }, false],
    [{ timePartitioning: { type: 'DAY' } }, false], // ingestion time: _PARTITIONTIME, not the column
    [{ timePartitioning: { type: 'MONTH', field: 'game_date' } }, false],
    [{}, false],
  ])('%j → %s', (md, want) => expect(isDayPartitionedOn(md, 'game_date')).toBe(want));
});

describe('partitionIdToKey', () => {
  it.each([
    ['20240105', '2024-01-05'],
    ['__NULL__', null],
    ['__UNPARTITIONED__', null],
    ['2024010', null],
  ])('%s → %s', (id, want) => expect(partitionIdToKey(id)).toBe(want));
});
