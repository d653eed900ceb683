/**
 * A fresh database on the test PostgreSQL server (127.0.0.1:5432, trust auth, user postgres) for
 * one test file: created with a random name, dropped (with its sessions) afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_SERVER = 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  name: string;
  url: string;
  /** Runs SQL on it, outside any connection under test. */
  sql(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: `${PG_SERVER}/postgres` });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createTestDatabase(setup = ''): Promise<TestDatabase> {
  const name = `quire_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = `${PG_SERVER}/${name}`;
  const sql = async (text: string, values?: unknown[]) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(text, values)).rows as Record<string, unknown>[];
    } finally {
      await c.end();
    }
  };
  const drop = () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));
  if (setup)
    await sql(setup).catch(async (err: unknown) => {
      await drop();
      throw err;
    });
  return { name, url, sql, drop };
}
