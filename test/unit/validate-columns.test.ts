/**
 * `quire validate` checks the columns that charts and text cells name against the result columns
 * the binder found: a wrong one is an error at its file:line:col with the closest columns first; a
 * column known only at run time (a code cell, a PIVOT, a Vega-Lite transform, a Liquid variable)
 * is never reported.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { validateNotebook, ValidationErrors } from '../../engine/index.js';
import { closestFirst } from '../../engine/plan/column-check.js';
import { liquid } from '../../engine/text/liquid.js';
import { templateColumns } from '../../engine/text/liquid-columns.js';
import { FIXTURES } from '../helpers/paths.js';

const dir = join(FIXTURES, 'column-refs');

async function problems(file: string) {
  try {
    await validateNotebook(join(dir, file));
    return [];
  } catch (err) {
    if (err instanceof ValidationErrors) return err.errors;
    throw err;
  }
}

/** Each column a template names, as `cell.column @ the text from 3 characters before its offset`. */
function columns(text: string, cellIds = ['kpis', 'by_region']): string[] {
  return templateColumns(text, liquid().parse(text), cellIds).map((c) => `${c.cell}.${c.column} @ ${text.slice(c.offset - 3, c.offset + c.column.length + 1)}`);
}

describe('validate: the columns charts and text cells name', () => {
  it('each wrong column is an error at its file:line:col, with a did-you-mean and the columns closest first', async () => {
    const errs = await problems('bad.yaml');
    expect(errs.map((e) => [e.code, e.location?.line, e.location?.col, e.message])).toEqual([
      ['E_VIZ_FIELD', 21, 8, "cell bar: field 'regoin' is not a column of by_region — did you mean 'region'?"],
      ['E_VIZ_FIELD', 22, 18, "cell bar: field 'ordrs' is not a column of by_region — did you mean 'orders'?"],
      ['E_VIZ_FIELD', 23, 15, "cell bar: field 'revnue' is not a column of by_region — did you mean 'revenue'?"],
      ['E_VIZ_FIELD', 28, 17, "cell cards: field 'revenu' is not a column of kpis — did you mean 'revenue'?"],
      ['E_VIZ_FIELD', 29, 13, "cell cards: field 'avg_ordr_value' is not a column of kpis — did you mean 'avg_order_value'?"],
      ['E_VIZ_FIELD', 37, 21, "cell vl: field 'revnue' is not a column of by_region — did you mean 'revenue'?"],
      ['E_VIZ_FIELD', 43, 38, "cell pl: field 'orders_count' is not a column of by_region"],
      ['E_LIQUID_UNKNOWN_COLUMN', 47, 31, "cell summary: 'ordres' in {{ kpis.first.ordres }} is not a column of kpis — did you mean 'orders'?"],
      ['E_LIQUID_UNKNOWN_COLUMN', 47, 72, "cell summary: 'revnue' in {{ kpis.rows[0].revnue }} is not a column of kpis — did you mean 'revenue'?"],
      ['E_LIQUID_UNKNOWN_COLUMN', 49, 14, "cell summary: 'regon' in {{ r.regon }} is not a column of by_region — did you mean 'region'?"],
      ['E_LIQUID_UNKNOWN_COLUMN', 51, 35, "cell summary: 'regoin' in {{ by_region.rows | where: \"regoin\" }} is not a column of by_region — did you mean 'region'?"],
    ]);
    expect(errs[0]!.hint).toBe('columns of by_region, closest first: region, revenue, orders');
    expect(errs[6]!.hint).toBe('columns of by_region, closest first: orders, region, revenue');
    expect(errs[7]!.hint).toBe('columns of kpis, closest first: orders, revenue, avg_order_value');
    expect(errs[0]!.location?.snippet).toBe('    x: regoin');
  });

  it('real columns, names a transform makes, and columns known only at run time (code cell, PIVOT, loop and assigned variables) pass', async () => {
    expect(await problems('good.yaml')).toEqual([]);
  });

  it('a hint lists the closest columns first, ties in table order', () => {
    expect(closestFirst('revnue', ['region', 'orders', 'revenue', 'avg_revenue'])).toEqual(['revenue', 'region', 'avg_revenue', 'orders']);
    expect(closestFirst('REGION', ['orders', 'region'])).toEqual(['region', 'orders']);
    expect(closestFirst('x', ['cd', 'ab'])).toEqual(['cd', 'ab']);
  });
});

describe('the columns a Liquid template names', () => {
  it('reads <cell>.first, <cell>.rows[i], rows.first/last and rows[<variable>], pointing at the column', () => {
    expect(columns('{{ kpis.first.orders }}')).toEqual(['kpis.orders @ st.orders ']);
    expect(columns('{{ kpis.rows[0].revenue }} {{ kpis.rows[-1].aov }}')).toEqual(['kpis.revenue @ 0].revenue ', 'kpis.aov @ 1].aov ']);
    expect(columns('{{ kpis.rows.last.orders }}{% assign i = 2 %}{{ kpis.rows[i].n }}')).toEqual(['kpis.orders @ st.orders ', 'kpis.n @ i].n ']);
    expect(columns('{{ kpis.first["odd name"] }}')).toEqual(['kpis.odd name @ t["odd name"']);
    expect(columns('{% if kpis.first.orders > 0 %}x{% endif %}{{ 1 | plus: by_region.first.n }}')).toEqual(['kpis.orders @ st.orders ', 'by_region.n @ st.n ']);
  });

  it('follows a loop over <cell>.rows (for and tablerow), not one over anything else', () => {
    expect(columns('{% for r in by_region.rows limit: 2 %}{{ r.region }}{% else %}{{ r.x }}{% endfor %}')).toEqual(['by_region.region @  r.region ']);
    expect(columns('{% tablerow r in kpis.rows %}{{ r.n }}{% endtablerow %}')).toEqual(['kpis.n @  r.n ']);
    expect(columns('{% if true %}{% for r in kpis.rows %}{{ r.n }}{% endfor %}{% endif %}')).toEqual(['kpis.n @  r.n ']);
    expect(columns('{% assign xs = kpis.rows %}{% for r in xs %}{{ r.n }}{% endfor %}')).toEqual([]);
    expect(columns('{% for r in kpis.columns %}{{ r.n }}{% endfor %}')).toEqual([]);
  });

  it('reads the column names given to filters over <cell>.rows (where, map, sum, sort...), along the chain while it hands on rows', () => {
    expect(columns('{{ kpis.rows | map: "revnue" | join: ", " }}{{ kpis.rows | sum: \'orders\' }}')).toEqual(['kpis.revnue @ : "revnue"', "kpis.orders @ : 'orders'"]);
    expect(columns('{% assign g = by_region.rows | where: "status", "green" | sort: "revenue" | map: "n" | sum: "x" %}')).toEqual([
      'by_region.status @ : "status"',
      'by_region.revenue @ : "revenue"',
      'by_region.n @ : "n"',
    ]);
    expect(columns('{{ kpis.rows | first | map: "x" }}{{ kpis.rows | map: "a.b" }}{% assign k = "x" %}{{ kpis.rows | map: k }}{{ kpis.columns | map: "x" }}{{ kpis.rows.first | map: "x" }}')).toEqual(
      [],
    );
  });

  it('leaves out what only the render knows: assigned and shadowed names, computed keys, size, other fields and cells', () => {
    expect(columns('{% assign k = kpis.first %}{{ k.orders }}')).toEqual([]);
    expect(columns('{% for r in kpis.rows %}{% assign r = by_region.first %}{{ r.n }}{% endfor %}')).toEqual([]);
    expect(columns('{% for r in kpis.rows %}{% for r in by_region.rows %}{{ r.n }}{% endfor %}{% endfor %}')).toEqual(['by_region.n @  r.n ']);
    expect(columns('{% assign c = "orders" %}{{ kpis.first[c] }}{{ kpis.first.size }}{{ kpis.rows.size }}{{ kpis.row_count }}{{ kpis.first[0] }}')).toEqual([]);
    expect(columns('{{ other.first.n }}{{ kpis.first.n }}{{ kpis.first.n | plus: 1 }}', ['kpis'])).toEqual(['kpis.n @ st.n ']);
    expect(columns('{% render "row", r: kpis.first %}')).toEqual([]);
    // A loop variable or an assign named like a cell is not that cell (here a row of by_region, whose `rows` would be a column).
    expect(columns('{% for kpis in by_region.rows %}{{ kpis.rows | map: "x" }}{% for r in kpis.rows %}{{ r.y }}{% endfor %}{% endfor %}')).toEqual(['by_region.rows @ is.rows ']);
    expect(columns('{% assign kpis = by_region %}{{ kpis.rows | map: "x" }}{% for r in kpis.rows %}{{ r.y }}{% endfor %}')).toEqual([]);
  });
});
