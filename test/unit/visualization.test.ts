import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureProject } from '../helpers/cli.js';
import { runNotebook } from '../../engine/exec/run.js';
import { validateNotebook } from '../../engine/validate.js';
import { ValidationErrors } from '../../engine/util/errors.js';
import type { ChartOutput, TableOutput } from '../../engine/outputs.js';
import { pickChart } from '../../engine/report/charts/auto.js';
import { capNote, ChartSpecError, FieldError } from '../../engine/report/charts/data.js';
import { buildChart } from '../../engine/report/charts/index.js';
import { kpiCards } from '../../engine/report/charts/kpi.js';
import { plotlyFigure } from '../../engine/report/charts/plotly.js';
import { renderSvg } from '../../engine/report/charts/render.js';
import { shorthandSpec } from '../../engine/report/charts/shorthand.js';
import { vegaLiteSpec } from '../../engine/report/charts/vega-lite.js';

const daily: TableOutput = {
  kind: 'table',
  columns: [
    { name: 'day', type: 'DATE' },
    { name: 'region', type: 'VARCHAR' },
    { name: 'orders', type: 'BIGINT' },
    { name: 'revenue', type: 'DOUBLE' },
  ],
  rows: [
    ['2025-06-01', 'EU', '12', 1200.5],
    ['2025-06-02', 'EU', '9', 980],
    ['2025-06-01', 'NA', '20', 2100.25],
    ['2025-06-02', 'NA', '18', 1999],
  ],
  rowCount: 4,
};

const build = (viz: Parameters<typeof buildChart>[0], table = daily, log?: (m: string) => void) => buildChart(viz, table, { dataId: 'daily', totalRows: table.rowCount, step: 1, log });

describe('shorthand charts', () => {
  it('line: dates on a UTC time axis, one series per y field, tooltips', async () => {
    const out = await build({ chart: 'line', x: 'day', y: ['revenue', 'orders'] });
    expect(out).toMatchObject({ kind: 'chart', engine: 'vega-lite', chart: 'line', data: 'daily', points: 4, totalRows: 4, note: null });
    const spec = out.spec as any;
    // rows without a value are dropped, so a series without data leaves the legend
    expect(spec.transform).toEqual([{ fold: ['revenue', 'orders'], as: ['series', 'value'] }, { filter: "isValid(datum['value'])" }]);
    expect(spec.encoding.x).toMatchObject({ field: 'day', type: 'temporal', scale: { type: 'utc' } });
    expect(spec.encoding.color).toMatchObject({ field: 'series' });
    // numbers arrive as numbers (BIGINT digit strings converted), dates as epoch ms UTC
    expect(spec.data.values[0]).toEqual({ day: Date.UTC(2025, 5, 1), orders: 12, revenue: 1200.5 });
  });

  it('bar, area, scatter, pie and heatmap compile and draw an SVG', async () => {
    for (const viz of [
      { chart: 'bar', x: 'region', y: 'revenue', format: { revenue: 'currency' } },
      { chart: 'bar', x: 'day', y: 'revenue', color: 'region' },
      { chart: 'area', x: 'day', y: 'revenue', color: 'region' },
      { chart: 'scatter', x: 'orders', y: 'revenue', color: 'region' },
      { chart: 'pie', x: 'region', y: 'revenue' },
      { chart: 'heatmap', x: 'day', y: 'region', color: 'revenue' },
    ] as const) {
      const out = await build(viz);
      const { svg } = await renderSvg(out.spec!, 'light');
      expect(svg, viz.chart).toMatch(/^<svg[^>]*viewBox/);
      expect(svg).toMatch(/<path|<rect/);
    }
  });

  it('a bar chart of many or long categories turns horizontal', () => {
    const many: TableOutput = { ...daily, rows: Array.from({ length: 14 }, (_, i) => ['2025-06-01', `customer number ${i}`, '1', i]), rowCount: 14 };
    const spec = shorthandSpec({ chart: 'bar', x: 'region', y: 'revenue' }, many, 'daily') as any;
    expect(spec.encoding.y.field).toBe('region');
    expect(spec.encoding.x.field).toBe('revenue');
  });

  it('names a missing key, a field the data lacks (listing the columns), and bad combinations', async () => {
    await expect(build({ chart: 'line', y: 'revenue' })).rejects.toThrow(/a line chart needs `x:`/);
    const err = await build({ chart: 'bar', x: 'region', y: ['revenue', 'revnue'] }).catch((e) => e);
    expect(err).toBeInstanceOf(FieldError);
    expect(err.message).toBe("field 'revnue' is not a column of 'daily' — did you mean 'revenue'?; its columns are 'day', 'region', 'orders', 'revenue'");
    expect(err.path).toEqual(['y', 1]);
    await expect(build({ chart: 'line', x: 'day', y: ['revenue', 'orders'], color: 'region' })).rejects.toBeInstanceOf(ChartSpecError);
    await expect(build({ chart: 'line', x: 'day', y: 'region' })).rejects.toThrow(/'region' is VARCHAR, not a number/);
    await expect(build({ chart: 'heatmap', x: 'day', y: 'region', color: 'region' })).rejects.toThrow(/not a number/);
    await expect(build({ chart: 'bar', x: 'region', y: 'revenue', format: { revnue: 'currency' } })).rejects.toBeInstanceOf(FieldError);
  });

  it('escapes dots and brackets in field names (Vega-Lite would read them as nested access)', async () => {
    const t: TableOutput = {
      kind: 'table',
      columns: [
        { name: 'a.b', type: 'VARCHAR' },
        { name: 'x[1]', type: 'DOUBLE' },
      ],
      rows: [
        ['p', 1],
        ['q', 2],
      ],
      rowCount: 2,
    };
    const out = await build({ chart: 'bar', x: 'a.b', y: 'x[1]' }, t);
    expect((out.spec as any).encoding.x.field).toBe('a\\.b');
    expect((await renderSvg(out.spec!, 'light')).svg).toContain('>p<');
  });
});

describe('a chart picked from the column types', () => {
  const cols = (...types: [string, string][]): TableOutput => ({ kind: 'table', columns: types.map(([name, type]) => ({ name, type })), rows: [], rowCount: 10 });
  it.each([
    [cols(['day', 'DATE'], ['revenue', 'DOUBLE']), 'line'],
    [cols(['at', 'TIMESTAMP'], ['n', 'BIGINT'], ['region', 'VARCHAR']), 'line'],
    [cols(['region', 'VARCHAR'], ['revenue', 'DECIMAL(18,2)']), 'bar'],
    [cols(['channel', 'VARCHAR'], ['device', 'VARCHAR'], ['revenue', 'DOUBLE']), 'heatmap'],
    [cols(['amount', 'DOUBLE'], ['discount', 'DOUBLE']), 'scatter'],
    [{ ...cols(['orders', 'BIGINT'], ['revenue', 'DOUBLE']), rowCount: 1 }, 'kpi'],
    [cols(['name', 'VARCHAR'], ['email', 'VARCHAR']), 'table'],
  ] as const)('%#: %s', (table, chart) => {
    expect(pickChart(table).chart).toBe(chart);
  });

  it('says which it picked and why', async () => {
    const lines: string[] = [];
    const out = await build({}, daily, (m) => lines.push(m));
    expect(out.chart).toBe('line');
    expect(lines).toEqual(['no chart named: picked line (x: day, y: orders, color: region) from a date and a number (day DATE, orders BIGINT, region VARCHAR)']);
  });
});

describe('full specs', () => {
  it('vega_lite: the rows are injected; fields are columns or made by transforms', () => {
    const user = { mark: 'bar', transform: [{ calculate: 'datum.revenue / datum.orders', as: 'aov' }], encoding: { x: { field: 'day', type: 'temporal' }, y: { field: 'aov', type: 'quantitative' } } };
    const spec = vegaLiteSpec(user, daily, [{ day: 1 }], 'daily');
    expect(spec.data).toEqual({ values: [{ day: 1 }] });
    expect(user).not.toHaveProperty('data'); // the user's spec is not changed
    const bad = { mark: 'bar', layer: [{ encoding: { x: { field: 'dya' } } }] };
    const err = (() => {
      try {
        vegaLiteSpec(bad, daily, [], 'daily');
      } catch (e) {
        return e as FieldError;
      }
    })()!;
    expect(err).toBeInstanceOf(FieldError);
    expect(err.message).toContain("field 'dya' is not a column of 'daily' — did you mean 'day'?");
    expect(err.path).toEqual(['vega_lite', 'layer', 0, 'encoding', 'x', 'field']);
    expect(() => vegaLiteSpec({ mark: 'bar', data: { values: [] } }, daily, [], 'daily')).toThrow(ChartSpecError);
  });

  it('vega_lite: a spec that does not compile is a chart error', async () => {
    await expect(build({ vega_lite: { mark: 'nonsense', encoding: { x: { field: 'day', type: 'temporal' } } } })).rejects.toThrow(/does not compile/);
  });

  it('plotly: column names become arrays; constants stay; a missing column is named', () => {
    const fig = plotlyFigure({ data: [{ type: 'scatter', x: 'day', y: 'revenue', text: 'hello', marker: { color: 'region', size: 'orders' } }], layout: { title: 'x' } }, daily, 'daily');
    expect(fig.data[0]).toMatchObject({
      x: ['2025-06-01', '2025-06-02', '2025-06-01', '2025-06-02'],
      y: [1200.5, 980, 2100.25, 1999],
      text: 'hello',
      marker: { color: ['EU', 'EU', 'NA', 'NA'], size: [12, 9, 20, 18] },
    });
    expect(() => plotlyFigure({ data: [{ type: 'bar', x: 'day', y: 'revenu' }] }, daily, 'daily')).toThrow(/field 'revenu' is not a column of 'daily'/);
  });
});

describe('KPI cards and caps', () => {
  it('shows the latest value and its change against the row before', () => {
    const t: TableOutput = {
      kind: 'table',
      columns: [
        { name: 'month', type: 'DATE' },
        { name: 'revenue', type: 'DOUBLE' },
        { name: 'refund_rate', type: 'DOUBLE' },
        { name: 'aov', type: 'DOUBLE' },
      ],
      rows: [
        ['2025-06-01', 1100, 0.05, 10],
        ['2025-05-01', 1000, 0.04, 10],
      ],
      rowCount: 2,
    };
    const cards = kpiCards(t, { x: 'month', format: { revenue: 'currency', refund_rate: 'percent', aov: 'currency' } }, 't');
    expect(cards).toEqual([
      { label: 'Revenue', text: '$1,100', value: 1100, format: 'currency', change: { text: '+10.0%', direction: 'up', against: 'vs May 2025' } },
      { label: 'Refund rate', text: '5.0%', value: 0.05, format: 'percent', change: { text: '+1.0 pp', direction: 'up', against: 'vs May 2025' } },
      { label: 'AOV', text: '$10.00', value: 10, format: 'currency', change: { text: '+0.0%', direction: 'flat', against: 'vs May 2025' } },
    ]);
  });

  it('a capped chart says so', () => {
    expect(capNote(5000, 20_000, 4)).toBe('Showing 5,000 of 20,000 rows (1 in every 4): charts are capped at 5,000 points.');
    expect(capNote(10, 10, 1)).toBeNull();
  });
});

describe('visualization cells in a run', () => {
  it('every chart kind runs; the choice of a picked chart is logged; big data is capped with a note', async () => {
    const dir = fixtureProject('visualization');
    const { manifest, dir: runDir, reportPath } = await runNotebook(join(dir, 'notebook.yaml'));
    expect(manifest.cells.filter((c) => c.status !== 'succeeded')).toEqual([]);
    expect(manifest.status).toBe('succeeded');
    const log = readFileSync(join(runDir, 'run.log'), 'utf8');
    expect(log).toContain('cell picked: no chart named: picked heatmap (x: channel, y: device, color: revenue) from two categories and a number');
    const outputs = JSON.parse(readFileSync(join(runDir, 'outputs.json'), 'utf8')).outputs as Record<string, ChartOutput>;
    expect(outputs.scatter).toMatchObject({ kind: 'chart', points: 5000, totalRows: 20_000, note: 'Showing 5,000 of 20,000 rows (1 in every 4): charts are capped at 5,000 points.' });
    expect((outputs.scatter.spec as any).data.values).toHaveLength(5000);
    expect(outputs.kpis.kpis!.map((k) => k.label)).toEqual(['Revenue', 'Orders']);
    expect(outputs.kpis.kpis![0].change?.against).toBe('vs May 2025');
    expect(outputs.tab).toMatchObject({ engine: 'table', table: { columns: [{ name: 'region' }, { name: 'revenue' }] } });
    expect((outputs.plot.spec as any).data[0].x).toHaveLength(4);

    const html = readFileSync(reportPath!, 'utf8');
    expect(html.match(/<figure class="chart/g)?.length).toBe(9);
    expect(html).toContain('class="kpis"');
    expect(html).toContain('Showing 5,000 of 20,000 rows (1 in every 4)');
    // Hostile strings stay text: in headings, params, SVG labels and the embedded JSON.
    expect(html).not.toMatch(/<script>alert|<img src=x|<b>bold/);
    expect(html).toContain('&lt;script&gt;alert(&quot;eu&quot;)&lt;/script&gt;');
    expect(html).toContain('\\u003cscript>alert(\\"eu\\")\\u003c/script>');
    expect(html).toContain('Zürich 東京');
  });

  it('validation: an unknown chart type, a data cell without a table, an unknown data cell, clashing keys', async () => {
    const dir = fixtureProject('visualization');
    writeFileSync(
      join(dir, 'bad.yaml'),
      `title: Bad
cells:
  - id: words
    type: text
    markdown: hello
  - id: q
    type: query
    sql: SELECT 1 AS x
  - id: a
    type: visualization
    data: q
    chart: lines
  - id: b
    type: visualization
    data: words
    chart: bar
  - id: c
    type: visualization
    data: qq
  - id: d
    type: visualization
    data: q
    chart: bar
    vega_lite: { mark: bar }
`,
    );
    const err = (await validateNotebook(join(dir, 'bad.yaml')).catch((e) => e)) as ValidationErrors;
    expect(err).toBeInstanceOf(ValidationErrors);
    const messages = err.errors.map((e) => `${e.code} ${e.location?.line}: ${e.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^E_SCHEMA 12: .*did you mean 'line'/),
      "E_VIZ_DATA 15: cell b plots 'words', a text cell, which yields no table",
      "E_UNKNOWN_CELL 19: cell c plots unknown cell 'qq' — did you mean 'q'?",
      'E_VIZ_SPEC 23: cell d names chart: bar and also gives a vega_lite spec',
    ]);
  });
});
