/** A session's DuckDB threads (`quire serve` leaves a core to itself): set for the session, reset on a spare given back. */
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckSession } from '../../engine/duck/duck.js';
import { DuckInstancePool } from '../../engine/duck/duck-pool.js';

async function threadsOf(session: DuckSession): Promise<number> {
  const conn = await session.connect();
  try {
    return Number((await conn.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]![0]);
  } finally {
    session.release(conn);
  }
}

describe('DuckDB threads of a session', () => {
  it('a session runs on the threads it asks for; a spare instance goes back to every thread', async () => {
    const fresh = await DuckDBInstance.create(':memory:');
    const all = Number((await (await fresh.connect()).runAndReadAll("SELECT current_setting('threads')")).getRows()[0]![0]);
    fresh.closeSync();
    const pool = new DuckInstancePool();
    const limited = await DuckSession.open({ database: ':memory:', pool, threads: 1 });
    expect(await threadsOf(limited)).toBe(1);
    limited.close();
    await pool.settled();
    expect(pool.size).toBe(1);
    const next = await DuckSession.open({ database: ':memory:', pool });
    expect(pool.size).toBe(0); // it took the spare
    expect(await threadsOf(next)).toBe(all);
    next.close();
    await pool.close();
  });
});
