/**
 * The series a forecast cell reads: (time, series, value) from its source cell's result table,
 * one query, ordered. Column names come from the validated spec and are quoted; the metric name
 * is a bound parameter.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, RESULTS_CATALOG } from '../../engine/duck/duck.js';
import type { TableColumn } from '../../engine/outputs.js';
import type { SeriesInput } from './compute.js';

export interface SourceColumns {
  table: string;
  time: string;
  value: string;
  series?: string;
  /** For a metrics table: the metric_name whose rows are read. */
  metric?: string;
}

export const TIME_TYPE = /^(DATE|TIMESTAMP(_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE)$/;
export const NUMBER_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\))$/;

/** The columns of a result table. */
export async function columnsOf(conn: DuckDBConnection, table: string): Promise<TableColumn[]> {
  const reader = await conn.runAndReadAll(`SELECT * FROM ${RESULTS_CATALOG}.main.${quoteIdent(table)} LIMIT 0`);
  const types = reader.columnTypes();
  return reader.columnNames().map((name, i) => ({ name, type: String(types[i]) }));
}

/** A metrics table's series label: its slice value and segment, or the metric name for the overall row. */
const METRIC_SERIES = `CASE WHEN slice_type IN ('none', 'all') AND segment_name = 'all' THEN metric_name
  ELSE concat_ws(' · ', CASE WHEN slice_type NOT IN ('none', 'all') THEN coalesce(CAST(slice_value AS VARCHAR), '(no value)') END, CASE WHEN segment_name <> 'all' THEN segment_name END) END`;

/** Every series, its points in time order; throws a plain Error naming the problem (NULLs, repeats). */
export async function readSeries(conn: DuckDBConnection, src: SourceColumns, defaultName: string): Promise<SeriesInput[]> {
  const t = quoteIdent(src.time);
  const seriesExpr = src.series !== undefined ? `CAST(${quoteIdent(src.series)} AS VARCHAR)` : src.metric !== undefined ? METRIC_SERIES : 'NULL';
  const where = src.metric !== undefined ? `WHERE metric_name = $metric AND period_type <> 'all_time'` : '';
  const sql = `SELECT CAST(epoch_us(CAST(${t} AS TIMESTAMP)) AS DOUBLE) AS t_us, ${seriesExpr} AS s, CAST(${quoteIdent(src.value)} AS DOUBLE) AS v
    FROM ${RESULTS_CATALOG}.main.${quoteIdent(src.table)} ${where} ORDER BY s NULLS FIRST, t_us`;
  const reader = await conn.runAndReadAll(sql, src.metric !== undefined ? { metric: src.metric } : undefined);
  const [times, names, values] = reader.getColumnsJS() as [(number | null)[], (string | null)[], (number | null)[]];
  const out: SeriesInput[] = [];
  let current: SeriesInput | null = null;
  let currentKey: string | null | undefined;
  for (let i = 0; i < times.length; i++) {
    const key = names[i];
    if (current === null || key !== currentKey) {
      current = { name: key ?? (src.series !== undefined ? '(no value)' : defaultName), times: [], values: [] };
      currentKey = key;
      out.push(current);
    }
    const label = src.series !== undefined || src.metric !== undefined ? ` of series '${current.name}'` : '';
    const time = times[i];
    const value = values[i];
    if (time === null) throw new Error(`${src.time} is NULL in a row${label}`);
    if (value === null || !Number.isFinite(value)) throw new Error(`${src.value} is NULL${label} at ${new Date(time / 1000).toISOString().slice(0, 19).replace('T00:00:00', '')}`);
    if (current.times.length && current.times[current.times.length - 1] === time) throw new Error(`two rows${label} have the same ${src.time} (${new Date(time / 1000).toISOString().slice(0, 10)})`);
    current.times.push(time);
    current.values.push(value);
  }
  return out;
}
