import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckInstancePool } from '../../engine/duck/duck-pool.js';
import { DuckSession } from '../../engine/duck/duck.js';

const start = () => DuckDBInstance.create(':memory:');
/** Whether DuckDB refuses new connections to `instance` (closed). */
async function isClosed(instance: DuckDBInstance): Promise<boolean> {
  try {
    (await instance.connect()).closeSync();
    return false;
  } catch {
    return true;
  }
}

describe('DuckDB instance pool', () => {
  it('a spare given back is emptied on a later turn: closed at once instead when the pool closes first', async () => {
    const pool = new DuckInstancePool();
    const emptied: DuckDBInstance[] = [];
    const empty = async (i: DuckDBInstance) => void emptied.push(i);
    const kept = await start();
    pool.giveBack(kept, 'open', empty);
    expect(emptied).toEqual([]);
    await pool.settled();
    expect(emptied).toEqual([kept]);
    expect(pool.size).toBe(1);
    expect(await isClosed(kept)).toBe(false);
    const dropped = await start();
    pool.giveBack(dropped, 'open', empty);
    await pool.close(); // a one-shot command closes its state right after its last session
    expect(emptied).toEqual([kept]);
    expect(await isClosed(dropped)).toBe(true);
    expect(await isClosed(kept)).toBe(true);
  });

  it('left at exit: neither keeps nor closes what it has or is given back (a CLI command exiting)', async () => {
    const pool = new DuckInstancePool();
    const empty = async () => {};
    const spare = await start();
    pool.giveBack(spare, 'open', empty);
    await pool.settled();
    const late = await start();
    pool.giveBack(late, 'open', empty);
    pool.leave();
    await pool.settled();
    expect(pool.size).toBe(0);
    expect(pool.take('open')).toBeUndefined();
    expect(await isClosed(spare)).toBe(false);
    expect(await isClosed(late)).toBe(false);
    const after = await start();
    pool.giveBack(after, 'open', empty);
    expect(await isClosed(after)).toBe(false);
    for (const i of [spare, late, after]) i.closeSync();
  });

  it('an instance started ahead (warm) serves the next session of its key; one never taken closes with the pool', async () => {
    const pool = new DuckInstancePool();
    const started: DuckDBInstance[] = [];
    const counted = async () => {
      const i = await start();
      started.push(i);
      return i;
    };
    pool.warm('open', counted);
    pool.warm('open', counted); // one is enough
    expect(await pool.takeStarted('["/data"]')).toBeUndefined(); // another key
    const session = await DuckSession.open({ database: ':memory:', pool });
    const conn = await session.connect();
    expect((await conn.runAndReadAll('SELECT 42')).getRows()).toEqual([[42]]);
    expect(started).toHaveLength(1);
    session.close();
    await pool.settled();
    expect(pool.size).toBe(1); // the started instance came back as a spare
    pool.take()!.closeSync();
    pool.warm('open', counted);
    await pool.close();
    expect(started).toHaveLength(2);
    expect(await isClosed(started[1]!)).toBe(true);
  });
});
