// Issue 14 speed target: an experiment cell over 10,000,000 assignment rows (one per user, three
// variants; a proportion, a mean, a CUPED mean and a ratio metric) ≤ 2× one hand-written aggregate
// query over the same rows. Printed, measured in the same run on the same database file:
//   A) the table keyed on user_id (PRIMARY KEY): cell / flat GROUP BY variant query (goal ≤ 2×)
//   B) the same rows through a view (no key known, so the cell groups per user first):
//      cell / the hand-written per-user-then-per-variant query of the same statistics (goal ≤ 2×),
//      and cell / the flat query, plainly
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadNotebook } from '../engine/index.js';
import { prepareRun } from '../engine/exec/run.js';
import { executeDag } from '../engine/exec/executor.js';
import { silentLogger } from '../engine/util/log.js';
import { processState } from '../engine/util/state.js';
import { median, ms, ratio, time } from './util.js';

const ROWS = 10_000_000;
const RUNS = 3;

// Deterministic pseudo-random columns from hash(user_id, salt).
const U = (salt: number) => `(hash(user_id, ${salt}) % 1000000) / 1000000.0`;
const BUILD = `CREATE TABLE assignments (user_id BIGINT PRIMARY KEY, variant VARCHAR, converted INTEGER, revenue DOUBLE, pre_revenue DOUBLE, sessions INTEGER, clicks INTEGER);
INSERT INTO assignments SELECT user_id,
  CASE WHEN ${U(1)} < 0.34 THEN 'control' WHEN ${U(1)} < 0.67 THEN 'treatment_a' ELSE 'treatment_b' END AS variant,
  (${U(2)} < 0.1 + 0.01 * (${U(1)} >= 0.34)::INT)::INT AS converted,
  round(${U(3)} * 40 + ${U(4)} * 20, 2) AS revenue,
  round(${U(3)} * 40, 2) AS pre_revenue,
  1 + (hash(user_id, 5) % 5)::INT AS sessions,
  (hash(user_id, 6) % 7)::INT AS clicks
FROM range(1, ${ROWS + 1}) t(user_id);
CREATE VIEW assignments_view AS SELECT * FROM assignments;`;

const notebook = (source: string) => `title: Experiment bench
cells:
  - id: readout
    type: experiment
    source: ${source}
    unit: user_id
    variant: variant
    control: control
    metrics:
      - { name: conversion, kind: proportion, column: converted }
      - { name: revenue, kind: mean, column: revenue }
      - { name: revenue_cuped, kind: mean, column: revenue, covariate: pre_revenue }
      - { name: clicks_per_session, kind: ratio, numerator: clicks, denominator: sessions }
`;

/** What an analyst would write for the same statistics: per user, then per variant. */
const HAND_PER_UNIT = `WITH u AS (
  SELECT user_id, any_value(variant) AS variant, max(converted) AS c, sum(revenue) AS r, max(pre_revenue) AS x, sum(clicks) AS k, sum(sessions) AS s
  FROM assignments GROUP BY user_id
)
SELECT variant, count(*), sum(c), avg(c), avg(r), var_samp(r), avg(x), var_samp(x), covar_samp(r, x), avg(k), avg(s), var_samp(k), var_samp(s), covar_samp(k, s)
FROM u GROUP BY variant`.replaceAll('assignments', 'assignments_view');

/** The same statistics straight from the rows (right only when each user has one row). */
const HAND_FLAT = `SELECT variant, count(*), sum(converted), avg(converted), avg(revenue), var_samp(revenue), avg(pre_revenue), var_samp(pre_revenue),
  covar_samp(revenue, pre_revenue), avg(clicks), avg(sessions), var_samp(clicks), var_samp(sessions), covar_samp(clicks, sessions)
FROM assignments GROUP BY variant`;

export async function run(): Promise<string[]> {
  const out: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'quire-experiment-bench-'));
  try {
    const dbPath = join(dir, 'warehouse.duckdb');
    const t0 = performance.now();
    const db = await DuckDBInstance.create(dbPath);
    const build = await db.connect();
    await build.run(BUILD);
    build.closeSync();
    db.closeSync();
    out.push(`assignments: ${ROWS.toLocaleString('en-US')} rows (one per user, 3 variants), built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    writeFileSync(join(dir, 'quire.yaml'), 'database: warehouse.duckdb\n');
    writeFileSync(join(dir, 'keyed.yaml'), notebook('assignments'));
    writeFileSync(join(dir, 'view.yaml'), notebook('assignments_view'));
    const keyed = loadNotebook(join(dir, 'keyed.yaml'));
    const view = loadNotebook(join(dir, 'view.yaml'));
    const { params, session, dag } = await prepareRun(keyed, { params: {} });
    try {
      const conn = await session.connect();
      const cell = (nb: typeof keyed) => async () => {
        const results = await executeDag({ nb, dag, session, params, titles: new Map(), logger: silentLogger, signal: new AbortController().signal, concurrency: 1, state: processState() });
        const r = results.get('readout')!;
        if (r.record.status !== 'succeeded') throw new Error(`experiment cell ${r.record.status}: ${r.record.error?.message}`);
      };
      const hand = (sql: string) => async () => {
        await conn.runAndReadAll(sql);
      };
      // warm (file pages, plans)
      await cell(keyed)();
      await hand(HAND_FLAT)();
      const times = { keyed: [] as number[], flat: [] as number[], view: [] as number[], perUnit: [] as number[] };
      for (let i = 0; i < RUNS; i++) {
        times.keyed.push(await time(cell(keyed)));
        times.flat.push(await time(hand(HAND_FLAT)));
        times.view.push(await time(cell(view)));
        times.perUnit.push(await time(hand(HAND_PER_UNIT)));
      }
      const [k, f, v, p] = [median(times.keyed), median(times.flat), median(times.view), median(times.perUnit)];
      out.push(`A) keyed table: experiment cell (4 metrics, 3 variants) ${ms(k)}; hand-written GROUP BY variant ${ms(f)}   cell / hand = ${ratio(k, f)}   (goal ≤ 2×; median of ${RUNS})`);
      out.push(`B) view, no key: experiment cell ${ms(v)}; hand-written per-user → per-variant query ${ms(p)}   cell / hand = ${ratio(v, p)}   (goal ≤ 2×)`);
      out.push(`   B's cell / the flat query = ${ratio(v, f)} (grouping 10M rows by user is what costs)`);
    } finally {
      session.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await run()) console.log(line);
}
