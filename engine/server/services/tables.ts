/**
 * The project database's tables for the server: names, kinds, row counts and column types, and
 * a preview. Identifiers come only from DuckDB's own catalog (and are quoted); the preview's
 * LIMIT is a bound value. The database is attached read-only, under the server's database lock.
 */
import { existsSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { BIGINT, type DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { DEFAULT_CATALOG, DuckSession, quoteIdent } from '../../duck/duck.js';
import { DUCK_POOL } from '../../duck/duck-pool.js';
import { projectPath } from '../../project.js';
import { UserError } from '../../util/errors.js';
import { didYouMean } from '../../util/suggest.js';
import type { ServiceContext } from './context.js';
import { DATABASE_LOCK } from './database-lock.js';

export const columnSchema = z.object({ name: z.string(), type: z.string() });

export const tableSummarySchema = z.object({
  /** `table`, or `schema.table` outside the main schema. */
  name: z.string(),
  schema: z.string(),
  kind: z.enum(['table', 'view']),
  /** Exact for tables; null for views (counting one runs its query). */
  row_count: z.number().nullable(),
  columns: z.array(columnSchema),
});

export const tablesListSchema = z.object({
  /** The database file relative to the project, or null when the project has none. */
  database: z.string().nullable(),
  tables: z.array(tableSummarySchema),
});

export const tableDetailSchema = tableSummarySchema.extend({
  preview: z.object({ rows: z.array(z.array(z.unknown())), limit: z.number() }),
});

export const previewQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) });

export type TableSummary = z.infer<typeof tableSummarySchema>;
export type TablesList = z.infer<typeof tablesListSchema>;
export type TableDetail = z.infer<typeof tableDetailSchema>;

/** The project's database file, or null (`:memory:` or not there yet). */
export function projectDatabase(ctx: ServiceContext): string | null {
  const file = projectPath(ctx.project, ctx.project.config.database);
  return file === ':memory:' || !existsSync(file) ? null : file;
}

/** Runs `fn` on a read-only session of the project database (null without one). */
async function reading<T>(ctx: ServiceContext, fn: (conn: DuckDBConnection | null) => Promise<T>): Promise<T> {
  return ctx.state.get(DATABASE_LOCK).read(async () => {
    const database = projectDatabase(ctx);
    if (!database) return fn(null);
    const session = await DuckSession.open({ database, pool: ctx.state.get(DUCK_POOL), allowedDirectories: [dirname(database)] });
    try {
      return await fn(await session.connect());
    } finally {
      session.close();
    }
  });
}

interface CatalogTable {
  schema: string;
  table: string;
  kind: 'table' | 'view';
}

const displayName = (t: CatalogTable) => (t.schema === 'main' ? t.table : `${t.schema}.${t.table}`);
const fromSql = (t: CatalogTable) => `${quoteIdent(DEFAULT_CATALOG)}.${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;

async function catalogTables(conn: DuckDBConnection): Promise<CatalogTable[]> {
  const r = await conn.runAndReadAll(
    `SELECT schema_name, table_name, 'table' FROM duckdb_tables() WHERE database_name = $db AND NOT internal AND NOT temporary
     UNION ALL SELECT schema_name, view_name, 'view' FROM duckdb_views() WHERE database_name = $db AND NOT internal AND NOT temporary
     ORDER BY 1, 2`,
    { db: DEFAULT_CATALOG },
  );
  return r.getRows().map(([schema, table, kind]) => ({ schema: String(schema), table: String(table), kind: kind as CatalogTable['kind'] }));
}

async function columnsOf(conn: DuckDBConnection): Promise<Map<string, z.infer<typeof columnSchema>[]>> {
  const r = await conn.runAndReadAll('SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = $db ORDER BY schema_name, table_name, column_index', {
    db: DEFAULT_CATALOG,
  });
  const out = new Map<string, z.infer<typeof columnSchema>[]>();
  for (const [schema, table, name, type] of r.getRows()) {
    const key = `${schema}\u0000${table}`;
    out.set(key, [...(out.get(key) ?? []), { name: String(name), type: String(type) }]);
  }
  return out;
}

async function summaries(conn: DuckDBConnection, tables: CatalogTable[]): Promise<TableSummary[]> {
  const columns = await columnsOf(conn);
  const out: TableSummary[] = [];
  for (const t of tables) {
    let rowCount: number | null = null;
    if (t.kind === 'table') rowCount = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${fromSql(t)}`)).getRows()[0][0]);
    out.push({ name: displayName(t), schema: t.schema, kind: t.kind, row_count: rowCount, columns: columns.get(`${t.schema}\u0000${t.table}`) ?? [] });
  }
  return out;
}

export async function listTables(ctx: ServiceContext): Promise<TablesList> {
  return reading(ctx, async (conn) => {
    const database = projectDatabase(ctx);
    if (!conn || !database) return { database: null, tables: [] };
    return { database: relative(ctx.project.root, database) || database, tables: await summaries(conn, await catalogTables(conn)) };
  });
}

/** Names the tables the database has (for "did you mean" and for refusing an upload's name). */
export async function tableNames(ctx: ServiceContext): Promise<string[]> {
  return reading(ctx, async (conn) => (conn ? (await catalogTables(conn)).map(displayName) : []));
}

/** A table by its listed name; an unknown name is E_TABLE_UNKNOWN (with "did you mean"). */
export async function tableDetail(ctx: ServiceContext, name: string, query: { limit?: number | string } = {}): Promise<TableDetail> {
  const { limit } = previewQuerySchema.parse(query);
  return reading(ctx, async (conn) => {
    const tables = conn ? await catalogTables(conn) : [];
    const t = tables.find((x) => displayName(x) === name);
    if (!conn || !t) {
      const names = tables.map(displayName);
      const dym = didYouMean(name, names);
      throw new UserError('E_TABLE_UNKNOWN', `no table named '${name}' in the project database${dym ? ` — ${dym}` : ''}`, {
        hint: conn ? `tables: ${names.join(', ') || 'none'}` : 'the project has no database file (`database:` in quire.yaml)',
      });
    }
    const [summary] = await summaries(conn, [t]);
    const stmt = await conn.prepare(`SELECT * FROM ${fromSql(t)} LIMIT $limit`);
    try {
      stmt.bindValue(1, BigInt(limit), BIGINT);
      const rows = (await stmt.runAndReadAll()).getRowsJson() as unknown[][];
      return { ...summary!, preview: { rows, limit } };
    } finally {
      stmt.destroySync();
    }
  });
}
