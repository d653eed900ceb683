import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Command } from 'commander';
import { ANOMALIES, DEMO_TABLES, buildDemoData, ensureDemoData, type BuildDemoDataResult } from '../../engine/demo/demo-data.js';
import { register } from '../../engine/cli/demo-data.js';

const N = 20_000;

const SCHEMA: Record<string, string[]> = {
  customers: [
    'customer_id INTEGER',
    'name VARCHAR',
    'email VARCHAR',
    'country_code VARCHAR',
    'region VARCHAR',
    'segment VARCHAR',
    'plan VARCHAR',
    'signup_date DATE',
    'lifetime_value DOUBLE',
    'customer_status VARCHAR',
  ],
  orders: [
    'order_id INTEGER',
    'customer_id INTEGER',
    'order_date DATE',
    'ordered_at TIMESTAMP',
    'region VARCHAR',
    'country_code VARCHAR',
    'channel VARCHAR',
    'device VARCHAR',
    'status VARCHAR',
    'amount DOUBLE',
    'discount DOUBLE',
    'items INTEGER',
  ],
  subscriptions: ['subscription_id INTEGER', 'customer_id INTEGER', 'plan VARCHAR', 'mrr DOUBLE', 'started_on DATE', 'ended_on DATE'],
  events: ['event_id BIGINT', 'customer_id INTEGER', 'event_time TIMESTAMP', 'event_type VARCHAR', 'page VARCHAR', 'device VARCHAR'],
  tickets: ['ticket_id INTEGER', 'customer_id INTEGER', 'opened_at TIMESTAMP', 'resolved_at TIMESTAMP', 'priority VARCHAR', 'category VARCHAR'],
  experiment_assignments: ['customer_id INTEGER', 'experiment VARCHAR', 'variant VARCHAR', 'assigned_at TIMESTAMP'],
};

let dir: string;
let a: BuildDemoDataResult;
let b: BuildDemoDataResult;
const open: DuckDBInstance[] = [];
const conns = new Map<string, DuckDBConnection>();

async function connect(path: string): Promise<DuckDBConnection> {
  let c = conns.get(path);
  if (!c) {
    const inst = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    open.push(inst);
    c = await inst.connect();
    conns.set(path, c);
  }
  return c;
}

/** Rows as plain objects; BIGINT/HUGEINT come back as strings, so compare with Number() or as text. */
async function rows(path: string, sql: string): Promise<Record<string, unknown>[]> {
  const r = await (await connect(path)).runAndReadAll(sql);
  return r.getRowObjectsJson() as Record<string, unknown>[];
}
async function one(path: string, sql: string): Promise<number> {
  const [row] = await rows(path, sql);
  return Number(Object.values(row)[0]);
}
/** How many ids in 1..count have id % m = r (how the dirty rows are planted). */
const planted = (count: number, m: number, r: number) => (count >= r ? Math.floor((count - r) / m) + 1 : 0);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quire-demo-'));
  a = await buildDemoData({ out: join(dir, 'nested', 'a.duckdb'), orders: N });
  b = await buildDemoData({ out: join(dir, 'b.duckdb'), orders: N, threads: 1 });
}, 60_000);

afterAll(() => {
  for (const c of conns.values()) c.closeSync();
  for (const i of open) i.closeSync();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('buildDemoData', () => {
  it('writes the six tables with the sizes for N, and no temporary files', () => {
    expect(a.orders).toBe(N);
    expect(Object.keys(a.tables)).toEqual([...DEMO_TABLES]);
    expect(a.tables).toMatchObject({ orders: N, customers: N / 8, events: 10_000, tickets: 500 });
    expect(a.tables.subscriptions).toBeGreaterThan(0);
    expect(a.tables.experiment_assignments).toBeGreaterThan(0);
    expect(existsSync(a.out)).toBe(true);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['a.duckdb']);
    expect(a.ms).toBeGreaterThan(0);
  });

  it('has exactly the columns and types of the contract', async () => {
    const cols = await rows(
      a.out,
      `SELECT table_name, column_name, data_type FROM information_schema.columns
                                    ORDER BY table_name, ordinal_position`,
    );
    const got: Record<string, string[]> = {};
    for (const c of cols) {
      const table = String(c.table_name);
      got[table] ??= [];
      got[table].push(`${c.column_name} ${c.data_type}`);
    }
    expect(got).toEqual(SCHEMA);
  });

  it('is deterministic: same content on every build, whatever the thread count', async () => {
    for (const t of DEMO_TABLES) {
      const sql = `SELECT count(*) AS n, sum(hash(${t}))::VARCHAR AS h FROM ${t}`;
      const [ra] = await rows(a.out, sql);
      const [rb] = await rows(b.out, sql);
      expect(rb, t).toEqual(ra);
    }
    // And not trivially so: a different N gives different orders.
    const c = await buildDemoData({ out: join(dir, 'c.duckdb'), orders: N + 1 });
    const h = (p: string) => rows(p, `SELECT sum(hash(o))::VARCHAR AS h FROM (SELECT * FROM orders WHERE order_id <= 1000) o`);
    expect(await h(c.out)).not.toEqual(await h(a.out));
  });

  it('keeps ids in order on disk (date filters can skip row groups)', async () => {
    expect(await one(a.out, `SELECT count(*) FROM orders WHERE order_id <> rowid + 1`)).toBe(0);
    expect(await one(a.out, `SELECT count(*) FROM events WHERE event_id <> rowid + 1`)).toBe(0);
    expect(await one(a.out, `SELECT count(*) FROM (SELECT ordered_at < lag(ordered_at) OVER (ORDER BY order_id) AS back FROM orders) WHERE back`)).toBe(0);
  });

  it('references existing customers, after their signup', async () => {
    for (const t of ['orders', 'subscriptions', 'events', 'tickets', 'experiment_assignments']) {
      expect(await one(a.out, `SELECT count(*) FROM ${t} x ANTI JOIN customers c USING (customer_id)`), t).toBe(0);
    }
    expect(await one(a.out, `SELECT count(*) FROM orders o JOIN customers c USING (customer_id) WHERE o.order_date < c.signup_date`)).toBe(0);
    expect(await one(a.out, `SELECT count(*) - count(DISTINCT customer_id) FROM customers`)).toBe(0);
    expect(await one(a.out, `SELECT count(*) - count(DISTINCT (customer_id, experiment)) FROM experiment_assignments`)).toBe(0);
  });

  it('stays within 2024-01-01 .. 2026-12-31 and keeps times consistent', async () => {
    const [r] = await rows(
      a.out,
      `SELECT min(order_date)::VARCHAR AS lo, max(order_date)::VARCHAR AS hi,
      count(*) FILTER (ordered_at::DATE <> order_date) AS bad_ts FROM orders`,
    );
    expect(r).toEqual({ lo: '2024-01-01', hi: '2026-12-31', bad_ts: '0' });
    const out = `NOT BETWEEN TIMESTAMP '2024-01-01' AND TIMESTAMP '2026-12-31 23:59:59.999999'`;
    expect(await one(a.out, `SELECT count(*) FROM events WHERE event_time ${out}`)).toBe(0);
    expect(await one(a.out, `SELECT count(*) FROM tickets WHERE opened_at ${out} OR resolved_at ${out} OR resolved_at < opened_at`)).toBe(0);
    expect(await one(a.out, `SELECT count(*) FROM experiment_assignments WHERE assigned_at ${out}`)).toBe(0);
    expect(await one(a.out, `SELECT count(*) FROM customers WHERE signup_date NOT BETWEEN DATE '2024-01-01' AND DATE '2026-12-31'`)).toBe(0);
    expect(await one(a.out, `SELECT count(*) FROM subscriptions WHERE ended_on <= started_on OR started_on > DATE '2026-12-31' OR ended_on > DATE '2026-12-31'`)).toBe(0);
    expect(await one(a.out, `SELECT count(*) FROM subscriptions WHERE ended_on IS NULL`)).toBeGreaterThan(0);
    expect(await one(a.out, `SELECT count(*) FROM tickets WHERE resolved_at IS NULL`)).toBeGreaterThan(0);
  });

  it('uses the documented categories', async () => {
    const values = async (t: string, c: string) => (await rows(a.out, `SELECT DISTINCT ${c} AS v FROM ${t} WHERE ${c} IS NOT NULL ORDER BY 1`)).map((r) => r.v);
    expect(await values('orders', 'region')).toEqual(['APAC', 'EU', 'LATAM', 'NA']);
    expect(await values('customers', 'region')).toEqual(['APAC', 'EU', 'LATAM', 'NA', 'eu']);
    expect(await values('orders', 'channel')).toEqual(['mobile', 'partner', 'web']);
    expect(await values('orders', 'device')).toEqual(['desktop', 'mobile', 'tablet']);
    expect(await values('orders', 'status')).toEqual(['cancelled', 'completed', 'refunded']);
    expect(await values('orders', 'items')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await values('customers', 'segment')).toEqual(['consumer', 'enterprise', 'smb']);
    expect(await values('customers', 'plan')).toEqual(['basic', 'enterprise', 'free', 'premium']);
    expect(await values('customers', 'customer_status')).toEqual(['active', 'churned']);
    expect(await values('events', 'event_type')).toEqual(['click', 'impression', 'purchase', 'signup']);
    expect(await values('events', 'page')).toEqual(['checkout', 'home_page', 'pricing']);
    expect(await values('tickets', 'priority')).toEqual(['high', 'low', 'normal', 'urgent']);
    expect(await values('experiment_assignments', 'variant')).toEqual(['control', 'treatment']);
    const completed = await one(a.out, `SELECT avg((status = 'completed')::INT) FROM orders`);
    expect(completed).toBeGreaterThan(0.85);
    expect(completed).toBeLessThan(0.91);
    // Country codes agree with the region (the lowercase 'eu' rows are EU countries too).
    expect(await one(a.out, `SELECT count(DISTINCT country_code) FROM orders WHERE region = 'EU'`)).toBe(8);
    expect(await one(a.out, `SELECT count(*) FROM (SELECT country_code FROM customers GROUP BY 1 HAVING count(DISTINCT upper(region)) > 1)`)).toBe(0);
    expect(
      await one(
        a.out,
        `SELECT count(*) FROM orders o JOIN customers c USING (customer_id)
                            WHERE o.region <> upper(c.region) OR o.country_code <> c.country_code`,
      ),
    ).toBe(0);
  });

  it('has growth, a Nov-Dec peak, and the anomalous days', async () => {
    const byYear = await rows(a.out, `SELECT year(order_date) AS y, count(*) AS n FROM orders GROUP BY 1 ORDER BY 1`);
    expect(byYear.map((r) => Number(r.n))).toEqual([...byYear.map((r) => Number(r.n))].sort((x, y) => x - y));
    const holiday = await one(
      a.out,
      `SELECT avg(n) FILTER (month(d) >= 11) / avg(n) FILTER (month(d) < 11)
      FROM (SELECT order_date AS d, count(*) AS n FROM orders GROUP BY 1)`,
    );
    expect(holiday).toBeGreaterThan(1.15);
    for (const an of ANOMALIES) {
      const ratio = await one(
        a.out,
        `SELECT count(*) FILTER (order_date = DATE '${an.date}')
          / (count(*) FILTER (order_date <> DATE '${an.date}') / 14)
        FROM orders WHERE order_date BETWEEN DATE '${an.date}' - 7 AND DATE '${an.date}' + 7`,
      );
      if (an.factor > 1) expect(ratio, an.date).toBeGreaterThan(1.8);
      else expect(ratio, an.date).toBeLessThan(0.6);
    }
  });

  it('plants the documented dirty values, few of them', async () => {
    const customers = a.tables.customers;
    expect(await one(a.out, `SELECT count(*) FROM customers WHERE email IS NULL`)).toBe(planted(customers, 1009, 17));
    expect(await one(a.out, `SELECT count(*) FROM (SELECT email FROM customers WHERE email IS NOT NULL GROUP BY 1 HAVING count(*) > 1)`)).toBe(planted(customers, 1009, 500));
    expect(await one(a.out, `SELECT count(*) FROM customers WHERE region = 'eu'`)).toBe(planted(customers, 1019, 3));
    expect(await one(a.out, `SELECT count(*) FROM orders WHERE amount < 0`)).toBe(planted(N, 10007, 4999));
    expect(await one(a.out, `SELECT count(*) FROM orders WHERE country_code IS NULL`)).toBe(planted(N, 2003, 101));
    expect(await one(a.out, `SELECT count(*) FROM events WHERE device IS NULL`)).toBe(planted(a.tables.events, 5003, 77));
    for (const [t, n] of [
      ['customers', planted(customers, 1009, 17)],
      ['orders', planted(N, 2003, 101)],
    ] as const) {
      expect(n, t).toBeGreaterThan(0);
      expect(n / a.tables[t], t).toBeLessThan(0.01);
    }
  });
});

describe('experiments (default size, 200,000 orders)', () => {
  let path: string;
  beforeAll(async () => {
    path = join(dir, 'default.duckdb');
    expect(await ensureDemoData(path)).toBe(true);
  }, 60_000);

  it('ensureDemoData builds only when the file is missing', async () => {
    const before = statSync(path).mtimeMs;
    expect(await ensureDemoData(path)).toBe(false);
    expect(statSync(path).mtimeMs).toBe(before);
    expect(await one(path, `SELECT count(*) FROM orders`)).toBe(200_000);
  });

  it('splits both experiments about 50/50', async () => {
    const r = await rows(path, `SELECT experiment, avg((variant = 'treatment')::INT) AS t FROM experiment_assignments GROUP BY 1 ORDER BY 1`);
    expect(r.map((x) => x.experiment)).toEqual(['checkout_button', 'pricing_page_copy']);
    for (const x of r) expect(Math.abs(Number(x.t) - 0.5)).toBeLessThan(0.03);
  });

  /** treatment / control of a per-variant rate, counting only what happened after assignment. */
  const lift = async (experiment: string, rate: string, join: string) => {
    const r = await rows(
      path,
      `SELECT variant, ${rate} AS rate FROM experiment_assignments a ${join}
      WHERE a.experiment = '${experiment}' GROUP BY variant ORDER BY variant`,
    );
    return Number(r[1].rate) / Number(r[0].rate);
  };
  const purchaseShare = (e: string) => lift(e, `avg((ev.event_type = 'purchase')::INT)`, `JOIN events ev ON ev.customer_id = a.customer_id AND ev.event_time >= a.assigned_at`);
  const ordersPerCustomer = (e: string) => lift(e, `count(o.order_id) / count(DISTINCT a.customer_id)`, `LEFT JOIN orders o ON o.customer_id = a.customer_id AND o.ordered_at >= a.assigned_at`);

  it('checkout_button has a real effect on purchases and orders', async () => {
    expect(await purchaseShare('checkout_button')).toBeGreaterThan(1.08);
    expect(await ordersPerCustomer('checkout_button')).toBeGreaterThan(1.07);
  });

  it('pricing_page_copy has none', async () => {
    expect(Math.abs((await purchaseShare('pricing_page_copy')) - 1)).toBeLessThan(0.07);
    expect(Math.abs((await ordersPerCustomer('pricing_page_copy')) - 1)).toBeLessThan(0.07);
  });
});

describe('arguments and the file swap', () => {
  it('rejects a bad number of orders with E_BAD_ARGUMENT', async () => {
    for (const orders of [-5, 0, 1.5, Number.NaN]) {
      await expect(buildDemoData({ out: join(dir, 'x.duckdb'), orders })).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT' });
    }
    expect(existsSync(join(dir, 'x.duckdb'))).toBe(false);
  });

  it('replaces an existing file only once the new one is complete', async () => {
    const out = join(dir, 'replace.duckdb');
    writeFileSync(out, 'not a database');
    writeFileSync(`${out}.wal`, 'stale wal');
    await buildDemoData({ out, orders: 1000 });
    expect(await one(out, `SELECT count(*) FROM orders`)).toBe(1000);
    expect(readdirSync(dir).filter((f) => f.startsWith('replace'))).toEqual(['replace.duckdb']);
  });

  it('the command rejects --orders -5 (in process)', async () => {
    const program = new Command().exitOverride();
    register(program);
    await expect(program.parseAsync(['node', 'quire', 'demo-data', '--orders', '-5', '--out', join(dir, 'y.duckdb')])).rejects.toMatchObject({
      code: 'E_BAD_ARGUMENT',
      message: expect.stringContaining('"-5"'),
    });
  });
});
