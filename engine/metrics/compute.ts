import { DATE, dateValue, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { QuireError, UserError, ValidationErrors } from '../util/errors.js';
import { RESULTS_CATALOG, quoteIdent } from '../duck/duck.js';
import type { Project } from '../project.js';
import type { Connection } from '../connections/connection.js';
import type { TableColumn, TableValue } from '../outputs.js';
import { bindFilterSpec, bindMetric } from './bind.js';
import type { MetricCatalog } from './catalog.js';
import { compileRequest, type CompiledQuery, type RemoteScan } from './compile.js';
import { bindOnServer, checkServerSources } from './server-check.js';
import { resolveRequest, type MetricRequest, type RequestLocator, type ResolvedRequest } from './request.js';

/** The run's connections, for metrics whose sources are tables of a server (Postgres). */
export interface MetricServers {
  connection(name: string): Connection;
  signal?: AbortSignal;
  /** The cell's time limit: each server scan's own timeout (Postgres: statement_timeout). */
  timeoutMs?: number;
}

/** Binds the DATE params of compiled metric SQL by name. */
export function bindDates(stmt: DuckDBPreparedStatement, params: Record<string, string>): void {
  for (let i = 1; i <= stmt.parameterCount; i++) {
    const name = stmt.parameterName(i);
    const value = params[name];
    if (value === undefined) throw new Error(`metric SQL uses $${name}, which the compiler did not bind`);
    const [year, month, day] = value.split('-').map(Number);
    stmt.bindValue(i, dateValue({ year, month, day }), DATE);
  }
}

/** Resolves and compiles a request; unknown names and the like throw ValidationErrors. */
export async function planMetrics(
  conn: DuckDBConnection,
  catalog: MetricCatalog,
  request: MetricRequest,
  project: Project,
  locator?: RequestLocator,
): Promise<{ resolved: ResolvedRequest; compiled: CompiledQuery }> {
  const { resolved, errors } = resolveRequest(catalog, request, project, locator);
  if (errors.length) throw new ValidationErrors(errors);
  return { resolved, compiled: await compileRequest(resolved, conn) };
}

/**
 * After a failed run: bind each spec of the request over its source to find the field at
 * fault. Returns located errors (empty when every spec binds on its own).
 */
export async function diagnose(conn: DuckDBConnection, resolved: ResolvedRequest): Promise<QuireError[]> {
  const errors: QuireError[] = [];
  const checked = new Set<string>();
  for (const m of resolved.closure) {
    const source = resolved.sources.get(m.name);
    if (!source || source.server) continue; // a server's sources: checkServerSources
    errors.push(...(await bindMetric(conn, m, source)));
    for (const spec of [...resolved.slices, ...resolved.segments]) {
      const key = `${spec.kind}:${spec.name}:${source.sql}`;
      if (checked.has(key)) continue;
      checked.add(key);
      errors.push(...(await bindFilterSpec(conn, spec, source, m.source)));
    }
  }
  return errors;
}

/** One server scan into its results-catalog table; a failure explained by the server's catalog is located at the spec. */
async function runRemote(conn: DuckDBConnection, resolved: ResolvedRequest, compiled: CompiledQuery, scan: RemoteScan, servers: MetricServers): Promise<void> {
  const types = Object.fromEntries(Object.keys(compiled.params).map((k) => [k, 'DATE' as const]));
  try {
    await servers
      .connection(scan.connection)
      .query({ cellId: scan.table, sql: scan.sql, params: { values: compiled.params, types }, mode: 'read', duck: conn, signal: servers.signal, timeoutMs: servers.timeoutMs, generated: true });
  } catch (err) {
    if (servers.signal?.aborted) throw err;
    const uses = resolved.closure.flatMap((m) => {
      const source = resolved.sources.get(m.name);
      return source?.server?.connection === scan.connection ? [{ metric: m, source }] : [];
    });
    const connection = (n: string) => servers.connection(n);
    let found = await checkServerSources(uses, resolved.slices, connection, conn).catch(() => []);
    if (!found.length) found = await bindOnServer(uses, [...resolved.slices, ...resolved.segments], connection, conn).catch(() => []);
    if (found.length) throw found.length === 1 ? found[0] : new ValidationErrors(found);
    if (err instanceof QuireError) {
      throw new UserError(err.code, err.message.replace(`cell ${scan.table} on connection`, 'metrics on connection'), {
        hint: `${err.hint ?? ''}${err.hint ? '; ' : ''}\`quire metrics show <name>\` prints the SQL the server runs`,
        cause: err,
      });
    }
    throw err;
  }
}

/** Runs the server scans of `compiled` (when it has any), then `fn`; their tables are dropped after. */
async function withRemote<T>(conn: DuckDBConnection, resolved: ResolvedRequest, compiled: CompiledQuery, servers: MetricServers | undefined, fn: () => Promise<T>): Promise<T> {
  if (!compiled.remote.length) return fn();
  if (!servers) throw new Error("metrics over a server connection need the run's connections (MetricServers)");
  try {
    // One after the other: each streams its rows through the same DuckDB connection.
    for (const scan of compiled.remote) await runRemote(conn, resolved, compiled, scan, servers);
    return await fn();
  } finally {
    for (const scan of compiled.remote) await conn.run(`DROP TABLE IF EXISTS ${RESULTS_CATALOG}.main.${quoteIdent(scan.table)}`);
  }
}

async function execute<T>(conn: DuckDBConnection, resolved: ResolvedRequest, sql: string, params: Record<string, string>, run: (stmt: DuckDBPreparedStatement) => Promise<T>): Promise<T> {
  let stmt: DuckDBPreparedStatement | undefined;
  try {
    stmt = await conn.prepare(sql);
    bindDates(stmt, params);
    return await run(stmt);
  } catch (err) {
    if (err instanceof QuireError) throw err;
    const found = await diagnose(conn, resolved).catch(() => []);
    if (found.length) throw found.length === 1 ? found[0] : new ValidationErrors(found);
    const message = (err as Error).message ?? String(err);
    throw new UserError('E_METRIC_RUN', `computing metrics failed: ${message.split('\n')[0]}`, {
      hint: '`quire metrics validate` checks every spec against the database; `quire metrics show <name>` prints the SQL',
      cause: err,
    });
  } finally {
    stmt?.destroySync();
  }
}

/** Computes a request into the results table `memory.main."<table>"` (a metric cell's result). */
export async function computeIntoTable(conn: DuckDBConnection, resolved: ResolvedRequest, compiled: CompiledQuery, table: string, servers?: MetricServers): Promise<void> {
  const sql = `CREATE OR REPLACE TABLE ${RESULTS_CATALOG}.main.${quoteIdent(table)} AS\n${compiled.sql}`;
  await withRemote(conn, resolved, compiled, servers, () => execute(conn, resolved, sql, compiled.params, (stmt) => stmt.run()));
}

/** Computes a request and returns every row (for the CLI and programs). */
export async function computeRows(conn: DuckDBConnection, resolved: ResolvedRequest, compiled: CompiledQuery, servers?: MetricServers): Promise<{ columns: TableColumn[]; rows: TableValue[][] }> {
  return withRemote(conn, resolved, compiled, servers, () =>
    execute(conn, resolved, compiled.sql, compiled.params, async (stmt) => {
      const reader = await stmt.runAndReadAll();
      const types = reader.columnTypes();
      return {
        columns: reader.columnNames().map((name, i) => ({ name, type: String(types[i]) })),
        rows: reader.getRowsJson() as TableValue[][],
      };
    }),
  );
}
