import { describe, expect, it } from 'vitest';
import { renderTable } from '../../engine/report/html/table.js';
import { renderChart } from '../../engine/report/html/chart.js';
import { planColumns } from '../../engine/report/xlsx/columns.js';
import { formatCsv } from '../../engine/cli/metrics-output.js';
import { humanHeader, tableColumnFormats } from '../../engine/report/format/columns.js';
import { cleanNumber, formatValue } from '../../engine/report/format/values.js';
import type { TableOutput } from '../../engine/outputs.js';

const ORDERS: TableOutput = {
  kind: 'table',
  columns: [
    { name: 'order_id', type: 'BIGINT' },
    { name: 'revenue', type: 'DOUBLE' },
    { name: 'refund_rate', type: 'DOUBLE' },
    { name: 'p_value', type: 'DOUBLE' },
    { name: 'orders', type: 'BIGINT' },
  ],
  rows: [
    [181669, 684325.5600000008, 0.0779, 2.67e-20, 1234],
    ['9007199254740993', 12.5, 0.5, 0.0312, 1],
  ],
  rowCount: 2,
};

const cells = (html: string) => [...html.matchAll(/<td(?! class="table-foot")[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]); // data cells, not the row count

describe('one formatting model', () => {
  it('defaults by column name and type: plain ids, rates as percent, floored p-values, grouped counts', () => {
    expect(tableColumnFormats(ORDERS.columns, ORDERS.rows).map((c) => c.format)).toEqual(['id', null, 'percent', 'pvalue', 'integer']);
    const html = renderTable(ORDERS);
    expect(cells(html)).toEqual(['181669', '684,325.56', '7.8%', '&lt; 0.0001', '1,234', '9007199254740993', '12.50', '50.0%', '0.0312', '1']);
    expect(html).not.toContain('0.0000000000000000000267');
  });

  it('headers are human, with the name and DuckDB type on hover only', () => {
    const html = renderTable(ORDERS);
    expect(html).toContain('<th scope="col" class="num" title="order_id · BIGINT" data-name="order_id"><span class="col-name">Order ID</span></th>');
    expect(html).toContain('<span class="col-name">Refund Rate</span>');
    expect(html).not.toMatch(/>BIGINT<|>DOUBLE</);
    expect(humanHeader('avgOrderValue')).toBe('Avg Order Value');
    expect(humanHeader('mrr_pct')).toBe('MRR %');
    expect(renderTable(ORDERS, { labels: { revenue: 'Net revenue' } })).toContain('<span class="col-name">Net revenue</span>');
  });

  it("a chart: table's format: is applied in HTML (and so in PDF)", () => {
    const html = renderChart({
      kind: 'chart',
      engine: 'table',
      chart: 'table',
      data: 'orders',
      table: ORDERS,
      points: 2,
      totalRows: 2,
      formats: { revenue: 'currency', orders: 'percent', nonsense: 'bogus' },
    });
    expect(cells(html)).toEqual(['181669', '$684,325.56', '7.8%', '&lt; 0.0001', '123,400.0%', '9007199254740993', '$12.50', '50.0%', '0.0312', '100.0%']);
  });

  it('XLSX takes the same defaults as number formats', () => {
    const plans = planColumns(ORDERS.columns, ORDERS.rows, { revenue: 'currency' });
    expect(plans.map((p) => p.numFmt)).toEqual(['0', '"$"#,##0.00', '0.0%', '[<0.0001]"< 0.0001";0.0000', '#,##0']);
  });

  it('CSV prints floats without binary noise', () => {
    expect(formatCsv([{ name: 'revenue', type: 'DOUBLE' }], [[684325.5600000008], [0.1 + 0.2], [3]])).toBe('revenue\n684325.56\n0.3\n3\n');
    expect(cleanNumber(1e-21 * 2.67)).toBe(2.67e-21);
    expect(formatValue(-5.5, 'currency')).toBe('-$5.50');
  });
});
