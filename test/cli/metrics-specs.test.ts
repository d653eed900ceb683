import { describe, expect, it } from 'vitest';
import { fixtureProject, quire } from '../helpers/cli.js';

/** `quire metrics validate` in a fixture project: exit code and stderr. */
function validate(fixture: string) {
  const r = quire(['metrics', 'validate'], fixtureProject(fixture));
  expect(r.code).toBe(1);
  return r.stderr;
}

describe('bad metric specs are located errors that say what to do', () => {
  it('an unknown key suggests the right one (and is not also reported as a missing key)', () => {
    const err = validate('metrics-bad-key');
    expect(err).toContain("metrics/revenue.yaml:4:3: error[E_METRIC_SPEC_KEY]: unknown key 'aggregate' in metric total_revenue (metrics/revenue.yaml:4) — did you mean 'aggregation'?");
    expect(err).toContain('1 problem found');
  });

  it('a missing numerator', () => {
    const err = validate('metrics-bad-numerator');
    expect(err).toMatch(/metrics\/revenue\.yaml:4:\d+: error\[E_METRIC_SPEC\]: metric total_revenue \(metrics\/revenue\.yaml:4\): numerator is required for aggregation sum/);
    expect(err).toContain('hint: e.g. numerator: "SUM(amount)"');
  });

  it('a denominator on a sum', () => {
    const err = validate('metrics-bad-denominator');
    expect(err).toContain('metrics/revenue.yaml:6:16: error[E_METRIC_SPEC]: metric total_revenue (metrics/revenue.yaml:6): denominator is not allowed for aggregation sum');
  });

  it("SQL that does not parse: file, line and DuckDB's parser message", () => {
    const err = validate('metrics-bad-sql');
    expect(err).toContain('metrics/revenue.yaml:5:14: error[E_METRIC_SQL]: metric total_revenue (metrics/revenue.yaml:5): SQL in numerator does not parse: syntax error at end of input');
    // Inside a block scalar the column is the culprit's own.
    expect(err).toContain('metrics/revenue.yaml:11:11: error[E_METRIC_SQL]: segment big (metrics/revenue.yaml:11): SQL in where does not parse: syntax error at or near "AND"');
  });

  it("unknown columns and tables at validate time, with DuckDB's candidates", () => {
    const err = validate('metrics-bad-column');
    expect(err).toContain(
      'metrics/revenue.yaml:6:19: error[E_METRIC_BIND]: metric total_revenue (metrics/revenue.yaml:6): numerator: Binder Error: Referenced column "amout" not found in FROM clause!',
    );
    expect(err).toContain('hint: Candidate bindings: "amount"');
    expect(err).toContain('metric refunds (metrics/revenue.yaml:11): time_column: Binder Error: Referenced column "orderdate" not found');
    expect(err).toContain('metric refunds (metrics/revenue.yaml:14): filters.0: Binder Error: Referenced column "stat" not found');
    expect(err).toContain('metric nowhere (metrics/revenue.yaml:18): source no_such_table: Catalog Error: Table with name no_such_table does not exist!');
    expect(err).toContain('4 problems found');
  });

  it('duplicate names across files name both files', () => {
    const err = validate('metrics-bad-duplicate');
    expect(err).toContain("metrics/b.yaml:3:9: error[E_METRIC_DUPLICATE]: duplicate metric name 'total_revenue': defined in metrics/a.yaml:2 and in metrics/b.yaml:3");
  });

  it('derived cycles are named in order; unknown references suggest a metric', () => {
    const err = validate('metrics-bad-cycle');
    expect(err).toContain('error[E_METRIC_CYCLE]: metric costs (metrics/derived.yaml:5): derived metrics form a cycle: costs -> margin -> costs');
    expect(err).toContain('derived metrics form a cycle: costs -> overhead -> costs');
    expect(err).toContain("metrics/derived.yaml:9:57: error[E_METRIC_UNKNOWN]: metric typo (metrics/derived.yaml:9): expression uses 'revenu', which is not a metric — did you mean 'revenue'?");
  });

  it('a metric cell: unknown metric, slice and segment names (did you mean), time without time_column, compare without periods, bad dates, unknown cell: source', () => {
    const r = quire(['validate', 'notebook.yaml'], fixtureProject('metrics-bad-cell'));
    expect(r.code).toBe(1);
    const err = r.stderr;
    expect(err).toContain("notebook.yaml:11:15: error[E_METRIC_UNKNOWN]: unknown metric 'total_revnue' in cell kpis — did you mean 'total_revenue'?");
    expect(err).toContain("notebook.yaml:12:14: error[E_METRIC_UNKNOWN]: unknown slice 'regoin' in cell kpis — did you mean 'region'?");
    expect(err).toContain("notebook.yaml:13:16: error[E_METRIC_UNKNOWN]: unknown segment 'repeat_customer' in cell kpis — did you mean 'repeat_customers'?");
    expect(err).toContain("notebook.yaml:17:18: error[E_METRIC_TIME]: metric mrr (metrics/revenue.yaml:3) has no time_column, so cell timed can't use it with a time_window");
    expect(err).toContain('notebook.yaml:21:14: error[E_METRIC_COMPARE]: compare: previous_period needs a time_window or a grain in cell compared');
    expect(err).toContain('notebook.yaml:25:18: error[E_METRIC_WINDOW]: time_window bound "2026-13-01" is not a date (YYYY-MM-DD) in cell bad_window');
    expect(err).toContain('notebook.yaml:4:38: error[E_METRIC_SOURCE]: metric inline_orders (notebook.yaml:4) reads cell:ordrs, which is not a cell of this notebook');
  });

  it('inline definitions are checked like spec files, located in the notebook', () => {
    const r = quire(['validate', 'notebook.yaml'], fixtureProject('metrics-bad-inline'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("notebook.yaml:5:7: error[E_METRIC_SPEC_KEY]: unknown key 'aggregate' in metric revenue (notebook.yaml:5) — did you mean 'aggregation'?");
    expect(r.stderr).toContain("error[E_METRIC_SPEC]: segment all (notebook.yaml:10): 'all' is reserved");
  });
});
