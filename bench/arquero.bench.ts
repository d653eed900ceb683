// Issue 5: moving a 1,000,000-row, 6-column table DuckDB → Arquero (a code cell's worker) → DuckDB,
// against DuckDB copying the same table (CREATE TABLE AS), measured in the same run.
import { DuckDBInstance } from '@duckdb/node-api';
import { readColumns } from '../engine/code/duck-read.js';
import { writeColumns } from '../engine/code/duck-write.js';
import { runInSandbox } from '../engine/code/sandbox.js';
import { median, ms, ratio, time } from './util.js';

const ROWS = 1_000_000;

export async function run(): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  // The shape of the demo orders: ids, a date, two low-cardinality strings, an amount.
  await conn.run(`CREATE TABLE t AS SELECT range AS order_id, (range * 7919 % 50000)::INTEGER AS customer_id,
    DATE '2024-01-01' + (range % 700)::INTEGER AS order_date, ['NA','EU','APAC','LATAM'][range % 4 + 1] AS region,
    ['completed','refunded','cancelled'][range % 3 + 1] AS status, round(random() * 500, 2)::DOUBLE AS amount FROM range(${ROWS})`);
  const ctas = async () => conn.run('CREATE OR REPLACE TABLE t_copy AS SELECT * FROM t');
  const phases = { read: [] as number[], code: [] as number[], write: [] as number[] };
  const roundTrip = async () => {
    let t0 = performance.now();
    const table = await readColumns(conn, 't');
    phases.read.push(performance.now() - t0);
    t0 = performance.now();
    const out = await runInSandbox({ cellId: 'bench', code: 'return t', params: {}, inputs: [{ name: 't', table }], timeoutMs: 120_000, memoryMb: 2048 });
    phases.code.push(performance.now() - t0);
    if (out.kind !== 'table') throw new Error('expected a table');
    t0 = performance.now();
    await writeColumns(conn, 'memory', 't_back', out.table, new Map(table.columns.map((c) => [c.name, c.sourceType!])));
    phases.write.push(performance.now() - t0);
  };
  await ctas();
  await roundTrip();
  phases.read.length = phases.code.length = phases.write.length = 0;
  const base: number[] = [];
  const trip: number[] = [];
  for (let i = 0; i < 3; i++) {
    base.push(await time(ctas));
    trip.push(await time(roundTrip));
  }
  const check = await conn.runAndReadAll('SELECT count(*) FROM (SELECT * FROM t EXCEPT ALL SELECT * FROM t_back)');
  const missing = Number(check.getRows()[0][0]);
  conn.closeSync();
  instance.closeSync();
  const b = median(base);
  const r = median(trip);
  return [
    `1,000,000 rows × 6 columns: CREATE TABLE AS ${ms(b)}; DuckDB → Arquero → DuckDB ${ms(r)} → ${ratio(r, b)} (goal ≤ 3×)`,
    `  phases (median): read columns ${ms(median(phases.read))}, worker start + Arquero table + export ${ms(median(phases.code))}, append back ${ms(median(phases.write))}; rows differing after the trip: ${missing}`,
  ];
}
