// Demo data speed target: 10,000,000 orders build in under 30 s. Baseline, measured in the same
// run on the same disk: a plain CTAS of 10M rows (range, hash(range)) into a fresh DuckDB file.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { buildDemoData } from '../engine/demo/demo-data.js';

const ORDERS = 10_000_000;
const TARGET_S = 30;

async function baseline(path: string): Promise<number> {
  const t0 = performance.now();
  const inst = await DuckDBInstance.create(path);
  const conn = await inst.connect();
  await conn.run('CREATE TABLE t AS SELECT range, hash(range) FROM range(10000000)');
  await conn.run('CHECKPOINT');
  conn.closeSync();
  inst.closeSync();
  return performance.now() - t0;
}

export async function run(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-demo-'));
  const lines: string[] = [];
  try {
    const base = await baseline(join(dir, 'baseline.duckdb'));
    const steps: string[] = [];
    const r = await buildDemoData({ out: join(dir, 'warehouse.duckdb'), orders: ORDERS, onProgress: (m) => steps.push(`  ${m}`) });
    const s = r.ms / 1000;
    const mb = statSync(r.out).size / 1e6;
    lines.push(
      `demo-data ${ORDERS.toLocaleString('en-US')} orders: ${s.toFixed(1)} s, ${(s / TARGET_S).toFixed(2)}× of the ${TARGET_S} s target ${s < TARGET_S ? '(ok)' : '(TOO SLOW)'}`,
      ...steps,
      `  file: ${mb.toFixed(0)} MB, ${Object.values(r.tables)
        .reduce((x, y) => x + y, 0)
        .toLocaleString('en-US')} rows in ${Object.keys(r.tables).length} tables`,
      `baseline CREATE TABLE t AS SELECT range, hash(range) FROM range(10000000): ${(base / 1000).toFixed(2)} s`,
      `ratio build / baseline: ${(r.ms / base).toFixed(1)}×`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}
