import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateNotebook } from '../../engine/validate.js';
import { runNotebook } from '../../engine/exec/run.js';
import { ValidationErrors } from '../../engine/util/errors.js';
import ExcelJS from 'exceljs';
import { pdfText } from '../helpers/pdf.js';

/** A project with `quire.yaml` and one notebook of the given YAML (after `title:`). */
function project(body: string, config = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-strict-'));
  writeFileSync(join(dir, 'quire.yaml'), config);
  writeFileSync(join(dir, 'nb.yaml'), body);
  return join(dir, 'nb.yaml');
}

const MONTH = `title: "Review {{ params.month }}"
params:
  month: { type: string, default: "2026-10" }
cells:
  - id: month_totals
    type: query
    sql: SELECT 12 AS orders, NULL::DOUBLE AS revenue
`;

async function problems(path: string) {
  try {
    await validateNotebook(path);
    return [];
  } catch (err) {
    if (err instanceof ValidationErrors) return err.errors;
    throw err;
  }
}

describe('strict templates: unknown names are validate errors', () => {
  it('a misspelt cell id is located at its line and column, with a did-you-mean', async () => {
    const errs = await problems(
      project(`${MONTH}  - id: t
    type: text
    markdown: |
      We took **{{ month_total.first.orders }}** orders.
`),
    );
    expect(errs.map((e) => e.code)).toEqual(['E_LIQUID_UNKNOWN']);
    expect(errs[0].message).toBe("unknown variable 'month_total' in a template — did you mean 'month_totals'?");
    expect(errs[0].hint).toBe('a template reads params and the cells month_totals');
    expect(errs[0].location).toMatchObject({ line: 11, col: 20 });
  });

  it('a misspelt param, in a text cell or a title, is an error naming the params', async () => {
    const errs = await problems(
      project(`${MONTH}  - id: t
    type: text
    title: "Orders in {{ params.monht }}"
    markdown: "Month {{ params.mnth }}: {{ month_totals.first.orders }}"
`),
    );
    expect(errs.map((e) => e.code)).toEqual(['E_LIQUID_UNKNOWN_PARAM', 'E_LIQUID_UNKNOWN_PARAM']);
    expect(errs.map((e) => e.message)).toEqual(["unknown param 'monht' in {{ params.monht }} — did you mean 'month'?", "unknown param 'mnth' in {{ params.mnth }} — did you mean 'month'?"]);
    expect(errs[0].hint).toBe('params of this notebook: month');
    expect(errs[1].location).toMatchObject({ line: 11, col: 25 });
  });

  it('a field a cell does not offer is an error; loop variables and known names are fine', async () => {
    const errs = await problems(
      project(`${MONTH}  - id: t
    type: text
    markdown: "{% for r in month_totals.rows %}{{ r.orders }}{% endfor %} {{ month_totals.frist.orders }} {{ params.month }}"
`),
    );
    expect(errs.map((e) => e.code)).toEqual(['E_LIQUID_UNKNOWN_FIELD']);
    expect(errs[0].message).toBe("cell month_totals has no 'frist' for templates — did you mean 'first'?");
  });
});

describe('strict templates: missing values at run time', () => {
  it('a NULL value prints as n/a (never an empty string or "****") and logs a warning', async () => {
    const { manifest, dir } = await runNotebook(
      project(`${MONTH}  - id: t
    type: text
    markdown: "Worth **{{ month_totals.first.revenue | currency }}**, {{ month_totals.first.revenue }} in all, {{ month_totals.first.orders }} orders"
`),
      { exports: ['html'] },
    );
    expect(manifest.status).toBe('succeeded');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('Worth <strong>n/a</strong>, n/a in all, 12 orders');
    expect(html).not.toContain('****');
    expect(readFileSync(join(dir, 'run.log'), 'utf8')).toMatch(/WARN.*cell t: 2 values were NULL or missing and print as "n\/a" \(.*nb\.yaml:\d+:\d+\)/);
  });

  it('the missing text is configurable per project', async () => {
    const { dir } = await runNotebook(
      project(
        `${MONTH}  - id: t
    type: text
    markdown: "Worth {{ month_totals.first.revenue | number }}"
`,
        'missing_text: "(no data)"\n',
      ),
      { exports: ['html'] },
    );
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('Worth (no data)');
  });
});

describe('expect: on cells', () => {
  const empty = (expectYaml: string) =>
    project(`${MONTH.replace('SELECT 12 AS orders, NULL::DOUBLE AS revenue', 'SELECT 1 AS orders WHERE false')}    expect: ${expectYaml}
  - id: t
    type: text
    markdown: "{{ month_totals.row_count }} rows"
`);

  it('an empty result fails the cell, located at the expectation', async () => {
    const { manifest } = await runNotebook(empty('{ rows: ">0" }'), { exports: [] });
    expect(manifest.status).toBe('failed');
    const cell = manifest.cells.find((c) => c.id === 'month_totals')!;
    expect(cell.status).toBe('failed');
    expect(cell.error?.code).toBe('E_EXPECT_ROWS');
    expect(cell.error?.message).toBe('cell month_totals returned 0 rows; it expects rows > 0');
    expect(cell.error?.location).toMatch(/nb\.yaml:8:\d+$/);
    expect(manifest.cells.find((c) => c.id === 't')?.status).toBe('skipped');
  });

  it('on_fail: warn lets the run succeed with a warning in the log, run.json and every report', async () => {
    const { manifest, dir } = await runNotebook(empty('{ rows: ">=1", on_fail: warn }'), { exports: ['html', 'pdf', 'xlsx'] });
    expect(manifest.status).toBe('succeeded');
    const says = 'cell month_totals returned 0 rows; it expects rows >= 1';
    expect(readFileSync(join(dir, 'run.log'), 'utf8')).toMatch(/WARN.*cell month_totals returned 0 rows; it expects rows >= 1/);
    const cell = manifest.cells.find((c) => c.id === 'month_totals')!;
    expect(cell.status).toBe('succeeded');
    expect(cell.warnings).toEqual([
      {
        code: 'E_EXPECT_ROWS',
        message: says,
        location: expect.stringMatching(/nb\.yaml:8:\d+$/),
        snippet: null,
        hint: 'check the params (is there data for this period?) or relax `expect:` of the cell',
      },
    ]);
    expect(manifest.cells.find((c) => c.id === 't')?.warnings).toBeUndefined();

    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    const section = /<section[^>]* id="cell-month_totals"[\s\S]*?<\/section>/.exec(html)![0];
    expect(section).toContain('<span class="cell-status cell-status-warning">warning</span>');
    expect(section).toMatch(/<div class="panel panel-warning" role="note">[\s\S]*Warning[\s\S]*E_EXPECT_ROWS[\s\S]*nb\.yaml:8:\d+[\s\S]*cell month_totals returned 0 rows; it expects rows &gt;= 1/);
    expect(/<section[^>]* id="cell-t"[\s\S]*?<\/section>/.exec(html)![0]).not.toContain('panel-warning');

    expect(pdfText(join(dir, 'report.pdf')).replace(/\s+/g, ' ')).toContain(`Warning E_EXPECT_ROWS`);
    expect(pdfText(join(dir, 'report.pdf')).replace(/\s+/g, ' ')).toContain(says);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, 'report.xlsx'));
    const rows = (wb.getWorksheet('Summary')!.getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1).map(String));
    expect(rows).toContainEqual(['month_totals', expect.stringMatching(/^E_EXPECT_ROWS cell month_totals returned 0 rows; it expects rows >= 1 \(.*nb\.yaml:8:\d+\)$/), 'warning']);
  });

  it('a result that meets it succeeds; a malformed expectation is a validate error', async () => {
    const ok = await runNotebook(project(`${MONTH}    expect: { rows: "1" }\n`), { exports: [] });
    expect(ok.manifest.status).toBe('succeeded');
    const errs = await problems(project(`${MONTH}    expect: { rows: "some" }\n`));
    expect(errs[0]?.code).toBe('E_SCHEMA');
  });
});
