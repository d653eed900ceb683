import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../engine/report/html.js';
import type { ReportCell, ReportModel } from '../../engine/report/model.js';
import type { TableOutput } from '../../engine/outputs.js';
import { TABLE_SCRIPT } from '../../engine/report/html/table-tools.js';

/** The page without Quire's own table script (the one script a report without charts carries). */
const withoutTableScript = (html: string): string => {
  expect(html).toContain(`<script>${TABLE_SCRIPT}</script>`);
  return html.replace(`<script>${TABLE_SCRIPT}</script>`, '');
};

const XSS = '<script>alert(1)</script>';
const IMG = '"><img src=x onerror=alert(1)>';
const GOLDEN = fileURLToPath(new URL('../fixtures/report-html/expected.html', import.meta.url));

const mixedTable: TableOutput = {
  kind: 'table',
  columns: [
    { name: 'id', type: 'INTEGER' },
    { name: 'big', type: 'BIGINT' },
    { name: 'amount', type: 'DOUBLE' },
    { name: 'price', type: 'DECIMAL(18,2)' },
    { name: 'day', type: 'DATE' },
    { name: 'at', type: 'TIMESTAMP' },
    { name: 'ok', type: 'BOOLEAN' },
    { name: 'label', type: 'VARCHAR' },
    { name: 'tags', type: 'INTEGER[]' },
  ],
  rows: [
    [1234567, '9007199254740993', 1234.5, '98765.40', '2024-03-01', '2024-03-01 10:30:00', true, XSS, [1, 2, 3]],
    [-42, '-1000', 0.0123, '0.50', '2024-12-31', '2024-12-31 23:59:00.123', false, 'NULL', []],
    [null, null, null, null, null, null, null, null, null],
  ],
  rowCount: 3,
};

/** A fixed model covering every output kind and cell status (also the golden file's input). */
function sampleModel(): ReportModel {
  return {
    title: 'Weekly sales',
    description: 'Orders and revenue for the week, by region.',
    notebook: { id: 'sales', path: 'notebooks/sales.yaml', sha256: 'a3f1c9e07b2d4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6' },
    params: { region: 'EU', week: 12, note: XSS },
    run: {
      id: 'run-0001',
      status: 'partial',
      startedAt: '2024-03-18T09:00:00.000Z',
      finishedAt: '2024-03-18T09:00:02.345Z',
      durationMs: 2345,
      failure: null,
    },
    cells: [
      { id: 'intro', type: 'text', status: 'succeeded', output: { kind: 'text', html: '<p>Hello <strong>world</strong></p>' } },
      { id: 'orders', type: 'sql', title: IMG, status: 'succeeded', output: mixedTable },
      {
        id: 'preview',
        type: 'sql',
        title: 'Big preview',
        status: 'succeeded',
        output: {
          kind: 'table',
          columns: [{ name: 'n', type: 'UBIGINT' }],
          rows: Array.from({ length: 100 }, (_, i) => [String(1000 * i)]),
          rowCount: 12345,
        },
      },
      { id: 'one', type: 'sql', title: 'One row', status: 'succeeded', output: { kind: 'table', columns: [{ name: 'x', type: 'HUGEINT' }], rows: [['123456789012345678901234']], rowCount: 1 } },
      {
        id: 'none',
        type: 'sql',
        title: 'No rows',
        status: 'succeeded',
        output: { kind: 'table', columns: [{ name: 'x', type: 'INTEGER' }], rows: [], rowCount: 0 },
        warnings: [{ code: 'E_EXPECT_ROWS', message: 'cell none returned 0 rows; it expects rows > 0', location: 'notebooks/sales.yaml:30:13', snippet: null, hint: 'relax `expect:` of the cell' }],
      },
      { id: 'total', type: 'metric', title: "Total's value", status: 'succeeded', output: { kind: 'value', value: { total: 1234.5, label: XSS } } },
      {
        id: 'broken',
        type: 'sql',
        title: 'Broken query',
        status: 'failed',
        error: {
          code: 'E_SQL',
          message: `Binder Error: column ${XSS} not found`,
          location: 'notebooks/sales.yaml:14:9',
          snippet: 'SELECT <script> FROM orders',
          hint: 'Check the column name & try again',
        },
      },
      { id: 'chart', type: 'chart', title: 'Chart', status: 'skipped', skippedReason: 'upstream cell broken failed' },
      { id: XSS, type: 'sql', status: 'succeeded', output: { kind: 'value', value: 1 } },
    ],
  };
}

function cellSection(html: string, id: string): string {
  const at = html.indexOf(`id="cell-${id}"`);
  expect(at, `section for ${id}`).toBeGreaterThan(-1);
  return html.slice(at, html.indexOf('</section>', at));
}

describe('renderHtml', () => {
  const html = withoutTableScript(renderHtml(sampleModel()));

  it('is one HTML5 document with inline CSS and no scripts or external references', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<script\b/i);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?https?:/i);
  });

  it('formats table values by column type', () => {
    const orders = cellSection(html, 'orders');
    expect(orders).toContain('<td class="num">1234567</td>'); // an id column: plain digits
    expect(orders).toContain('<td class="num">9,007,199,254,740,993</td>'); // BIGINT digit string, every digit kept
    expect(orders).toContain('<td class="num">-42</td>');
    expect(orders).toContain('<td class="num">-1,000</td>');
    expect(orders).toContain('<td class="num">1,234.50</td>');
    expect(orders).toContain('<td class="num">0.0123</td>');
    expect(orders).toContain('<td class="num">98,765.40</td>');
    expect(orders).toContain('<td class="num">0.50</td>');
    expect(orders).toContain('<td class="date">2024-03-01</td>');
    expect(orders).toContain('<td class="date">2024-03-01 10:30</td>'); // no seconds in the column: HH:MM
    expect(orders).toContain('<td class="date">2024-12-31 23:59</td>');
    // booleans are neutral: a false may be the good outcome (an SRM mismatch)
    expect(orders).toContain('<span class="bool" title="true">Yes</span>');
    expect(orders).toContain('<span class="bool" title="false">No</span>');
    expect(orders).not.toMatch(/bool-(true|false)|[✓✗]/);
    expect(orders).toContain('<span class="json">[1,2,3]</span>');
    expect(orders).toContain('<span class="json">[]</span>');
    // SQL NULL is a muted marker; the string 'NULL' is plain text.
    expect(orders).toContain('<span class="null" title="NULL">∅</span>');
    expect(orders).toContain('<td class="text">NULL</td>');
    // numeric columns align right; human headers, the DuckDB type only on hover
    expect(orders).toContain('<th scope="col" class="num" title="price · DECIMAL(18,2)" data-name="price"><span class="col-name">Price</span></th>');
    expect(orders).not.toContain('col-type');
    expect(orders).toContain('3 rows');
  });

  it('shows seconds when a timestamp column has them', () => {
    const model = sampleModel();
    model.cells = [
      {
        id: 't',
        type: 'sql',
        status: 'succeeded',
        output: { kind: 'table', columns: [{ name: 'at', type: 'TIMESTAMP' }], rows: [['2024-01-01 08:00:00'], ['2024-01-01 08:00:15.5']], rowCount: 2 },
      },
    ];
    const out = renderHtml(model);
    expect(out).toContain('<td class="date">2024-01-01 08:00:00</td>');
    expect(out).toContain('<td class="date">2024-01-01 08:00:15</td>');
  });

  it('says how many rows there are', () => {
    expect(cellSection(html, 'preview')).toContain('Showing first 100 of 12,345 rows');
    expect(cellSection(html, 'preview')).toContain('<td class="num">99,000</td>');
    expect(cellSection(html, 'one')).toContain('>1 row<');
    expect(cellSection(html, 'one')).toContain('123,456,789,012,345,678,901,234');
    expect(cellSection(html, 'none')).toContain('No rows');
  });

  it('renders text, value, failed and skipped cells in declaration order', () => {
    expect(cellSection(html, 'intro')).toContain('<p>Hello <strong>world</strong></p>');
    expect(cellSection(html, 'intro')).not.toContain('<h2>'); // untitled text cell: no heading
    expect(cellSection(html, 'total')).toContain('<pre class="value">{\n  &quot;total&quot;: 1234.5,');
    const broken = cellSection(html, 'broken');
    expect(broken).toContain('panel-error');
    expect(broken).toContain('E_SQL');
    expect(broken).toContain('notebooks/sales.yaml:14:9');
    expect(broken).toContain('<pre class="snippet">SELECT &lt;script&gt; FROM orders</pre>');
    expect(broken).toContain('Check the column name &amp; try again');
    expect(cellSection(html, 'chart')).toContain('Skipped — upstream cell broken failed');
    const order = ['intro', 'orders', 'preview', 'one', 'none', 'total', 'broken', 'chart'].map((id) => html.indexOf(`id="cell-${id}"`));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("shows a succeeded cell's warnings above its output, and a hidden cell for its warnings alone", () => {
    const none = cellSection(html, 'none');
    expect(none).toContain('<span class="cell-status cell-status-warning">warning</span>');
    expect(none).toMatch(
      /<div class="panel panel-warning" role="note">\n<div class="warning-head"><span class="warning-label">Warning<\/span><code class="warning-code">E_EXPECT_ROWS<\/code><span class="warning-location">notebooks\/sales.yaml:30:13<\/span><\/div>/,
    );
    expect(none).toContain('<p class="warning-message">cell none returned 0 rows; it expects rows &gt; 0</p>');
    expect(none.indexOf('panel-warning')).toBeLessThan(none.indexOf('table-wrap'));
    expect(cellSection(html, 'one')).not.toContain('warning');

    const model = sampleModel();
    const warned = model.cells.find((c) => c.id === 'none')!;
    model.cells = [
      { ...warned, show: 'hidden' },
      { ...model.cells.find((c) => c.id === 'one')!, show: 'hidden' },
    ];
    const out = renderHtml(model);
    expect(out).not.toContain('id="cell-one"');
    const hidden = cellSection(out, 'none');
    expect(hidden).toContain('panel-warning');
    expect(hidden).not.toContain('table-wrap');
  });

  it('escapes everything that comes from the model except text output', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'); // title
    expect(html).toContain('<span class="chip-v">&lt;script&gt;alert(1)&lt;/script&gt;</span>'); // param
    expect(html).toContain('Binder Error: column &lt;script&gt;alert(1)&lt;/script&gt; not found'); // error message
    expect(html).toContain('id="cell-&lt;script&gt;alert(1)&lt;/script&gt;"'); // cell id in an attribute
    expect(html).toContain('Total&#39;s value');
  });

  it('escapes run, notebook and error fields', () => {
    const model = sampleModel();
    model.title = XSS;
    model.description = IMG;
    model.notebook = { id: XSS, path: `<b>notebooks</b>/x.yaml`, sha256: '<i>abc</i>' };
    model.run = { ...model.run, id: XSS, status: 'failed', startedAt: XSS, finishedAt: IMG, failure: `Interrupted ${XSS}` };
    model.params = { [XSS]: { nested: IMG } };
    model.cells = [
      { id: 'c', type: 'sql', title: 'c', status: 'failed', error: { code: XSS, message: 'm', location: IMG, snippet: XSS, hint: IMG } },
      { id: 'd', type: 'sql', title: 'd', status: 'skipped', skippedReason: XSS },
      {
        id: 'e',
        type: 'sql',
        title: 'e',
        status: 'succeeded',
        output: { kind: 'table', columns: [{ name: XSS, type: IMG }], rows: [[{ k: XSS }], [[IMG]]], rowCount: 2 },
        warnings: [{ code: XSS, message: IMG, location: XSS, snippet: IMG, hint: XSS }],
      },
    ];
    const out = withoutTableScript(renderHtml(model));
    expect(out).not.toMatch(/<(?:script|img|b|i)\b/i);
    expect(out).toContain('<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(out).toContain('class="banner banner-failed"');
    expect(out).toContain('Interrupted &lt;script&gt;');
  });

  it('shows the run status as a badge', () => {
    expect(html).toContain('<span class="badge badge-partial">Partial</span>');
    for (const status of ['succeeded', 'failed', 'running'] as const) {
      const model = sampleModel();
      model.run = { ...model.run, status };
      expect(renderHtml(model)).toContain(`class="badge badge-${status}"`);
    }
    expect(html).not.toContain('class="banner');
  });

  it('has a header, provenance, contents and footer', () => {
    expect(html).toContain('<h1>Weekly sales</h1>');
    expect(html).toContain('<span class="chip-k">region</span><span class="chip-v">EU</span>');
    expect(html).toContain('<span class="chip-k">week</span><span class="chip-v">12</span>');
    expect(html).toContain('2024-03-18 09:00:00 UTC');
    expect(html).toContain('2.3 s');
    expect(html).toContain('a3f1c9e07b2d'); // short sha256
    expect(html).toContain('notebooks/sales.yaml');
    expect(html).toContain('<nav class="toc"');
    expect(html).toContain('href="#cell-orders"');
    expect(html).toContain('Generated by Quire');
    expect(html).toMatch(/<footer[\s\S]*run-0001[\s\S]*2024-03-18 09:00:02 UTC[\s\S]*<\/footer>/);
  });

  it('leaves out the contents for short reports', () => {
    const model = sampleModel();
    model.cells = model.cells.slice(0, 2) as ReportCell[];
    expect(renderHtml(model)).not.toContain('<nav class="toc"');
  });

  it('matches the golden file (UPDATE_GOLDEN=1 regenerates it)', () => {
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(GOLDEN)) {
      if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`missing ${GOLDEN}; run with UPDATE_GOLDEN=1 to create it`);
      mkdirSync(dirname(GOLDEN), { recursive: true });
      writeFileSync(GOLDEN, html);
    }
    expect(html).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});
