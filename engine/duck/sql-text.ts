/** SQL text helpers without DuckDB itself: reports and run folders use them without loading the native module. */

/** Catalog that holds the tables of cell results; it comes first in every connection's search path. */
export const RESULTS_CATALOG = 'memory';

/** Identifiers reach SQL only from validated specs (cell ids, catalog names); still quoted. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Used for file paths from quire.yaml only, never for user data values. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
