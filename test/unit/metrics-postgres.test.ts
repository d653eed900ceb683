/**
 * Metrics over a Postgres source are computed on the server: the same orders in Postgres (a
 * fresh database, dropped after) and in DuckDB, the same specs over each (`pg_<name>` reads
 * `warehouse.public.orders`), and every row of the long table equal (1e-9) for every
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
import { runNotebook } from '../../engine/index.js';
import { QuireError, ValidationErrors } from '../../engine/util/errors.js';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { pgConditionalAggregate, pgDecompose } from '../../engine/metrics/pg-rewrite.js';

// 4,000 orders over 2023-2025, every column a function of the row number (no randomness).
const ORDERS = `
  CREATE TABLE orders AS
  SELECT i AS id,
    DATE '2023-01-01' + (i * 7 % 1095) AS order_date,
    TIMESTAMP '2023-01-01 00:00:00' + (i * 7 % 1095) * INTERVAL '1 day' + (i % 86400) * INTERVAL '1 second' AS ordered_at,
    (i * 37 % 500)::int AS customer_id,
    CASE WHEN i % 11 = 0 THEN NULL ELSE (ARRAY['EU', 'NA', 'APAC'])[1 + i % 3] END AS region,
    (ARRAY['web', 'store', 'app', 'phone'])[1 + i * 3 % 4] AS channel,
    (ARRAY['completed', 'completed', 'completed', 'refunded', 'cancelled'])[1 + i * 13 % 5] AS status,
    round(((i * 7919) % 100000) / 100.0 + 1, 2)::numeric(10,2) AS amount,
    (1 + i * 5 % 6)::int AS items,
    CASE WHEN i % 4 = 0 THEN round((i % 30) / 100.0, 2) ELSE 0 END::numeric(4,2) AS discount
  FROM generate_series(1, 4000) AS i`;

const METRICS: Array<Record<string, unknown>> = [
  { name: 'revenue', aggregation: 'sum', numerator: 'SUM(amount)', filters: ["status = 'completed'"] },
  { name: 'orders', aggregation: 'count', numerator: 'COUNT(*)', filters: ["status = 'completed'"] },
  { name: 'buyers', aggregation: 'count_distinct', numerator: 'COUNT(DISTINCT customer_id)', filters: ["status = 'completed'"] },
  { name: 'web_buyers', aggregation: 'count_distinct', numerator: "COUNT(DISTINCT customer_id) FILTER (WHERE channel = 'web')" },
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

let db: TestDatabase;
let dir: string;
let project: Project;
let session: DuckSession;
let conn: DuckDBConnection;
let catalog: MetricCatalog;
let connections: RunConnections;
let servers: MetricServers;

beforeAll(async () => {
  db = await createTestDatabase(ORDERS);
  dir = mkdtempSync(join(tmpdir(), 'quire-pg-metrics-'));
  // The same rows in DuckDB, read through Postgres's text (numeric stays DECIMAL).
  const rows = await db.sql('SELECT id, order_date::text AS d, ordered_at::text AS t, customer_id, region, channel, status, amount::text AS a, items, discount::text AS x FROM orders ORDER BY id');
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
  writeFileSync(join(dir, 'quire.yaml'), `database: warehouse.duckdb\nmetrics: [metrics]\nconnections:\n  warehouse: { type: postgres, url: "${db.url}" }\n`);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'metrics'));
  writeFileSync(join(dir, 'metrics', 'duck.yaml'), specs('', 'orders'));
  writeFileSync(join(dir, 'metrics', 'pg.yaml'), specs('pg_', 'warehouse.public.orders'));
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

/** The request over DuckDB and over Postgres: the same rows, in the same order, values within 1e-9. */
async function expectSame(request: Omit<MetricRequest, 'metrics'>, names = NAMES): Promise<number> {
  const duck = await rowsOf({ ...request, metrics: names });
  const pg = await rowsOf({ ...request, metrics: names.map((n) => `pg_${n}`) });
  expect(duck.remote).toBe(0);
  // A scan per (source, time column): `stamped` counts by ordered_at once time matters.
  const timed = Boolean(request.window) || (request.grain ?? 'all_time') !== 'all_time';
  expect(pg.remote).toBe(timed && names.includes('stamped') ? 2 : 1);
  expect(pg.rows.length).toBe(duck.rows.length);
  expect(duck.rows.length).toBeGreaterThan(0);
  const mismatches: string[] = [];
  pg.rows.forEach((p, i) => {
    const d = duck.rows[i];
    for (const [k, v] of Object.entries(d)) {
      const got = k === 'metric_name' ? String(p[k]).replace(/^pg_/, '') : p[k];
      const same = typeof v === 'number' || typeof got === 'number' ? near(got, v) : got === v;
      if (!same) mismatches.push(`row ${i} ${k}: postgres ${JSON.stringify(got)} vs duckdb ${JSON.stringify(v)} (${JSON.stringify(d)})`);
    }
  });
  expect(mismatches.slice(0, 5)).toEqual([]);
  return pg.rows.length;
}

describe('metrics on a Postgres source, computed on the server', () => {
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

  it('without a distinct count the server aggregates partials per flag combination (the cube plan): equal', async () => {
    const names = NAMES.filter((n) => !['buyers', 'web_buyers', 'stamped'].includes(n));
    const { compiled } = await planMetrics(conn, catalog, { metrics: names.map((n) => `pg_${n}`), grain: 'monthly', slices: ['region', 'basket'], segments: ['web'] }, project);
    expect(compiled.scans.map((x) => x.strategy)).toEqual(['cube']);
    await expectSame({ grain: 'monthly', slices: ['region', 'basket'], segments: ['web'] }, names);
    await expectSame({ grain: 'weekly', window: { start: '2024-03-04', end: '2024-05-06' }, compare: 'previous_period', segments: ['discounted'] }, names);
    await expectSame({ window: { start: '2025-01-01', end: '2025-04-01' }, compare: 'previous_year', slices: ['channel'] }, names);
  });

  it('only the aggregated rows come back: the server runs one scan with GROUPING SETS and FILTER', async () => {
    const { compiled } = await planMetrics(conn, catalog, { metrics: ['pg_revenue', 'pg_buyers', 'pg_aov'], grain: 'monthly', slices: ['region'] }, project);
    expect(compiled.remote).toHaveLength(1);
    expect(compiled.remote[0].sql).toMatch(/GROUPING SETS/);
    expect(compiled.remote[0].sql).toMatch(/count\(DISTINCT customer_id\)/i);
    expect(compiled.remote[0].sql).toContain('FROM "public"."orders"');
    expect(compiled.sql).not.toContain('"public"."orders"');
    expect(compiled.scans[0]).toMatchObject({ connection: 'warehouse', strategy: 'conditional' });
  });

  it('an unknown connection, schema, table or column is a located error with a hint', async () => {
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
      bad('warehous.public.orders');
      let e = await errorOf();
      expect(e.code).toBe('E_METRIC_SOURCE');
      expect(e.message).toContain("unknown connection 'warehous'");
      expect(e.message).toContain("did you mean 'warehouse'");
      expect(e.location).toMatchObject({ file: expect.stringContaining('bad.yaml'), line: 1 });

      bad('warehouse.pubic.orders');
      e = await errorOf();
      expect(e.code).toBe('E_METRIC_SOURCE');
      expect(e.message).toContain("no schema 'pubic' on connection 'warehouse' — did you mean 'public'?");
      expect(e.hint).toContain('public');
      expect(e.location?.file).toContain('bad.yaml');

      bad('warehouse.public.ordrs');
      e = await errorOf();
      expect(e.message).toContain("no table 'ordrs' in schema public on connection 'warehouse' — did you mean 'orders'?");
      expect(e.hint).toBe('tables there: orders');

      bad('warehouse.ordrs');
      e = await errorOf();
      expect(e.message).toContain("no table 'ordrs' in the current schema");

      bad('warehouse.public.orders', { time_column: 'order_dat' });
      e = await errorOf();
      expect(e.message).toContain("time_column: no column 'order_dat' in warehouse.public.orders — did you mean 'order_date'?");
      expect(e.hint).toMatch(/^columns of warehouse.public.orders: amount, channel/);

      bad('warehouse.public.orders', { time_column: 'region' });
      e = await errorOf();
      expect(e.message).toContain('time_column region is text, not a date or timestamp');

      // An expression the server can't bind: located inside the spec's string at the server's position.
      bad('warehouse.public.orders', { numerator: 'SUM(amount_x)' });
      e = await errorOf();
      expect(e.code).toBe('E_PG_COLUMN');
      expect(e.message).toContain('numerator: column "amount_x" does not exist');
      const line = `metric: ${JSON.stringify({ name: 'bad', source: 'warehouse.public.orders', time_column: 'order_date', aggregation: 'sum', numerator: 'SUM(amount_x)' })}`;
      expect(e.location).toMatchObject({ line: 1, col: line.indexOf('amount_x') + 1 });
    } finally {
      rmSync(join(dir, 'metrics', 'bad.yaml'), { force: true });
    }
  });

  it('a notebook metric cell over the Postgres source: the same table as over DuckDB', async () => {
    const notebook = (prefix: string) => `title: pg metrics
cells:
  - id: kpis
    type: metric
    metrics: [${prefix}revenue, ${prefix}buyers, ${prefix}aov]
    slices: [region]
    time_window: ["2024-01-01", "2024-07-01"]
    grain: monthly
    compare: previous_period
  - id: top
    type: query
    sql: SELECT metric_name, metric_value FROM kpis WHERE slice_type = 'none' ORDER BY period_start_date DESC, metric_name LIMIT 3
`;
    const results: Row[][] = [];
    for (const prefix of ['', 'pg_']) {
      const path = join(dir, `nb-${prefix || 'duck'}.yaml`);
      writeFileSync(path, notebook(prefix));
      const { manifest, dir: runDir } = await runNotebook(path);
      expect(manifest.status).toBe('succeeded');
      if (prefix) {
        // Server data can't be fingerprinted: without `cache:` on the connection the cell runs again.
        const again = await runNotebook(path);
        expect(again.manifest.cells.map((c) => [c.id, c.cache_hit])).toEqual([
          ['kpis', false],
          ['top', false],
        ]);
      }
      const s = await DuckSession.open({ database: ':memory:' });
      const c = await s.connect();
      const r = await c.runAndReadAll(`SELECT * EXCLUDE (metric_name), replace(metric_name, 'pg_', '') AS m FROM read_parquet('${join(runDir, 'tables', 'kpis.parquet')}')`);
      const names = r.columnNames();
      results.push(r.getRowsJson().map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]]))));
      s.close();
    }
    expect(results[1].length).toBe(results[0].length);
    expect(results[0].length).toBe(6 * 5 * 3); // months × (all, EU, NA, APAC, (null)) × metrics
    results[1].forEach((row, i) => {
      for (const [k, v] of Object.entries(results[0][i])) expect(typeof v === 'number' ? near(row[k], v) : row[k] === v, `${k} of row ${i}`).toBe(true);
    });
  });
});

describe("aggregate rewrites on PostgreSQL's parse tree", () => {
  it('conditional: every aggregate outside subqueries gets the condition as FILTER, ANDed with its own', async () => {
    expect(await pgConditionalAggregate('round(SUM(amount), 2)')).toBe('round(sum(amount) FILTER (WHERE __quire_cond__), 2)');
    expect((await pgConditionalAggregate("COUNT(DISTINCT customer_id) FILTER (WHERE channel = 'web' OR items > 2)")).replace(/\s+/g, ' ')).toBe(
      "count(DISTINCT customer_id) FILTER (WHERE (channel = 'web' OR items > 2) AND __quire_cond__)",
    );
    expect((await pgConditionalAggregate('count(*) - (SELECT count(*) FROM t)')).replace(/\s+/g, ' ')).toBe('count(*) FILTER (WHERE __quire_cond__) - ((SELECT count(*) FROM t))');
    expect(await pgConditionalAggregate('percentile_cont(0.5) WITHIN GROUP (ORDER BY amount)')).toBe('percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) FILTER (WHERE __quire_cond__)');
    await expect(pgConditionalAggregate('my_agg(x)')).rejects.toThrow('no PostgreSQL aggregate found');
  });

  it('decompose: sum/count/min/max/avg into partials and a template; DISTINCT, FILTER, ordered-set: null', async () => {
    expect(await pgDecompose('AVG(items) * 2')).toEqual({ template: '__quire_x0__ * 2', parts: [{ combine: 'avg', partials: ['sum(items)', 'count(items)'] }] });
    expect(await pgDecompose('SUM(amount) / NULLIF(COUNT(*), 0)')).toMatchObject({
      parts: [
        { combine: 'sum', partials: ['sum(amount)'] },
        { combine: 'count', partials: ['count(*)'] },
      ],
    });
    expect(await pgDecompose('COUNT(DISTINCT customer_id)')).toBeNull();
    expect(await pgDecompose("SUM(amount) FILTER (WHERE channel = 'web')")).toBeNull();
    expect(await pgDecompose('percentile_cont(0.5) WITHIN GROUP (ORDER BY amount)')).toBeNull();
  });
});
