import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { loadNotebook, runNotebook } from '../../engine/index.js';
import { prepareRun } from '../../engine/exec/run.js';
import { executeDag, type CellResult } from '../../engine/exec/executor.js';
import { silentLogger } from '../../engine/util/log.js';
import { processState } from '../../engine/util/state.js';
import { tableOf, type MetricsOutput, type TextOutput } from '../../engine/outputs.js';
import { fixtureProject } from '../helpers/cli.js';

let hand: DuckDBConnection;
let db: DuckDBInstance;
beforeAll(async () => {
  db = await DuckDBInstance.create(process.env.QUIRE_TEST_DB!, { access_mode: 'READ_ONLY' });
  hand = await db.connect();
});
afterAll(() => {
  hand?.closeSync();
  db?.closeSync();
});

/** Runs a notebook's DAG and returns every cell's result (the outputs, which run.json doesn't hold). */
async function execute(path: string, params: Record<string, unknown> = {}): Promise<Map<string, CellResult>> {
  const nb = loadNotebook(path);
  const { params: bound, session, dag } = await prepareRun(nb, { params });
  try {
    return await executeDag({ nb, dag, session, params: bound, titles: new Map(), logger: silentLogger, signal: new AbortController().signal, concurrency: 2, state: processState() });
  } finally {
    session.close();
  }
}

type Obj = Record<string, unknown>;
function objects(output: MetricsOutput): Obj[] {
  const t = output.table;
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c.name, r[i]])));
}

async function handRows(sql: string): Promise<Obj[]> {
  const r = await hand.runAndReadAll(sql);
  const names = r.columnNames();
  return r.getRowsJson().map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])));
}

const near = (a: unknown, b: unknown) => (a === null || b === null ? a === b : Math.abs(Number(a) - Number(b)) <= 1e-9 * Math.max(1, Math.abs(Number(b))));

describe('conformance: inline-metrics.yaml', () => {
  it('validates and runs green; kpis has each month of Q3 2026 × revenue/orders/aov × region × (all, repeat), equal to hand-written SQL; the text quotes September', async () => {
    const dir = fixtureProject('conformance');
    const path = join(dir, 'inline-metrics.yaml');
    const { manifest, reportPath } = await runNotebook(path);
    expect(manifest.status).toBe('succeeded');
    expect(manifest.cells.map((c) => [c.id, c.status])).toEqual([
      ['kpis', 'succeeded'],
      ['overall', 'succeeded'],
      ['note', 'succeeded'],
    ]);

    const results = await execute(path);
    const kpis = results.get('kpis')!.output as MetricsOutput;
    expect(kpis.kind).toBe('metrics');
    expect(tableOf(kpis)).toBe(kpis.table);
    const rows = objects(kpis);
    // Hand-written: one GROUP BY per segment, over completed Q3 2026 orders.
    const expected = new Map<string, number | null>();
    for (const [segment, cond] of [
      ['all', 'true'],
      ['repeat', 'customer_id IN (SELECT customer_id FROM orders GROUP BY 1 HAVING count(*) > 1)'],
    ]) {
      const sliced = await handRows(`SELECT strftime(order_date, '%Y-%m-01') AS m, region, sum(amount) AS revenue, count(*) AS orders, sum(amount) / count(*) AS aov
        FROM orders WHERE status = 'completed' AND order_date >= DATE '2026-07-01' AND order_date < DATE '2026-10-01' AND (${cond}) GROUP BY ALL`);
      const overall = await handRows(`SELECT strftime(order_date, '%Y-%m-01') AS m, 'all' AS region, sum(amount) AS revenue, count(*) AS orders, sum(amount) / count(*) AS aov
        FROM orders WHERE status = 'completed' AND order_date >= DATE '2026-07-01' AND order_date < DATE '2026-10-01' AND (${cond}) GROUP BY ALL`);
      for (const r of [...sliced, ...overall]) for (const m of ['revenue', 'orders', 'aov']) expected.set(`${r.m}|${r.region}|${segment}|${m}`, Number(r[m]));
    }
    const sliced = rows.filter((r) => r.slice_type === 'region');
    const months = new Set(sliced.map((r) => r.period_start_date));
    expect([...months].sort()).toEqual(['2026-07-01', '2026-08-01', '2026-09-01']);
    expect(new Set(sliced.map((r) => r.metric_name))).toEqual(new Set(['revenue', 'orders', 'aov']));
    expect(new Set(sliced.map((r) => r.segment_name))).toEqual(new Set(['all', 'repeat']));
    expect(new Set(sliced.map((r) => r.slice_value))).toEqual(new Set(['APAC', 'EU', 'LATAM', 'NA']));
    expect(sliced).toHaveLength(3 * 3 * 4 * 2);
    for (const r of rows) {
      const key = `${r.period_start_date}|${r.slice_type === 'none' ? 'all' : r.slice_value}|${r.segment_name}|${r.metric_name}`;
      expect(expected.has(key)).toBe(true);
      expect(near(r.metric_value, expected.get(key)!)).toBe(true);
      expect(r.period_type).toBe('monthly');
    }

    // The text quotes September's revenue and its change against August.
    const [sep, aug] = (
      await handRows(`SELECT sum(amount) FILTER (order_date >= DATE '2026-09-01') AS sep, sum(amount) FILTER (order_date < DATE '2026-09-01') AS aug
      FROM orders WHERE status = 'completed' AND order_date >= DATE '2026-08-01' AND order_date < DATE '2026-10-01'`)
    ).map((r) => [Number(r.sep), Number(r.aug)])[0];
    const overall = objects(results.get('overall')!.output as MetricsOutput);
    expect(overall).toHaveLength(1);
    expect(near(overall[0].metric_value, sep)).toBe(true);
    expect(near(overall[0].comparison_value, aug)).toBe(true);
    const money = sep.toLocaleString('en-US', { style: 'currency', currency: 'USD' });
    const pct = `${(((sep - aug) / aug) * 100).toFixed(1)}%`;
    const note = (results.get('note')!.output as TextOutput).html;
    expect(note).toContain(`September revenue: ${money}`);
    expect(note).toContain(`(${pct} vs August)`);

    // The report shows a KPI table and a card with the change.
    const html = readFileSync(reportPath!, 'utf8');
    expect(html).toContain('class="data qm-table"');
    expect(html).toMatch(/qm-change qm-(up|down)/);
    expect(html).toContain(`September revenue: ${money}`);
  });
});

describe('metric cells', () => {
  it('read an upstream cell (cell:<id>) and a CSV file; later cells and the metric filter read the long table', async () => {
    const dir = fixtureProject('metrics-cell-source');
    const path = join(dir, 'notebook.yaml');
    const nb = loadNotebook(path);
    const results = await execute(path);
    for (const [id, r] of results) expect([id, r.record.status]).toEqual([id, 'succeeded']);

    // cell:big became an inferred dependency.
    const { session, dag } = await prepareRun(nb, {});
    session.close();
    expect(dag.upstream.get('kpis')).toEqual(['big']);

    const kpis = objects(results.get('kpis')!.output as MetricsOutput);
    const weeks = await handRows(`SELECT strftime(date_trunc('week', order_date), '%Y-%m-%d') AS w, region, count(*) AS n, sum(amount) AS revenue
      FROM orders WHERE amount > 200 AND order_date >= DATE '2026-03-01' AND order_date < DATE '2026-04-01' GROUP BY ALL`);
    for (const w of weeks) {
      const r = kpis.find((k) => k.period_start_date === w.w && k.slice_type !== 'none' && k.slice_value === w.region && k.metric_name === 'big_orders')!;
      expect(r.metric_value).toBe(Number(w.n));
      const rev = kpis.find((k) => k.period_start_date === w.w && k.slice_type !== 'none' && k.slice_value === w.region && k.metric_name === 'big_revenue')!;
      expect(near(rev.metric_value, w.revenue)).toBe(true);
    }
    expect(new Set(kpis.map((k) => k.period_start_date))).toEqual(new Set(['2026-02-23', '2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30']));

    // CSV targets: by month, every month present, compared with the month before.
    const targets = objects(results.get('targets')!.output as MetricsOutput).filter((r) => r.slice_type === 'none');
    const byMonth = Object.fromEntries(targets.map((r) => [r.period_start_date, [r.metric_value, r.comparison_value, r.change_pct]]));
    expect(byMonth).toEqual({
      '2026-01-01': [150.5, 0, null],
      '2026-02-01': [100, 150.5, (100 - 150.5) / 150.5],
      '2026-03-01': [20.25, 100, (20.25 - 100) / 100],
      '2026-04-01': [0, 20.25, -1],
    });

    // The metric filter reads the latest week's overall row; a query cell sums the table.
    const last = kpis.find((k) => k.period_start_date === '2026-03-30' && k.slice_type === 'none' && k.metric_name === 'big_orders')!;
    const total = kpis.filter((k) => k.slice_type === 'none' && k.metric_name === 'big_orders').reduce((s, k) => s + Number(k.metric_value), 0);
    expect((results.get('note')!.output as TextOutput).html).toContain(`Big orders in the last week: ${last.metric_value}; in the month: ${total.toLocaleString('en-US')}.`);
  });

  it('the metric filter names a metric the cell does not have', async () => {
    const dir = fixtureProject('metrics-cell-source');
    const path = join(dir, 'notebook.yaml');
    const text = readFileSync(path, 'utf8').replace("metric: 'big_orders'", "metric: 'big_ordrs'");
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, text);
    const { manifest } = await runNotebook(path);
    const note = manifest.cells.find((c) => c.id === 'note')!;
    expect(note.status).toBe('failed');
    expect(note.error!.message).toContain("no metric 'big_ordrs' in this cell — did you mean 'big_orders'?");
  });
});
