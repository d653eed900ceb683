// Shared by the issue-19 benches (help, validate, run, export-*): whole `quire` processes timed
// from spawn to exit, against a baseline measured in the same run.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { benchProject, median } from './util.js';

export const REPO = join(import.meta.dirname, '..');
/** The CLI measured; QUIRE_BIN=<other checkout>/bin/quire.js measures another build (a before/after comparison). */
export const QUIRE = process.env.QUIRE_BIN ?? join(REPO, 'bin', 'quire.js');

/** Wall time of one process, spawn to exit; a non-zero exit fails the bench. */
export function spawnTime(cmd: string, args: string[], cwd = REPO, env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const took = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return took;
}

/** Median and spread (min–max) of n samples, after one warm-up (file cache, DuckDB extension load). */
export function sample(n: number, fn: () => number): { median: number; min: number; max: number } {
  fn();
  const xs = Array.from({ length: n }, fn);
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

export const quire = (args: string[], cwd: string) => () => spawnTime(process.execPath, [QUIRE, ...args], cwd);

/** `quire` started with an empty code cache (engine/cli/compile-cache.ts), as the first start after an install or a rebuild. */
export const quireUncached = (args: string[], cwd: string) => () => {
  const cache = mkdtempSync(join(tmpdir(), 'quire-bench-code-cache-'));
  try {
    return spawnTime(process.execPath, [QUIRE, ...args], cwd, { ...process.env, QUIRE_COMPILE_CACHE: cache });
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
};

export const fmt = (s: { median: number; min: number; max: number }) => `${(s.median / 1000).toFixed(2)} s (${(s.min / 1000).toFixed(2)}–${(s.max / 1000).toFixed(2)})`;
export const verdict = (x: number, goal: number) => (x <= goal ? 'within' : 'over');

/** Bare node start, the baseline of the start-up rows. */
export const bareNode = () => sample(7, () => spawnTime(process.execPath, ['-e', '0']));

/** The 7 statements of the monthly review over orders.csv; `month_orders` is the first one's result. */
export const REVIEW_SQL: Record<string, string> = {
  month_orders: "SELECT * FROM read_csv('orders.csv') WHERE order_date >= $month_start AND order_date < $month_end",
  kpis: 'SELECT count(*) AS orders, round(sum(amount), 2) AS revenue, round(avg(amount), 2) AS aov, count(DISTINCT customer_id) AS customers FROM month_orders',
  by_region: 'SELECT region, count(*) AS orders, round(sum(amount), 2) AS revenue FROM month_orders GROUP BY region ORDER BY revenue DESC',
  top_customers: 'SELECT customer_id, round(sum(amount), 2) AS revenue, count(*) AS orders FROM month_orders GROUP BY customer_id ORDER BY revenue DESC LIMIT 20',
  by_channel: 'SELECT channel, count(*) AS orders, round(sum(amount), 2) AS revenue FROM month_orders GROUP BY channel ORDER BY revenue DESC',
  daily: 'SELECT order_date::DATE AS day, count(*) AS orders, round(sum(amount), 2) AS revenue FROM month_orders GROUP BY 1 ORDER BY 1',
  vs_previous:
    "SELECT sum(amount) FILTER (order_date >= $month_start) AS revenue, sum(amount) FILTER (order_date < $month_start) AS prev_revenue FROM read_csv('orders.csv') " +
    'WHERE order_date >= $month_start - INTERVAL 1 MONTH AND order_date < $month_end',
};
export const MONTH = { start: '2026-06-01', end: '2026-07-01' };

/** A project with orders.csv (1,000,000 rows), review.yaml (the 7 cells) and a raw DuckDB script of the same SQL. */
export async function csvProject(): Promise<{ dir: string; notebook: string; raw: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-csv-'));
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  await conn.run(
    `COPY (SELECT range AS order_id, TIMESTAMP '2025-07-01' + to_seconds((hash(range) % 31536000)::BIGINT) AS order_date, (hash(range * 7) % 50000)::BIGINT AS customer_id, ` +
      `['NA','EU','APAC','LATAM'][(range % 4) + 1] AS region, ['web','app','store'][((hash(range) % 3) + 1)::BIGINT] AS channel, round(((hash(range * 13) % 50000)::BIGINT) / 100.0, 2) AS amount ` +
      `FROM range(1000000)) TO '${join(dir, 'orders.csv')}' (HEADER)`,
  );
  conn.closeSync();
  inst.closeSync();
  writeFileSync(join(dir, 'quire.yaml'), 'runs_dir: runs\n');
  const cells = Object.entries(REVIEW_SQL).map(([id, sql]) => `  - id: ${id}\n    type: query\n    sql: ${JSON.stringify(sql)}\n`);
  writeFileSync(join(dir, 'review.yaml'), `title: Monthly review\nparams:\n  month: { type: month, default: "2026-06" }\ncells:\n${cells.join('')}`);
  // The raw script: one node process, the same statements, month_orders materialized as quire does.
  const bind = (sql: string) => sql.replace(/\$month_start/g, `DATE '${MONTH.start}'`).replace(/\$month_end/g, `DATE '${MONTH.end}'`);
  const [first, ...rest] = Object.entries(REVIEW_SQL);
  const raw = join(dir, 'raw.mjs');
  writeFileSync(
    raw,
    `import { DuckDBInstance } from ${JSON.stringify(join(REPO, 'node_modules', '@duckdb', 'node-api', 'lib', 'index.js'))};\n` +
      `const i = await DuckDBInstance.create(':memory:'); const c = await i.connect();\n` +
      `await c.run(${JSON.stringify(`CREATE TABLE ${first![0]} AS ${bind(first![1])}`)});\n` +
      `for (const sql of ${JSON.stringify(rest.map(([, s]) => bind(s)))}) await c.runAndReadAll(sql);\n`,
  );
  return { dir, notebook: 'review.yaml', raw };
}

/** A demo project (200,000 orders) with one finished run of the monthly review; returns its dir and run id. */
export async function demoRun(): Promise<{ dir: string; runId: string; runDir: string }> {
  const dir = await benchProject(200_000);
  mkdirSync(join(dir, 'notebooks'));
  copyFileSync(join(REPO, 'notebooks', 'monthly-review.yaml'), join(dir, 'notebooks', 'monthly-review.yaml'));
  spawnTime(process.execPath, [QUIRE, 'run', 'notebooks/monthly-review.yaml', '--param', 'month=2026-06', '--export', 'html'], dir);
  const runs = join(dir, 'runs', 'monthly-review');
  const runId = readdirSync(runs)
    .filter((f) => !f.startsWith('.'))
    .sort()
    .pop()!;
  return { dir, runId, runDir: join(runs, runId) };
}
