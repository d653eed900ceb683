/**
 * The server's template, metric and table services on a real project (the test warehouse, the
 * starter metrics): what they return, checked against hand-written SQL and the files `use` writes,
 * and their refusals as typed errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { computeMetrics, metricDetail, metricsCatalog } from '../../engine/server/services/metrics.js';
import { listTables, tableDetail } from '../../engine/server/services/tables.js';
import { templateDetail, templateList, templatePictureFor, useTemplateInProject } from '../../engine/server/services/templates.js';
import { catalogProject, type CatalogProject } from '../helpers/catalog-project.js';
import { TEST_DB_ORDERS } from '../helpers/paths.js';

let p: CatalogProject;
beforeAll(() => {
  p = catalogProject();
});
afterAll(() => p.close());

async function hand(sql: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(process.env.QUIRE_TEST_DB!, { access_mode: 'READ_ONLY' });
  try {
    const conn = await db.connect();
    return (await conn.runAndReadAll(sql)).getRowsJson() as unknown[][];
  } finally {
    db.closeSync();
  }
}

describe('templates service', () => {
  it('lists every template with its title, description and params', () => {
    const all = templateList();
    expect(all.length).toBeGreaterThanOrEqual(7);
    const sales = all.find((t) => t.id === 'sales-analysis')!;
    expect(sales.title.length).toBeGreaterThan(3);
    expect(sales.params.map((x) => x.name)).toContain('quarter');
  });

  it('shows a template: cells and the specs it uses; an unknown id says what was meant', async () => {
    const d = await templateDetail('kpi-scorecard');
    expect(d.cells.some((c) => c.type === 'metric')).toBe(true);
    expect(d.specs.some((s) => s.kind === 'metric')).toBe(true);
    expect(d.readme).toMatch(/^# /);
    await expect(templateDetail('kpi-scorecrd')).rejects.toMatchObject({ code: 'E_TEMPLATE_UNKNOWN', message: expect.stringMatching(/did you mean 'kpi-scorecard'/) });
  });

  it('uses a template into the project as `quire templates use` does, and refuses to overwrite', async () => {
    const r = await useTemplateInProject(p, 'sales-analysis');
    expect(r.notebook_file).toBe(join('notebooks', 'sales-analysis.yaml'));
    expect(readFileSync(join(p.dir, r.notebook_file), 'utf8')).toMatch(/^# yaml-language-server: \$schema=/);
    const renamed = await useTemplateInProject(p, 'sales-analysis', { notebook: 'q-review' });
    expect(renamed.notebook_file).toBe(join('notebooks', 'q-review.yaml'));
    const before = readdirSync(join(p.dir, 'notebooks')).sort();
    await expect(useTemplateInProject(p, 'sales-analysis')).rejects.toMatchObject({ code: 'E_TEMPLATE_TARGET_EXISTS' });
    expect(readdirSync(join(p.dir, 'notebooks')).sort()).toEqual(before);
    await expect(useTemplateInProject(p, 'sales-analysis', { notebook: '../escape' })).rejects.toThrow(/notebook id/);
    expect(existsSync(join(p.dir, 'escape.yaml'))).toBe(false);
  });
});

describe('template pictures', () => {
  it("pictures the first page of a template's report on the project database, once", async () => {
    const png = await templatePictureFor(p, 'kpi-scorecard');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const dir = join(p.dir, 'runs', '.cache', 'template-pictures');
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^kpi-scorecard-[0-9a-f]{16}\.png$/)]);
    const again = await Promise.all([templatePictureFor(p, 'kpi-scorecard'), templatePictureFor(p, 'kpi-scorecard')]);
    expect(again.every((b) => b.equals(png))).toBe(true);
    expect(readdirSync(join(p.dir, 'runs')).filter((f) => !f.startsWith('.'))).toEqual([]); // the run was in a throwaway project
    const none = catalogProject({ database: false });
    try {
      await expect(templatePictureFor(none, 'kpi-scorecard')).rejects.toMatchObject({ code: 'E_TEMPLATE_PICTURE' });
    } finally {
      await none.close();
    }
  }, 120_000);
});

describe('metrics service', () => {
  it('lists the catalog, searches words and filters by category', async () => {
    const all = await metricsCatalog(p);
    expect(all.categories).toEqual(expect.arrayContaining(['revenue', 'customers', 'support']));
    expect(all.problems).toEqual([]);
    expect(all.slices.map((s) => s.name)).toContain('region');
    const refunds = await metricsCatalog(p, { q: 'refund' });
    expect(refunds.metrics.map((m) => m.name)).toEqual(['refund_rate']);
    const support = await metricsCatalog(p, { category: 'support' });
    expect(support.metrics.every((m) => m.category === 'support')).toBe(true);
    expect(support.metrics.length).toBeGreaterThan(1);
    await expect(metricsCatalog(p, { category: 'revenu' })).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT', message: expect.stringMatching(/did you mean 'revenue'/) });
  });

  it("shows a metric's definition and compiled SQL", async () => {
    const d = await metricDetail(p, 'total_revenue');
    expect(d.definition).toMatchObject({ name: 'total_revenue', aggregation: 'sum', source: 'orders' });
    expect(d.sql).toMatch(/SUM\(amount\)/i);
    expect(d.defined_at).toMatch(/revenue\.yaml:\d+$/);
    expect((await metricDetail(p, 'region')).sql).toBeNull();
    await expect(metricDetail(p, 'total_revenu')).rejects.toMatchObject({ code: 'E_METRIC_UNKNOWN', message: expect.stringMatching(/did you mean 'total_revenue'/) });
  });

  it('computes the long table, equal to hand-written SQL', async () => {
    const r = await computeMetrics(p, { metrics: ['total_revenue', 'order_count'], slices: ['region'], grain: 'monthly', from: '2026-01-01', to: '2026-04-01' });
    expect(r.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['period_start_date', 'metric_name', 'slice_type', 'slice_value', 'metric_value']));
    const [[want]] = await hand("SELECT sum(amount)::DOUBLE FROM orders WHERE status = 'completed' AND order_date >= DATE '2026-02-01' AND order_date < DATE '2026-03-01'");
    const got = r.rows.find((x) => x.metric_name === 'total_revenue' && x.slice_type === 'none' && String(x.period_start_date) === '2026-02-01');
    expect(Number(got?.metric_value)).toBeCloseTo(Number(want), 6);
    expect(r.truncated).toBe(false);
    const few = await computeMetrics(p, { metrics: ['total_revenue'], slices: ['region'], grain: 'monthly', from: '2026-01-01', to: '2026-04-01' }, { limit: 2 });
    expect(few).toMatchObject({ truncated: true });
    expect(few.rows).toHaveLength(2);
  });

  it('refuses bad requests with typed errors', async () => {
    await expect(computeMetrics(p, { metrics: ['nope'] })).rejects.toMatchObject({ code: 'E_VALIDATION' });
    await expect(computeMetrics(p, { metrics: ['total_revenue'], from: '2026-01-01' })).rejects.toThrow(/both from and to/);
    await expect(computeMetrics(p, { metrics: ['total_revenue'], from: '2026-13-01', to: '2026-14-01' })).rejects.toThrow(/YYYY-MM-DD/);
    await expect(computeMetrics(p, { metrics: ["x'; DROP TABLE orders; --"] })).rejects.toThrow(/spec name/);
  });
});

describe('tables service', () => {
  it('lists the tables with exact row counts and column types', async () => {
    const { database, tables } = await listTables(p);
    expect(database).toBe(join('data', 'warehouse.duckdb'));
    const orders = tables.find((t) => t.name === 'orders')!;
    expect(orders).toMatchObject({ kind: 'table', row_count: TEST_DB_ORDERS, schema: 'main' });
    expect(orders.columns).toContainEqual({ name: 'order_date', type: 'DATE' });
  });

  it('previews a table with a bound limit; an unknown name says what was meant', async () => {
    const d = await tableDetail(p, 'orders', { limit: 3 });
    expect(d.preview.rows).toHaveLength(3);
    expect(d.preview.rows[0]).toHaveLength(d.columns.length);
    await expect(tableDetail(p, 'order')).rejects.toMatchObject({ code: 'E_TABLE_UNKNOWN', message: expect.stringMatching(/did you mean 'orders'/) });
    await expect(tableDetail(p, 'orders"; DROP TABLE orders; --')).rejects.toMatchObject({ code: 'E_TABLE_UNKNOWN' });
    await expect(tableDetail(p, 'orders', { limit: 5000 })).rejects.toThrow();
    expect((await listTables(p)).tables.find((t) => t.name === 'orders')?.row_count).toBe(TEST_DB_ORDERS);
  });

  it('lists nothing for a project without a database file', async () => {
    const none = catalogProject({ database: false });
    try {
      expect(await listTables(none)).toEqual({ database: null, tables: [] });
    } finally {
      await none.close();
    }
  });
});
