/**
 * Metric sources on a server connection checked against the server's catalog
 * (information_schema): the schema, the table, the time column (and that it holds dates) and
 * the columns of column slices exist. Each problem is located at the spec field that names it,
 * with what the server has nearby. Only names travel, as bound values; nothing is spliced.
 */
import { randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Connection } from '../connections/connection.js';
import { RESULTS_CATALOG, quoteIdent } from '../duck/duck.js';
import { QuireError } from '../util/errors.js';
import type { YamlPath } from '../source/source.js';
import { didYouMean } from '../util/suggest.js';
import type { ResolvedSource } from './sources.js';
import { specError } from './spec-errors.js';
import type { AnySpec, MetricSpec, SegmentSpec, SliceSpec } from './specs.js';

const TIME_TYPE = /^(date|timestamp)/i;

interface CatalogRow {
  schema: string;
  table: string;
  /** The schema a bare table name resolves to (current_schema()). */
  current: boolean;
  column: string | null;
  type: string | null;
}

/**
 * Each server type's catalog query: schema, table, whether a bare name finds it, and the columns
 * of `$quire_tables` (MySQL: a database is the schema).
 */
const CATALOG_SQL: Record<string, string> = {
  postgres: `SELECT t.table_schema AS s_name, t.table_name AS t_name, t.table_schema = current_schema() AS is_current, c.column_name AS c_name, c.data_type AS c_type
FROM information_schema.tables t
LEFT JOIN information_schema.columns c ON c.table_schema = t.table_schema AND c.table_name = t.table_name AND t.table_name = ANY($quire_tables)
WHERE t.table_schema NOT IN ('pg_catalog', 'information_schema')`,
  mysql: `SELECT t.TABLE_SCHEMA AS s_name, t.TABLE_NAME AS t_name, t.TABLE_SCHEMA = DATABASE() AS is_current, c.COLUMN_NAME AS c_name, c.DATA_TYPE AS c_type
FROM information_schema.TABLES t
LEFT JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME AND t.TABLE_NAME IN ($quire_tables)
WHERE t.TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')`,
};

/** The server's tables (and the columns of `tables`) through the connection, read back from DuckDB. */
async function serverCatalog(connection: Connection, duck: DuckDBConnection, tables: string[]): Promise<CatalogRow[]> {
  const target = `__quire_catalog_${randomBytes(4).toString('hex')}`;
  const sql = CATALOG_SQL[connection.type];
  if (!sql) return [];
  try {
    await connection.query({ cellId: target, sql, params: { values: { quire_tables: tables }, types: { quire_tables: 'VARCHAR[]' } }, mode: 'read', duck, generated: true });
    const reader = await duck.runAndReadAll(`SELECT s_name, t_name, is_current, c_name, c_type FROM ${RESULTS_CATALOG}.main.${quoteIdent(target)}`);
    // MySQL's comparison is an integer.
    return reader.getRowsJson().map((r) => ({
      schema: String(r[0]),
      table: String(r[1]),
      current: r[2] === true || Number(r[2]) === 1,
      column: r[3] === null ? null : String(r[3]),
      type: r[4] === null ? null : String(r[4]),
    }));
  } finally {
    await duck.run(`DROP TABLE IF EXISTS ${RESULTS_CATALOG}.main.${quoteIdent(target)}`);
  }
}

const list = (names: Iterable<string>) => {
  const all = [...new Set(names)].sort();
  return all.length > 20 ? `${all.slice(0, 20).join(', ')}, … (${all.length})` : all.join(', ');
};

export interface ServerUse {
  metric: MetricSpec;
  source: ResolvedSource;
}

/**
 * Located errors for every server source of `uses` (and the column slices over them) that its
 * server doesn't have; empty when all are there. `connection(name)` gives the run's connections.
 */
export async function checkServerSources(uses: readonly ServerUse[], slices: readonly SliceSpec[], connection: (name: string) => Connection, duck: DuckDBConnection): Promise<QuireError[]> {
  const errors: QuireError[] = [];
  const byConnection = new Map<string, ServerUse[]>();
  for (const u of uses) {
    if (!u.source.server) continue;
    const name = u.source.server.connection;
    byConnection.set(name, [...(byConnection.get(name) ?? []), u]);
  }
  const slicesSeen = new Set<string>();
  for (const [name, group] of byConnection) {
    const rows = await serverCatalog(
      connection(name),
      duck,
      group.map((u) => u.source.server!.table),
    );
    for (const { metric: m, source } of group) {
      const { schema, table } = source.server!;
      const at = [...m.origin.path, 'source'];
      const fail = (path: (string | number)[], message: string, hint: string) => errors.push(specError('E_METRIC_SOURCE', 'metric', m.name, m.origin.source, path, message, hint));
      const schemas = new Set(rows.map((r) => r.schema));
      if (schema !== null && !schemas.has(schema)) {
        const dym = didYouMean(schema, [...schemas]);
        fail(at, `source ${m.source}: no schema '${schema}' on connection '${name}'${dym ? ` — ${dym}` : ''}`, `schemas with tables there: ${list(schemas)}`);
        continue;
      }
      const inSchema = rows.filter((r) => (schema === null ? r.current : r.schema === schema));
      const here = inSchema.filter((r) => r.table === table);
      if (!here.length) {
        const dym = didYouMean(
          table,
          inSchema.map((r) => r.table),
        );
        const where = schema === null ? 'the current schema' : `schema ${schema}`;
        fail(at, `source ${m.source}: no table '${table}' in ${where} on connection '${name}'${dym ? ` — ${dym}` : ''}`, `tables there: ${list(inSchema.map((r) => r.table)) || '(none)'}`);
        continue;
      }
      const columns = new Map(here.filter((r) => r.column !== null).map((r) => [r.column!, r.type ?? '']));
      const columnHint = `columns of ${m.source}: ${list(columns.keys())}`;
      const missing = (column: string) => {
        const dym = didYouMean(column, [...columns.keys()]);
        return `no column '${column}' in ${m.source}${dym ? ` — ${dym}` : ''}`;
      };
      if (m.time_column && !columns.has(m.time_column)) fail([...m.origin.path, 'time_column'], `time_column: ${missing(m.time_column)}`, columnHint);
      else if (m.time_column && !TIME_TYPE.test(columns.get(m.time_column)!)) {
        fail(
          [...m.origin.path, 'time_column'],
          `time_column ${m.time_column} is ${columns.get(m.time_column)}, not a date or timestamp`,
          'use a date/timestamp column, or cast it in a query cell and use source: cell:<id>',
        );
      }
      for (const s of slices) {
        if (!s.column || columns.has(s.column) || slicesSeen.has(`${s.name}\u0000${m.source}`)) continue;
        slicesSeen.add(`${s.name}\u0000${m.source}`);
        errors.push(specError('E_METRIC_BIND', 'slice', s.name, s.origin.source, [...s.origin.path, 'column'], `column: ${missing(s.column)} (over source ${m.source})`, columnHint));
      }
    }
  }
  return errors;
}

/**
 * Each SQL expression of the specs prepared on the server over its source (`LIMIT 0`: nothing is
 * read), so an unknown column or function is located inside the spec's string, at the server's
 * error position. For a scan that failed although every table and column exists.
 */
export async function bindOnServer(uses: readonly ServerUse[], filters: readonly (SliceSpec | SegmentSpec)[], connection: (name: string) => Connection, duck: DuckDBConnection): Promise<QuireError[]> {
  const errors: QuireError[] = [];
  const target = `__quire_bind_${randomBytes(4).toString('hex')}`;
  const checked = new Set<string>();
  const check = async (use: ServerUse, spec: AnySpec, path: YamlPath, expr: string, asCondition: boolean) => {
    const key = `${use.source.server!.connection}\u0000${use.source.sql}\u0000${expr}\u0000${asCondition}`;
    if (checked.has(key)) return;
    checked.add(key);
    const before = asCondition ? `SELECT 1 FROM ${use.source.sql} WHERE (` : 'SELECT (';
    const sql = `${before}${expr}\n)${asCondition ? '' : ` FROM ${use.source.sql}`} LIMIT 0`;
    try {
      await connection(use.source.server!.connection).query({
        cellId: target,
        sql,
        params: { values: {}, types: {} },
        mode: 'read',
        duck,
        locateOffset: (o) => (o !== undefined && o >= before.length && o <= before.length + expr.length ? spec.origin.source.locateInString(path, o - before.length) : spec.origin.source.locate(path)),
      });
    } catch (err) {
      if (!(err instanceof QuireError)) throw err;
      const field = path.slice(spec.origin.path.length).join('.');
      const text = err.message.replace(/^cell \S+ on connection '[^']*': /, '');
      const over = spec.kind === 'metric' ? '' : ` (over source ${use.metric.source})`;
      errors.push(specError(err.code, spec.kind, spec.name, spec.origin.source, err.location ?? path, `${field}: ${text}${over}`, err.hint));
    } finally {
      await duck.run(`DROP TABLE IF EXISTS ${RESULTS_CATALOG}.main.${quoteIdent(target)}`);
    }
  };
  for (const use of uses) {
    const m = use.metric;
    const p = m.origin.path;
    if (m.numerator !== undefined) await check(use, m, [...p, 'numerator'], m.numerator, false);
    if (m.denominator !== undefined) await check(use, m, [...p, 'denominator'], m.denominator, false);
    for (const [i, f] of (m.filters ?? []).entries()) await check(use, m, [...p, 'filters', i], f, true);
    for (const s of filters) {
      if (s.kind === 'segment') await check(use, s, [...s.origin.path, 'where'], s.where, true);
      else for (const [i, v] of (s.values ?? []).entries()) await check(use, s, [...s.origin.path, 'values', i, 'where'], v.where, true);
    }
  }
  return errors;
}
