/**
 * A fresh database on the test MariaDB/MySQL server (127.0.0.1:3306, root, no password) for one
 * test file: created with a random name, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

export const MYSQL_SERVER = 'mysql://root@127.0.0.1:3306';

export interface TestMysqlDatabase {
  name: string;
  url: string;
  /** Runs SQL on it (several statements allowed), outside any connection under test. */
  sql(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const c = await mysql.createConnection({ uri: MYSQL_SERVER });
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createTestMysqlDatabase(setup = ''): Promise<TestMysqlDatabase> {
  const name = `quire_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = `${MYSQL_SERVER}/${name}`;
  const sql = async (text: string, values?: unknown[]) => {
    const c = await mysql.createConnection({ uri: url, multipleStatements: true });
    try {
      return (await c.query(text, values))[0] as Record<string, unknown>[];
    } finally {
      await c.end();
    }
  };
  const drop = () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name}`)));
  if (setup)
    await sql(setup).catch(async (err: unknown) => {
      await drop();
      throw err;
    });
  return { name, url, sql, drop };
}
