/**
 * What SQL in a notebook may reach outside DuckDB. Extensions are never installed or loaded on
 * demand (`read_csv('http://...')` fails at once instead of fetching httpfs); with a list of
 * allowed folders, file access outside them is refused by DuckDB itself. Both are settings of the
 * whole instance, and the file restriction cannot be lifted once set: an instance remembers its
 * access key, and a spare instance only serves sessions with the same key.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/** Folders SQL may read and write; null: no restriction. */
export type AllowedDirectories = string[] | null;

const quoted = (s: string) => `'${s.replace(/'/g, "''")}'`;

const applied = new WeakMap<DuckDBInstance, string>();

export function accessKey(allowed: AllowedDirectories | undefined): string {
  return allowed ? JSON.stringify([...allowed].sort()) : 'open';
}

/** Settings DuckDB is created with. */
export const HARDENED_CONFIG: Record<string, string> = {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
};

/** Applies the access settings to an instance on its first use; an instance set up otherwise is an error (a bug). */
export async function applyAccess(instance: DuckDBInstance, conn: DuckDBConnection, allowed: AllowedDirectories | undefined): Promise<void> {
  const key = accessKey(allowed);
  const had = applied.get(instance);
  if (had === key) return;
  if (had !== undefined && had !== 'open') throw new Error(`a DuckDB instance restricted to ${had} was handed a session wanting ${key}`);
  await conn.run('SET autoinstall_known_extensions = false');
  await conn.run('SET autoload_known_extensions = false');
  if (allowed) {
    // A trailing slash: '/data/x' must not also allow '/data/xy'. './' lets relative paths without `..`
    // through; the session's file_search_path makes them resolve in the project folder.
    const dirs = [...allowed.map((d) => (d.endsWith('/') ? d : `${d}/`)), './'];
    await conn.run(`SET allowed_directories = [${dirs.map(quoted).join(', ')}]`);
    await conn.run('SET enable_external_access = false');
  }
  applied.set(instance, key);
}
