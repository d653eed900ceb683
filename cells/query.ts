import * as z from 'zod';
import { cellSchema, SQL_TIMEOUT, type CellType } from '../engine/cell-type.js';
import { UserError, type QuireError } from '../engine/util/errors.js';
import { sqlRuntimeError } from '../engine/sql/errors.js';
import { cacheSchema, connectionType, DEFAULT_CONNECTION, READ_ONLY_HINT, type ConnectionType } from '../engine/connections/index.js';
import { didYouMean } from '../engine/util/suggest.js';

const schema = cellSchema('query', {
  sql: z.string().min(1).describe('SQL run on its connection (default: the embedded DuckDB); params are bound as $name'),
  connection: z.string().optional().describe('Named connection from quire.yaml (default: the embedded DuckDB)'),
  mode: z.enum(['read', 'write']).optional().describe('write allows statements that change the database'),
  timeout_ms: SQL_TIMEOUT.optional(),
  cache: cacheSchema.optional(),
});
export type QuerySpec = z.infer<typeof schema>;

function cleanSql(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}

export const queryCell: CellType<QuerySpec> = {
  type: 'query',
  description: 'SQL on DuckDB or a named connection; the result is a table named after the cell',
  schema,
  timeoutMs: (spec, project) => spec.timeout_ms ?? project.config.sql_timeout_ms,
  outputKind: 'table',
  writes: (spec) => spec.mode === 'write',
  connectionOf: (spec) => spec.connection,
  sqlOf: (spec) => [cleanSql(spec.sql)],

  async analyze(spec, ctx) {
    const errors: QuireError[] = [];
    const sqlPath = [...ctx.path, 'sql'];
    let type: ConnectionType | undefined = connectionType('duckdb');
    if (spec.connection !== undefined && spec.connection !== DEFAULT_CONNECTION) {
      const conn = ctx.project.config.connections[spec.connection];
      if (conn) type = connectionType(conn.type);
      if (!conn) {
        const names = [DEFAULT_CONNECTION, ...Object.keys(ctx.project.config.connections)];
        const dym = didYouMean(spec.connection, names);
        errors.push(
          new UserError('E_CONNECTION_UNKNOWN', `unknown connection '${spec.connection}' in cell ${spec.id}${dym ? ` — ${dym}` : ''}`, {
            location: ctx.source.locate([...ctx.path, 'connection']),
            hint: names.length > 1 ? `connections in quire.yaml: ${names.join(', ')}` : 'declare it under `connections:` in quire.yaml',
          }),
        );
      } else if (!type) {
        errors.push(
          new UserError('E_CONNECTION_UNSUPPORTED', `connection '${spec.connection}' is of type ${conn.type}, which this version of quire cannot run queries on yet`, {
            location: ctx.source.locate([...ctx.path, 'connection']),
            hint: 'use the embedded DuckDB or a `type: duckdb` connection',
          }),
        );
        return { references: [], errors };
      }
    }
    const sql = cleanSql(spec.sql);
    const parsed = await type!.analyze(sql, ctx.parser);
    if (parsed.syntaxError) {
      errors.push(
        new UserError('E_SQL_SYNTAX', `SQL syntax error in cell ${spec.id}: ${parsed.syntaxError.message}`, {
          location: parsed.syntaxError.offset === undefined ? ctx.source.locate(sqlPath) : ctx.source.locateInString(sqlPath, parsed.syntaxError.offset),
          hint: `fix the SQL; ${type!.parserName} rejected it`,
        }),
      );
    } else if (!parsed.readOnly && spec.mode !== 'write') {
      errors.push(new UserError('E_SQL_WRITE', `cell ${spec.id} is not a read-only query`, { location: ctx.source.locate(sqlPath), hint: READ_ONLY_HINT }));
    }
    for (const name of parsed.params) {
      if (ctx.paramNames.includes(name)) continue;
      const dym = didYouMean(name, ctx.paramNames);
      errors.push(
        new UserError('E_SQL_PARAM_UNKNOWN', `cell ${spec.id} uses $${name}, which is not a param${dym ? ` — ${dym.replace("'", "'$")}` : ''}`, {
          location: ctx.source.locate(sqlPath),
          hint: ctx.paramNames.length ? `params available: ${ctx.paramNames.map((p) => `$${p}`).join(', ')}` : 'declare it under `params:`',
        }),
      );
    }
    const reads = {
      params: parsed.params,
      files: parsed.files ?? [],
      volatile: spec.mode === 'write' || parsed.volatile === true,
      connection: spec.connection ?? DEFAULT_CONNECTION,
      cache: spec.cache,
    };
    return { references: parsed.tables, errors, reads };
  },

  async run(spec, ctx) {
    const sql = cleanSql(spec.sql);
    const mode = spec.mode ?? 'read';
    const rows = await ctx.connection(spec.connection).query({
      cellId: spec.id,
      sql,
      params: ctx.params,
      mode,
      duck: ctx.conn,
      signal: ctx.signal,
      locate: (err, lineOffset) => sqlRuntimeError(err, spec.id, sql, ctx.source, [...ctx.path, 'sql'], lineOffset),
      locateOffset: (offset) => (offset === undefined ? ctx.source.locate([...ctx.path, 'sql']) : ctx.source.locateInString([...ctx.path, 'sql'], offset)),
      timeoutMs: queryCell.timeoutMs!(spec, ctx.project),
    });
    return ctx.readTable(spec.id, 100, mode === 'write' ? undefined : rows);
  },
};
