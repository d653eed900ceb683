// Issue 18 speed target: metrics over a Postgres source are computed on the server.
// 5,000,000 orders in a fresh Postgres database (generated there by generate_series, dropped
// after); the starter pack's order metrics (metrics/revenue.yaml over `orders`) at monthly grain
// with the region slice. Printed, measured in the same run:
//   pulled / pushed down: pulling the rows the metrics need into DuckDB (streamed, as a query
//     cell does) and computing there, against the scan computed on the server (goal ≥ 5×)
//   rows transferred by the pushdown, as a share of the orders (goal ≤ 1%)
// QUIRE_BENCH_PG (default postgres://postgres@127.0.0.1:5432) names the server.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckSession, RESULTS_CATALOG } from '../engine/duck/duck.js';
import { loadProject, type Project } from '../engine/project.js';
import { loadCatalog, type MetricCatalog } from '../engine/metrics/catalog.js';
import { computeIntoTable, planMetrics, type MetricServers } from '../engine/metrics/compute.js';
import { RunConnections } from '../engine/connections/run-connections.js';
import type { Connection } from '../engine/connections/connection.js';
import { median, ms, ratio, time } from './util.js';

const ORDERS = 5_000_000;
const SERVER = process.env.QUIRE_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432';
const ROOT = join(import.meta.dirname, '..');

// Two years of orders; every column a function of the row number.
const GENERATE = `
  CREATE TABLE orders AS
  SELECT i AS order_id,
    DATE '2025-01-01' + (i * 7919 % 730)::int AS order_date,
    (i * 31 % 200000)::int AS customer_id,
    (ARRAY['NA', 'EU', 'APAC', 'LATAM'])[1 + i % 4] AS region,
    (ARRAY['web', 'store', 'app'])[1 + i * 7 % 3] AS channel,
    (ARRAY['completed', 'completed', 'completed', 'completed', 'refunded', 'cancelled'])[1 + i * 13 % 6] AS status,
    round(((i * 7919) % 50000) / 100.0 + 5, 2)::numeric(12,2) AS amount,
    CASE WHEN i % 5 = 0 THEN round((i % 2000) / 100.0, 2) ELSE 0 END::numeric(12,2) AS discount,
    (1 + i * 5 % 6)::int AS items
  FROM generate_series(1::bigint, ${ORDERS}) AS i;
  ANALYZE orders;`;

/** The order metrics of the starter pack, over `source`. */
function starterOrders(source: string): string {
  const text = readFileSync(join(ROOT, 'metrics', 'revenue.yaml'), 'utf8');
  const docs = text.split(/^---$/m).filter((d) => /source: orders\b/.test(d) || /aggregation: derived/.test(d));
  return docs.map((d) => d.replace(/source: orders\b/, `source: ${source}`)).join('\n---\n');
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** The metric names of the catalog's starter set (order metrics and what derives from them). */
const metricNames = (catalog: MetricCatalog) => [...catalog.metrics.values()].map((m) => m.name);

async function compute(conn: DuckDBConnection, catalog: MetricCatalog, project: Project, servers: MetricServers, table: string): Promise<void> {
  const { resolved, compiled } = await planMetrics(conn, catalog, { metrics: metricNames(catalog), grain: 'monthly', slices: ['region'] }, project);
  await computeIntoTable(conn, resolved, compiled, table, servers);
}

export async function run(): Promise<string[]> {
  const out: string[] = [];
  const name = `quire_bench_${randomBytes(4).toString('hex')}`;
  const url = `${SERVER}/${name}`;
  const dirs: string[] = [];
  await admin(`CREATE DATABASE ${name}`);
  try {
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    const built = await time(() => setup.query(GENERATE)).finally(() => setup.end());
    out.push(`postgres: ${ORDERS.toLocaleString('en-US')} orders generated on the server in ${(built / 1000).toFixed(1)} s`);

    // Two projects: metrics over warehouse.public.orders (pushed down), and over a DuckDB table `orders` the baseline pulls first.
    const project = (source: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'quire-pg-bench-'));
      dirs.push(dir);
      mkdirSync(join(dir, 'metrics'));
      writeFileSync(join(dir, 'metrics', 'revenue.yaml'), starterOrders(source));
      writeFileSync(join(dir, 'metrics', 'slices.yaml'), 'slice: { name: region, column: region }\n');
      writeFileSync(join(dir, 'quire.yaml'), `metrics: [metrics]\nconnections:\n  warehouse: { type: postgres, url: "${url}" }\n`);
      return loadProject(dir);
    };
    const pushed = project('warehouse.public.orders');
    const pulled = project('orders');
    const session = await DuckSession.open({ database: ':memory:' });
    const connections = new RunConnections(pushed);
    try {
      const conn = await session.connect();
      const cat = async (p: Project) => {
        const { catalog, errors } = await loadCatalog({ project: p, parser: conn });
        if (errors.length) throw new Error(errors.map((e) => e.message).join('\n'));
        return catalog;
      };
      const pushedCatalog = await cat(pushed);
      const pulledCatalog = await cat(pulled);
      out.push(`request: ${metricNames(pushedCatalog).join(', ')} × region, monthly (all time)`);

      let transferred = 0;
      const counting: MetricServers = {
        connection: (n) => {
          const c = connections.get(n);
          return { ...c, query: async (req) => (transferred = await c.query(req)) } as Connection;
        },
      };
      const warehouse = connections.get('warehouse');
      // The baseline: the columns the metrics and the slice read, streamed into DuckDB as a query cell would, then computed there.
      const pull = async () => {
        await warehouse.query({
          cellId: 'orders',
          sql: 'SELECT order_date, region, status, amount, discount, items FROM orders',
          params: { values: {}, types: {} },
          mode: 'read',
          duck: conn,
        });
        await compute(conn, pulledCatalog, pulled, counting, 'kpis_pulled');
      };
      const push = () => compute(conn, pushedCatalog, pushed, counting, 'kpis_pushed');

      await push(); // warm-up: parser, pool, server caches
      const pushTimes: number[] = [];
      const pullTimes: number[] = [];
      for (let i = 0; i < 3; i++) pushTimes.push(await time(push));
      const rows = transferred;
      pullTimes.push(await time(pull)); // once: it takes minutes

      const same = await conn.runAndReadAll(
        `SELECT count(*), count(*) FILTER (WHERE a.metric_value IS NOT DISTINCT FROM b.metric_value OR abs(a.metric_value - b.metric_value) <= 1e-9 * greatest(1, abs(b.metric_value)))
         FROM ${RESULTS_CATALOG}.main.kpis_pushed a JOIN ${RESULTS_CATALOG}.main.kpis_pulled b USING (period_start_date, metric_name, slice_type, slice_value, segment_name)`,
      );
      const [total, equal] = same.getRows()[0].map(Number);
      const p = median(pushTimes);
      const q = median(pullTimes);
      out.push(`pushed down (scan on the server, long rows back): ${ms(p)}   (runs: ${pushTimes.map(ms).join(', ')})`);
      out.push(`pulled (${ORDERS.toLocaleString('en-US')} rows streamed into DuckDB, computed there): ${ms(q)}   (runs: ${pullTimes.map(ms).join(', ')})`);
      out.push(`pulled / pushed down: ${ratio(q, p)}   (goal ≥ 5×) ${q / p >= 5 ? 'OK' : 'MISSED'}`);
      out.push(
        `rows transferred by the pushdown: ${rows.toLocaleString('en-US')} of ${ORDERS.toLocaleString('en-US')} = ${((rows / ORDERS) * 100).toFixed(4)}%   (goal ≤ 1%) ${rows / ORDERS <= 0.01 ? 'OK' : 'MISSED'}`,
      );
      out.push(`result rows equal (1e-9) between the two: ${equal} of ${total}${equal === total && total > 0 ? '' : '  MISMATCH'}`);
    } finally {
      await connections.close();
      session.close();
    }
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await run()) console.log(line);
}
