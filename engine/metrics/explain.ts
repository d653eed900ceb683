import type { DuckDBConnection } from '@duckdb/node-api';
import { bindDates } from './compute.js';
import type { CompiledQuery } from './compile.js';

/**
 * How many times DuckDB's plan of a compiled request scans each table (from
 * `EXPLAIN (FORMAT json)`): the proof that metrics sharing a source read it once.
 */
export async function tableScans(conn: DuckDBConnection, compiled: CompiledQuery): Promise<Record<string, number>> {
  const stmt = await conn.prepare(`EXPLAIN (FORMAT json) ${compiled.sql}`);
  try {
    bindDates(stmt, compiled.params);
    const rows = (await stmt.runAndReadAll()).getRows();
    const counts: Record<string, number> = {};
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) {
        for (const x of n) walk(x);
        return;
      }
      if (!n || typeof n !== 'object') return;
      const o = n as { name?: unknown; extra_info?: { Table?: unknown } };
      const table = o.extra_info?.Table;
      if (typeof o.name === 'string' && /(SEQ|TABLE)_SCAN/.test(o.name) && typeof table === 'string') counts[table] = (counts[table] ?? 0) + 1;
      Object.values(n).forEach(walk);
    };
    for (const row of rows) walk(JSON.parse(String(row[1])));
    return counts;
  } finally {
    stmt.destroySync();
  }
}
