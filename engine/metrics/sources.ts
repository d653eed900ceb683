import { existsSync } from 'node:fs';
import type { QuireError } from '../util/errors.js';
import { CELL_ID } from '../cell-type.js';
import { DEFAULT_CATALOG, RESULTS_CATALOG, quoteIdent, sqlString } from '../duck/duck.js';
import { projectPath, type Project } from '../project.js';
import { didYouMean } from '../util/suggest.js';
import { serverDialect } from './dialect.js';
import { specError } from './spec-errors.js';
import type { MetricSpec } from './specs.js';

export interface ResolvedSource {
  kind: 'table' | 'connection' | 'file' | 'cell' | 'server';
  /** The FROM item. Identifiers quoted; a file path as a string literal (from a validated spec). */
  sql: string;
  /** A table of a server connection (Postgres): its scan runs there, `sql` in its dialect. */
  server?: { connection: string; type: string; schema: string | null; table: string };
  /** A cell id (`cell:<id>`) or a table name a cell id would shadow: an inferred dependency. */
  reference?: string;
}

const FILE = /\.(parquet|csv|tsv|json|jsonl|ndjson)(\.gz|\.zst)?$/i;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function reader(path: string): string {
  const p = path.toLowerCase().replace(/\.(gz|zst)$/, '');
  if (p.endsWith('.parquet')) return 'read_parquet';
  if (p.endsWith('.csv') || p.endsWith('.tsv')) return 'read_csv';
  return 'read_json_auto';
}

/**
 * What a metric's `source:` names: `cell:<id>` (an upstream cell's result), a file path
 * (.parquet/.csv/.json, relative to the project root), `connection.table` or
 * `connection.schema.table` (a Postgres connection's: computed on the server), or a table of the
 * default database (unqualified: a cell of the same name shadows it, as in query cells).
 */
export function resolveSource(spec: MetricSpec, project: Project): ResolvedSource | QuireError {
  const text = (spec.source ?? '').trim();
  const fail = (message: string, hint: string) => specError('E_METRIC_SOURCE', 'metric', spec.name, spec.origin.source, [...spec.origin.path, 'source'], message, hint);
  const cell = /^cell:(.*)$/.exec(text);
  if (cell) {
    const id = cell[1].trim();
    if (!CELL_ID.test(id)) return fail(`'${id}' is not a cell id`, 'write source: cell:<id of an earlier cell>');
    return { kind: 'cell', sql: `${RESULTS_CATALOG}.main.${quoteIdent(id)}`, reference: id };
  }
  if (FILE.test(text) || text.includes('/') || text.includes('*')) {
    const abs = projectPath(project, text);
    if (!/[*?[]/.test(text) && !/^[a-z]+:\/\//i.test(text) && !existsSync(abs)) {
      return fail(`source file not found: ${text}`, 'relative paths resolve against the project root (the folder with quire.yaml)');
    }
    return { kind: 'file', sql: `${reader(text)}(${sqlString(abs)})` };
  }
  if (IDENT.test(text)) return { kind: 'table', sql: quoteIdent(text), reference: text };
  const dotted = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  if (dotted) {
    const [, conn, schema, table] = dotted;
    const connections = project.config.connections;
    const c = connections[conn];
    const qualified = `${schema ? quoteIdent(schema) : 'main'}.${quoteIdent(table)}`;
    if (conn === DEFAULT_CATALOG) return { kind: 'table', sql: `${quoteIdent(DEFAULT_CATALOG)}.${qualified}` };
    if (!c) {
      const names = Object.keys(connections);
      const dym = didYouMean(conn, names);
      return fail(
        `unknown connection '${conn}' in source ${text}${dym ? ` — ${dym}` : ''}`,
        names.length ? `connections in quire.yaml: ${names.join(', ')}` : 'declare it under `connections:` in quire.yaml',
      );
    }
    const server = serverDialect(c.type);
    if (server) {
      // Unqualified: the server's search_path (MySQL: the url's database) finds it, as in a query cell on that connection.
      const sql = schema ? `${server.quoteIdent(schema)}.${server.quoteIdent(table)}` : server.quoteIdent(table);
      return { kind: 'server', sql, server: { connection: conn, type: c.type, schema: schema ?? null, table } };
    }
    if (c.type !== 'duckdb')
      return fail(
        `connection '${conn}' is of type ${c.type}, which metrics can't read yet`,
        'use a table of the default database, a `type: duckdb`, `postgres` or `mysql` connection, a file or cell:<id>',
      );
    return { kind: 'connection', sql: `${quoteIdent(conn)}.${qualified}` };
  }
  return fail(`cannot read source '${text}'`, 'a source is a table name, connection.table, connection.schema.table, a file path (.parquet/.csv/.json) or cell:<id>');
}
