// The experiment cell in a notebook on real DuckDB, against scipy/statsmodels reference values
// (test/fixtures/experiment-reference/make_reference.py → expected.json): every number to 1e-9
// relative. The Bayesian probability's reference is a 40-digit mpmath integral, also to 1e-9.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadNotebook } from '../../engine/index.js';
import { prepareRun } from '../../engine/exec/run.js';
import { executeDag, type CellResult } from '../../engine/exec/executor.js';
import { silentLogger, type Logger } from '../../engine/util/log.js';
import { processState } from '../../engine/util/state.js';
import type { ExperimentOutput } from '../../engine/outputs.js';
import { ValidationErrors } from '../../engine/util/errors.js';
import { validateNotebook } from '../../engine/validate.js';
import { fixtureProject } from '../helpers/cli.js';

const FIXTURE = 'experiment-reference';
const expected = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures', FIXTURE, 'expected.json'), 'utf8'));

async function execute(path: string, logger: Logger = silentLogger): Promise<Map<string, CellResult>> {
  const nb = loadNotebook(path);
  const { params, session, dag } = await prepareRun(nb, { params: {} });
  try {
    return await executeDag({ nb, dag, session, params, titles: new Map(), logger, signal: new AbortController().signal, concurrency: 2, state: processState() });
  } finally {
    session.close();
  }
}

type Obj = Record<string, unknown>;
function objects(output: ExperimentOutput): Obj[] {
  return output.table.rows.map((r) => Object.fromEntries(output.table.columns.map((c, i) => [c.name, r[i]])));
}

function expectNear(actual: unknown, want: unknown, what: string, rel = 1e-9): void {
  if (want === null || want === undefined) {
    expect(actual, what).toBeNull();
    return;
  }
  const a = Number(actual);
  const b = Number(want);
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(rel * Math.max(Math.abs(b), 1e-12));
}

/** A copy of the fixture whose notebook's readout cell has `patch` applied to its YAML text. */
function variantOf(patch: (yaml: string) => string): string {
  const dir = fixtureProject(FIXTURE);
  const path = join(dir, 'notebook.yaml');
  writeFileSync(path, patch(readFileSync(path, 'utf8')));
  return path;
}

async function readoutOf(path: string): Promise<CellResult> {
  const results = await execute(path);
  return results.get('readout')!;
}

describe('experiment cell on DuckDB vs scipy/statsmodels', () => {
  it('gives one row per (variant, metric), control first with NULL comparisons, each number equal to the reference', async () => {
    const result = await readoutOf(join(fixtureProject(FIXTURE), 'notebook.yaml'));
    expect(result.record.status).toBe('succeeded');
    const out = result.output as ExperimentOutput;
    expect(out.kind).toBe('experiment');
    expect(out.table.columns.map((c) => c.name)).toEqual([
      'variant',
      'metric',
      'method',
      'n',
      'value',
      'diff',
      'rel_diff',
      'ci_low',
      'ci_high',
      'p_value',
      'p_value_adjusted',
      'significant',
      'prob_beat_control',
      'srm_p_value',
    ]);
    const rows = objects(out);
    expect(rows).toHaveLength(21);
    expect(out.units).toEqual(Object.entries(expected.units).map(([variant, units]) => ({ variant, units })));
    const holm = new Map<string, number>(expected.corrections.order.map((k: string, i: number) => [k, expected.corrections.holm[i]]));
    for (const row of rows) {
      const key = `${row.variant}/${row.metric}`;
      const want = expected.rows[key];
      expect(want, key).toBeDefined();
      expect(Number(row.n), key).toBe(want.n);
      for (const col of ['value', 'diff', 'ci_low', 'ci_high', 'p_value']) expectNear(row[col], want[col], `${key} ${col}`);
      expectNear(row.srm_p_value, expected.srm_p_value, `${key} srm`);
      if (row.variant === 'control') {
        expect([row.diff, row.rel_diff, row.p_value, row.p_value_adjusted, row.significant, row.prob_beat_control]).toEqual([null, null, null, null, null, null]);
        continue;
      }
      expectNear(row.rel_diff, want.diff / expected.rows[`control/${row.metric}`].value, `${key} rel_diff`);
      if (row.method === 'bayesian') {
        expectNear(row.prob_beat_control, want.prob_beat_control, `${key} P(beat)`);
        expect(row.significant).toBe(Number(row.prob_beat_control) >= 0.95 || Number(row.prob_beat_control) <= 0.05);
      } else {
        expectNear(row.p_value_adjusted, holm.get(key), `${key} holm`);
        expect(row.significant).toBe(Number(row.p_value_adjusted) < 0.05);
      }
    }
    const methods = Object.fromEntries(rows.filter((r) => r.variant === 'treatment_a').map((r) => [r.metric, r.method]));
    expect(methods).toEqual({
      conversion: 'z',
      conversion_bayes: 'bayesian',
      conversion_seq: 'msprt',
      revenue: 'welch',
      revenue_cuped: 'cuped',
      revenue_seq: 'msprt',
      clicks_per_session: 'delta',
    });
  });

  it('a table keyed on the unit skips the per-unit grouping and gives the same numbers', async () => {
    const path = variantOf((y) => y.replace('source: assignments', 'source: users'));
    const db = await DuckDBInstance.create(join(path, '..', 'shop.duckdb'));
    const conn = await db.connect();
    await conn.run('CREATE TABLE users (user_id INTEGER PRIMARY KEY, variant VARCHAR, converted INTEGER, revenue DOUBLE, pre_revenue DOUBLE, sessions INTEGER, clicks INTEGER)');
    await conn.run(
      `INSERT INTO users SELECT user_id, any_value(variant), max(converted), sum(revenue), max(pre_revenue), sum(sessions), sum(clicks) FROM read_csv('${join(path, '..', 'assignments.csv')}') GROUP BY user_id`,
    );
    conn.closeSync();
    db.closeSync();
    writeFileSync(join(path, '..', 'quire.yaml'), 'database: shop.duckdb\n');
    const lines: string[] = [];
    const results = await execute(path, { log: (_level, message) => lines.push(message) });
    expect(lines).toContain('cell readout: user_id is a key of users: one row per unit, no per-unit grouping');
    const rows = objects(results.get('readout')!.output as ExperimentOutput);
    expect(rows).toHaveLength(21);
    for (const row of rows) {
      const key = `${row.variant}/${row.metric}`;
      for (const col of ['n', 'value', 'diff', 'ci_low', 'ci_high', 'p_value']) expectNear(row[col], expected.rows[key][col], `${key} ${col}`);
    }
  });

  it('corrects with Benjamini–Hochberg, with none, and checks the ratio against a planned split', async () => {
    const path = variantOf((y) => y.replace('    control: control\n', '    control: control\n    correction: bh\n    split: { control: 0.36, treatment_a: 0.32, treatment_b: 0.32 }\n'));
    const rows = objects((await readoutOf(path)).output as ExperimentOutput);
    const bh = new Map<string, number>(expected.corrections.order.map((k: string, i: number) => [k, expected.corrections.bh[i]]));
    for (const row of rows.filter((r) => r.p_value !== null)) expectNear(row.p_value_adjusted, bh.get(`${row.variant}/${row.metric}`), `${row.variant}/${row.metric} bh`);
    for (const row of rows) expectNear(row.srm_p_value, expected.srm_weighted.p_value, 'weighted srm');

    const none = objects((await readoutOf(variantOf((y) => y.replace('    control: control\n', '    control: control\n    correction: none\n')))).output as ExperimentOutput);
    for (const row of none) expect(row.p_value_adjusted).toBe(row.p_value);
  });

  it('fails with a located UserError when the control value is not in the data', async () => {
    const path = variantOf((y) => y.replace('control: control', 'control: contrl'));
    const result = await readoutOf(path);
    expect(result.record.status).toBe('failed');
    const err = result.record.error!;
    expect(err.code).toBe('E_EXPERIMENT_CONTROL');
    expect(err.message).toContain("did you mean 'control'?");
    expect(err.location).toMatch(/notebook\.yaml:12:14$/);
  });

  it('fails located at the column when a cell source lacks it, and when a proportion is not 0/1', async () => {
    let result = await readoutOf(variantOf((y) => y.replace('column: revenue }', 'column: revenu }')));
    expect(result.record.status).toBe('failed');
    expect(result.record.error!.code).toBe('E_EXPERIMENT_COLUMN');
    expect(result.record.error!.message).toContain("did you mean 'revenue'?");
    expect(result.record.error!.location).toMatch(/notebook\.yaml:17:\d+$/);
    result = await readoutOf(variantOf((y) => y.replace('{ name: revenue, kind: mean, column: revenue }', '{ name: revenue, kind: mean, column: variant }')));
    expect(result.record.error!.code).toBe('E_EXPERIMENT_RUN');
    expect(result.record.error!.message).toContain('Could not convert');
    result = await readoutOf(variantOf((y) => y.replace('{ name: conversion, kind: proportion, column: converted }', '{ name: conversion, kind: proportion, column: sessions }')));
    expect(result.record.error!.code).toBe('E_EXPERIMENT_VALUES');
    expect(result.record.error!.location).toMatch(/notebook\.yaml:14:\d+$/);
  });

  it('validation locates unknown columns of a database table and metric keys that do not fit the kind', async () => {
    const path = variantOf((y) =>
      y
        .replace("sql: SELECT * FROM read_csv('assignments.csv')", 'sql: SELECT 1')
        .replace('source: assignments', 'source: orders')
        .replace('{ name: revenue_seq, kind: mean, column: revenue, method: msprt, tau: 2 }', '{ name: revenue_seq, kind: mean, column: revenue, method: msprt }')
        .replace('kind: ratio, numerator: clicks, denominator: sessions', 'kind: ratio, numerator: clicks')
        .replace('covariate: pre_revenue', 'covariate: pre_revnue'),
    );
    // a database whose `orders` table lacks the columns: checked at validation, located at the key
    const db = await DuckDBInstance.create(join(path, '..', 'shop.duckdb'));
    const conn = await db.connect();
    await conn.run('CREATE TABLE orders (user_id INTEGER, variant VARCHAR, converted INTEGER, revenue DOUBLE, pre_revenue DOUBLE, clicks INTEGER)');
    conn.closeSync();
    db.closeSync();
    writeFileSync(join(path, '..', 'quire.yaml'), 'database: shop.duckdb\n');
    const err = await validateNotebook(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationErrors);
    const found = (err as ValidationErrors).errors.map((e) => [e.code, e.location?.line, e.message]);
    expect(found).toContainEqual(['E_EXPERIMENT_METRIC', 19, expect.stringContaining('msprt needs tau')]);
    expect(found).toContainEqual(['E_EXPERIMENT_METRIC', 20, expect.stringContaining('a ratio needs numerator: and denominator:')]);
    expect(found).toContainEqual(['E_EXPERIMENT_COLUMN', 18, expect.stringContaining("orders has no column 'pre_revnue' — did you mean 'pre_revenue'?")]);
  });

  it('leaves out units seen with several variants (or none), counts NULL values out of n, and later cells read the table', async () => {
    const path = variantOf((y) =>
      y
        .replace(
          "sql: SELECT * FROM read_csv('assignments.csv')",
          "sql: SELECT * FROM (VALUES (1, 'control', 1, 10.0), (2, 'control', 0, NULL), (3, 'control', 0, 4.0), (4, 'b', 1, 8.0), (5, 'b', 0, 6.0), (6, 'b', 1, 7.0), (6, 'control', 0, 1.0), (7, NULL, 1, 1.0)) t(user_id, variant, converted, revenue)",
        )
        .replace(
          / {4}metrics:\n[\s\S]*$/,
          "    metrics:\n      - { name: conversion, kind: proportion, column: converted }\n      - { name: revenue, kind: mean, column: revenue }\n  - id: lift\n    type: query\n    sql: SELECT diff FROM readout WHERE variant = 'b' AND metric = 'revenue'\n",
        ),
    );
    const results = await execute(path);
    const out = results.get('readout')!.output as ExperimentOutput;
    expect(out.excludedUnits).toBe(2);
    expect(out.units).toEqual([
      { variant: 'control', units: 3 },
      { variant: 'b', units: 2 },
    ]);
    const rows = objects(out);
    expect(rows.map((r) => [r.variant, r.metric, Number(r.n), r.value])).toEqual([
      ['control', 'conversion', 3, 1 / 3],
      ['b', 'conversion', 2, 1 / 2],
      ['control', 'revenue', 2, 7],
      ['b', 'revenue', 2, 7],
    ]);
    expect(results.get('lift')!.record.status).toBe('succeeded');
    expect((results.get('lift')!.output as { rows: unknown[][] }).rows).toEqual([[0]]);
  });
});
