/**
 * The connection types quire can run query cells on: one file each, one line here. A type that
 * is planned but not built yet is accepted in quire.yaml and refused, located, when a cell
 * names it — never a silent fallback to another database.
 */
import * as z from 'zod';
import type { ConnectionType } from './connection.js';
import { duckdbConnection } from './duckdb.js';
import { mysqlConnection } from './mysql.js';
import { postgresConnection } from './postgres.js';

export const CONNECTION_TYPES: readonly ConnectionType<{ type: string }>[] = [
  duckdbConnection as ConnectionType<{ type: string }>,
  postgresConnection as ConnectionType<{ type: string }>,
  mysqlConnection as ConnectionType<{ type: string }>,
];

/** Types the notebook format promises (`../shared/spec/notebook-format.md`) that this version cannot run yet. */
const PLANNED: Record<string, z.ZodType> = {};

/** Names the run's DuckDB session uses for its own catalogs, or that mean the project database. */
const RESERVED = ['default', 'db', 'memory', 'system', 'temp', 'main'];

/** A connection in quire.yaml `connections:`: the keys of one of the types above. */
type Option = z.core.$ZodTypeDiscriminable;
export type ConnectionConfig = { type: string } & Record<string, unknown>;
export const connectionConfigSchema = z.discriminatedUnion('type', [...CONNECTION_TYPES.map((t) => t.schema as unknown as Option), ...Object.values(PLANNED)] as [
  Option,
  ...Option[],
]) as unknown as z.ZodType<ConnectionConfig>;

/** quire.yaml `connections:`, by name. */
export const connectionsSchema = z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), connectionConfigSchema).superRefine((connections, ctx) => {
  for (const name of Object.keys(connections)) {
    if (RESERVED.includes(name)) ctx.addIssue({ code: 'custom', path: [name], message: `the name '${name}' is reserved (${RESERVED.join(', ')}): name the connection otherwise` });
  }
});

export function connectionType(type: string): ConnectionType<{ type: string }> | undefined {
  return CONNECTION_TYPES.find((t) => t.type === type);
}

export type { Connection, ConnectionType, QueryRequest, QueryMode, SqlCheck } from './connection.js';
export { DEFAULT_CONNECTION, READ_ONLY_HINT } from './connection.js';
export { cacheSchema } from './cache-config.js';
