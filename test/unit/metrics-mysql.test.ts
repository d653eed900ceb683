/**
 * Metrics over a MySQL/MariaDB source are computed on the server: the same orders in MariaDB (a
 * fresh database, dropped after) and in DuckDB, the same specs over each (`my_<name>` reads
 * `shop.<database>.orders`), and every row of the long table equal (1e-9) for every
 * aggregation, slice kind, segment, grain and compare. Only the aggregated rows come back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckSession } from '../../engine/duck/duck.js';
import { loadProject, type Project } from '../../engine/project.js';
import { loadCatalog, type MetricCatalog } from '../../engine/metrics/catalog.js';
import { computeRows, planMetrics, type MetricServers } from '../../engine/metrics/compute.js';
import type { MetricRequest } from '../../engine/metrics/request.js';
import { RunConnections } from '../../engine/connections/run-connections.js';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { QuireError, ValidationErrors } from '../../engine/util/errors.js';
import { createTestMysqlDatabase, type TestMysqlDatabase } from '../helpers/mysql.js';

// 4,000 orders over 2023-2025, every column a function of the row number (no randomness).
const ORDERS = `
  CREATE TABLE orders AS
  SELECT seq AS id,
    DATE '2023-01-01' + INTERVAL (seq * 7 % 1095) DAY AS order_date,
    TIMESTAMP '2023-01-01 00:00:00' + INTERVAL (seq * 7 % 1095) DAY + INTERVAL (seq % 86400) SECOND AS ordered_at,
    CAST(seq * 37 % 500 AS SIGNED) AS customer_id,
    CASE WHEN seq % 11 = 0 THEN NULL ELSE ELT(1 + seq % 3, 'EU', 'NA', 'APAC') END AS region,
    ELT(1 + seq * 3 % 4, 'web', 'store', 'app', 'phone') AS channel,
    ELT(1 + seq * 13 % 5, 'completed', 'completed', 'completed', 'refunded', 'cancelled') AS status,
    CAST(ROUND(((seq * 7919) % 100000) / 100.0 + 1, 2) AS DECIMAL(10,2)) AS amount,
    CAST(1 + seq * 5 % 6 AS SIGNED) AS items,
    CAST(CASE WHEN seq % 4 = 0 THEN ROUND((seq % 30) / 100.0, 2) ELSE 0 END AS DECIMAL(4,2)) AS discount
  FROM seq_1_to_4000`;

const METRICS: Array<Record<string, unknown>> = [
  { name: 'revenue', aggregation: 'sum', numerator: 'SUM(amount)', filters: ["status = 'completed'"] },
  { name: 'orders', aggregation: 'count', numerator: 'COUNT(*)', filters: ["status = 'completed'"] },
  { name: 'buyers', aggregation: 'count_distinct', numerator: 'COUNT(DISTINCT customer_id)', filters: ["status = 'completed'"] },
  { name: 'web_buyers', aggregation: 'count_distinct', numerator: "COUNT(DISTINCT CASE WHEN channel = 'web' THEN customer_id END)" },
  { name: 'avg_amount', aggregation: 'avg', numerator: 'AVG(amount)', filters: ["status = 'completed'"] },
  { name: 'aov_two', aggregation: 'avg', numerator: 'SUM(amount)', denominator: 'COUNT(*)' },
  { name: 'largest', aggregation: 'max', numerator: 'MAX(amount)' },
  { name: 'smallest', aggregation: 'min', numerator: 'MIN(amount)', filters: ['amount > 5'] },
  { name: 'refund_rate', aggregation: 'ratio', numerator: "SUM(CASE WHEN status = 'refunded' THEN 1 ELSE 0 END)", denominator: 'COUNT(*)' },
  { name: 'items_twice', aggregation: 'sum', numerator: 'items * 2' },
  { name: 'stamped', aggregation: 'count', numerator: 'COUNT(*)', time_column: 'ordered_at' },
];
const DERIVED = [{ name: 'aov', expression: (p: string) => `${p}revenue / NULLIF(${p}orders, 0)` }];
const NAMES = [...METRICS.map((m) => m.name as string), ...DERIVED.map((d) => d.name)];

function specs(prefix: string, source: string): string {
  const docs = METRICS.map((m) => ({ time_column: 'order_date', ...m, name: `${prefix}${m.name}`, source }));
  const derived = DERIVED.map((d) => ({ name: `${prefix}${d.name}`, aggregation: 'derived', expression: d.expression(prefix) }));
  return [...docs, ...derived].map((m) => `metric: ${JSON.stringify(m)}`).join('\n---\n');
}

const SLICES = `slice: { name: region, column: region }
---
slice: { name: channel, column: channel }
---
slice: { name: basket, values: [{ name: big, where: "items >= 3" }, { name: discounted, where: "discount > 0" }] }
---
segment: { name: discounted, where: "discount > 0" }
---
segment: { name: web, where: "channel = 'web'" }
`;

let db: TestMysqlDatabase;
let dir: string;
let project: Project;
let session: DuckSession;
let conn: DuckDBConnection;
let catalog: MetricCatalog;
let connections: RunConnections;
let servers: MetricServers;

beforeAll(async () => {
  db = await createTestMysqlDatabase(ORDERS);
  dir = mkdtempSync(join(tmpdir(), 'quire-mysql-metrics-'));
  // The same rows in DuckDB, read through MariaDB's text (DECIMAL stays DECIMAL).
  const rows = await db.sql(
    'SELECT id, CAST(order_date AS CHAR) AS d, CAST(ordered_at AS CHAR) AS t, customer_id, region, channel, status, CAST(amount AS CHAR) AS a, items, CAST(discount AS CHAR) AS x FROM orders ORDER BY id',
  );
  const duckFile = join(dir, 'warehouse.duckdb');
  const setup = await DuckDBInstance.create(duckFile);
  const w = await setup.connect();
  await w.run(
    'CREATE TABLE orders (id INTEGER, order_date DATE, ordered_at TIMESTAMP, customer_id INTEGER, region VARCHAR, channel VARCHAR, status VARCHAR, amount DECIMAL(10,2), items INTEGER, discount DECIMAL(4,2))',
  );
  const appender = await w.createAppender('orders');
  for (const r of rows) {
    appender.appendInteger(Number(r.id));
    appender.appendVarchar(String(r.d));
    appender.appendVarchar(String(r.t));
    appender.appendInteger(Number(r.customer_id));
    if (r.region === null) appender.appendNull();
    else appender.appendVarchar(String(r.region));
    appender.appendVarchar(String(r.channel));
    appender.appendVarchar(String(r.status));
    appender.appendVarchar(String(r.a));
    appender.appendInteger(Number(r.items));
    appender.appendVarchar(String(r.x));
    appender.endRow();
  }
  appender.closeSync();
  w.closeSync();
  setup.closeSync();
  writeFileSync(join(dir, 'quire.yaml'), `database: warehouse.duckdb\nmetrics: [metrics]\nconnections:\n  shop: { type: mysql, url: "${db.url}" }\n`);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'metrics'));
  writeFileSync(join(dir, 'metrics', 'duck.yaml'), specs('', 'orders'));
  writeFileSync(join(dir, 'metrics', 'my.yaml'), specs('my_', `shop.${db.name}.orders`));
  writeFileSync(join(dir, 'metrics', 'slices.yaml'), SLICES);
  project = loadProject(dir);
  session = await DuckSession.open({ database: duckFile, fileSearchPath: dir });
  conn = await session.connect();
  const loaded = await loadCatalog({ project, parser: conn });
  if (loaded.errors.length) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  catalog = loaded.catalog;
  connections = new RunConnections(project);
  servers = { connection: (n) => connections.get(n) };
});

afterAll(async () => {
  await connections?.close();
  session?.close();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Row = Record<string, unknown>;

async function rowsOf(request: MetricRequest): Promise<{ rows: Row[]; remote: number }> {
  const { resolved, compiled } = await planMetrics(conn, catalog, request, project);
  const { columns, rows } = await computeRows(conn, resolved, compiled, servers);
  return { rows: rows.map((r) => Object.fromEntries(columns.map((c, i) => [c.name, r[i]]))), remote: compiled.remote.length };
}

const near = (a: unknown, b: unknown) => (a === null || b === null ? a === b : Math.abs(Number(a) - Number(b)) <= 1e-9 * Math.max(1, Math.abs(Number(b))));

/** The request over DuckDB and over MySQL: the same rows, in the same order, values within 1e-9. */
async function expectSame(request: Omit<MetricRequest, 'metrics'>, names = NAMES): Promise<number> {
  const duck = await rowsOf({ ...request, metrics: names });
  const my = await rowsOf({ ...request, metrics: names.map((n) => `my_${n}`) });
  expect(duck.remote).toBe(0);
  // A scan per (source, time column): `stamped` counts by ordered_at once time matters.
  const timed = Boolean(request.window) || (request.grain ?? 'all_time') !== 'all_time';
  expect(my.remote).toBe(timed && names.includes('stamped') ? 2 : 1);
  expect(my.rows.length).toBe(duck.rows.length);
  expect(duck.rows.length).toBeGreaterThan(0);
  const mismatches: string[] = [];
  my.rows.forEach((p, i) => {
    const d = duck.rows[i];
    for (const [k, v] of Object.entries(d)) {
      const got = k === 'metric_name' ? String(p[k]).replace(/^my_/, '') : p[k];
      const same = typeof v === 'number' || typeof got === 'number' ? near(got, v) : got === v;
      if (!same) mismatches.push(`row ${i} ${k}: mysql ${JSON.stringify(got)} vs duckdb ${JSON.stringify(v)} (${JSON.stringify(d)})`);
    }
  });
  expect(mismatches.slice(0, 5)).toEqual([]);
  return my.rows.length;
}

describe('metrics on a MySQL source, computed on the server', () => {
  it('every aggregation, all time: equal to DuckDB', async () => {
    await expectSame({});
  });

  it.each(['daily', 'weekly', 'monthly', 'quarterly', 'yearly'] as const)('grain %s with a window: equal', async (grain) => {
    await expectSame({ grain, window: { start: '2024-02-01', end: '2024-05-01' } });
  });

  it('column slices (NULLs included), a where slice, their cross product and segments: equal', async () => {
    await expectSame({ grain: 'monthly', window: { start: '2024-01-01', end: '2024-04-01' }, slices: ['region'], segments: ['discounted', 'web'] });
    await expectSame({ grain: 'quarterly', slices: ['basket'], segments: ['web'] });
    const n = await expectSame({ grain: 'yearly', slices: ['region', 'channel', 'basket'], segments: ['discounted'] });
    expect(n).toBeGreaterThan(100);
  });

  it('compare previous_period and previous_year, with grains and over a window: equal', async () => {
    await expectSame({ grain: 'monthly', window: { start: '2024-03-01', end: '2024-07-01' }, compare: 'previous_period', slices: ['region'] });
    await expectSame({ grain: 'weekly', window: { start: '2024-03-04', end: '2024-04-01' }, compare: 'previous_year', segments: ['web'] });
    await expectSame({ window: { start: '2025-01-01', end: '2025-04-01' }, compare: 'previous_period', slices: ['basket'] });
    await expectSame({ window: { start: '2025-01-01', end: '2025-07-01' }, compare: 'previous_year' });
  });

  it('compare over a window cutting its periods (rows read in two roles on the server): equal', async () => {
    await expectSame({ grain: 'monthly', window: { start: '2024-01-15', end: '2024-04-10' }, compare: 'previous_period', slices: ['region'] });
    await expectSame({ grain: 'weekly', window: { start: '2024-03-06', end: '2024-04-03' }, compare: 'previous_year', segments: ['web'] });
    await expectSame({ grain: 'quarterly', window: { start: '2024-02-10', end: '2024-11-20' }, compare: 'previous_period' });
  });

  it('only the aggregated rows come back: the server runs one scan (two GROUP BY levels) with conditional aggregates', async () => {
    const { compiled } = await planMetrics(conn, catalog, { metrics: ['my_revenue', 'my_buyers', 'my_aov'], grain: 'monthly', slices: ['region'] }, project);
    expect(compiled.remote).toHaveLength(1);
    expect(compiled.remote[0].sql).toMatch(/UNION ALL\s+SELECT __quire_p,\s+NULL AS __quire_k0,\s+1 AS __quire_rollup/);
    expect(compiled.remote[0].sql).toMatch(/COUNT\(DISTINCT CASE WHEN/i);
    expect(compiled.remote[0].sql).toContain(`FROM \`${db.name}\`.\`orders\``);
    expect(compiled.sql).not.toContain('`orders`');
    expect(compiled.scans[0]).toMatchObject({ connection: 'shop', strategy: 'conditional' });
  });
  it('an unknown database, table or column is a located error with a hint (the catalog asked in MySQL terms)', async () => {
    const bad = (source: string, extra: Record<string, unknown> = {}) => {
      writeFileSync(join(dir, 'metrics', 'bad.yaml'), `metric: ${JSON.stringify({ name: 'bad', source, time_column: 'order_date', aggregation: 'sum', numerator: 'SUM(amount)', ...extra })}\n`);
    };
    const errorOf = async (): Promise<QuireError> => {
      const { catalog: c } = await loadCatalog({ project, parser: conn });
      const err = await planMetrics(conn, c, { metrics: ['bad'], grain: 'monthly' }, project)
        .then(({ resolved, compiled }) => computeRows(conn, resolved, compiled, servers))
        .then(
          () => null,
          (e: unknown) => e,
        );
      const one = err instanceof ValidationErrors ? err.errors[0] : err;
      expect(one).toBeInstanceOf(QuireError);
      return one as QuireError;
    };
    try {
      bad(`shop.${db.name}x.orders`);
      let e = await errorOf();
      expect(e.code).toBe('E_METRIC_SOURCE');
      expect(e.message).toContain(`no schema '${db.name}x' on connection 'shop' — did you mean '${db.name}'?`);
      expect(e.location?.file).toContain('bad.yaml');

      bad('shop.ordrs');
      e = await errorOf();
      expect(e.message).toContain("no table 'ordrs' in the current schema on connection 'shop' — did you mean 'orders'?");

      bad(`shop.${db.name}.orders`, { time_column: 'order_dat' });
      e = await errorOf();
      expect(e.message).toContain("time_column: no column 'order_dat'");
      expect(e.message).toContain("did you mean 'order_date'?");

      bad(`shop.${db.name}.orders`, { numerator: 'SUM(amout)' });
      e = await errorOf();
      expect(e.code).toBe('E_MYSQL_COLUMN');
      expect(e.message).toContain('amout');
      expect(e.location?.file).toContain('bad.yaml');
    } finally {
      rmSync(join(dir, 'metrics', 'bad.yaml'), { force: true });
    }
  });
});
