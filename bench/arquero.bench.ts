// Issue 5: moving a 1,000,000-row, 6-column table DuckDB → Arquero (a code cell's worker) → DuckDB,
// against DuckDB copying the same table (CREATE TABLE AS), measured in the same run.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { readColumns } from '../cells/code/duck-read.js';
import { writeColumns } from '../cells/code/duck-write.js';
import { BUFFER_POOL } from '../cells/code/buffer-pool.js';
import { SCRATCH_FILES } from '../cells/code/scratch-files.js';
import { EngineState } from '../engine/util/state.js';
import { buffersOf } from '../cells/code/columns.js';
import { runInSandbox } from '../cells/code/sandbox.js';
import { median, ms, ratio, time } from './util.js';

const ROWS = 1_000_000;
const RUNS = 9;
const state = new EngineState();

interface Phases {
  read: number[];
  code: number[];
  write: number[];
}

/** One code cell's trip, as cells/code.ts makes it: the worker gets ready while the table is read. */
async function roundTrip(conn: DuckDBConnection, code: string, phases: Phases): Promise<void> {
  const t0 = performance.now();
  let t1 = t0;
  const hints = new Map<string, string>();
  const reading = readColumns(conn, 't', state.get(BUFFER_POOL)).then((table) => {
    t1 = performance.now();
    for (const c of table.columns) hints.set(c.name, c.sourceType!);
    return [{ name: 't', table }];
  });
  const out = await runInSandbox({ cellId: 'bench', code, params: {}, inputs: reading, timeoutMs: 120_000, memoryMb: 2048, state });
  const t2 = performance.now();
  if (out.kind !== 'table') throw new Error('expected a table');
  await writeColumns(conn, 'memory', 't_back', out.table, hints, state.get(SCRATCH_FILES));
  state.get(BUFFER_POOL).giveBack(buffersOf(out.table)); // as cells/code.ts does
  phases.read.push(t1 - t0);
  phases.code.push(t2 - t1);
  phases.write.push(performance.now() - t2);
}

/** CREATE TABLE AS and the trip, taking turns; medians, after two of each to warm up (the first trip compiles the readers). */
async function measure(conn: DuckDBConnection, code: string) {
  const ctas = async () => conn.run('CREATE OR REPLACE TABLE t_copy AS SELECT * FROM t');
  const phases: Phases = { read: [], code: [], write: [] };
  for (let i = 0; i < 2; i++) {
    await ctas();
    await roundTrip(conn, code, { read: [], code: [], write: [] });
  }
  const base: number[] = [];
  const trip: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    base.push(await time(ctas));
    trip.push(await time(() => roundTrip(conn, code, phases)));
  }
  const check = await conn.runAndReadAll('SELECT count(*) FROM (SELECT * FROM t EXCEPT ALL SELECT * FROM t_back)');
  return { b: median(base), r: median(trip), phases, missing: Number(check.getRows()[0][0]) };
}

export async function run(): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  // The shape of the demo orders: ids, a date, two low-cardinality strings, an amount.
  await conn.run(`CREATE TABLE t AS SELECT range AS order_id, (range * 7919 % 50000)::INTEGER AS customer_id,
    DATE '2024-01-01' + (range % 700)::INTEGER AS order_date, ['NA','EU','APAC','LATAM'][range % 4 + 1] AS region,
    ['completed','refunded','cancelled'][range % 3 + 1] AS status, round(random() * 500, 2)::DOUBLE AS amount FROM range(${ROWS})`);
  const lines: string[] = [];
  // `return t` is the trip itself; the filter makes Arquero look at every row and the columns go back as the rows it kept.
  for (const code of ['return t', 'return t.filter((d) => d.amount >= 0)']) {
    const { b, r, phases, missing } = await measure(conn, code);
    const head =
      code === 'return t'
        ? `1,000,000 rows × 6 columns: CREATE TABLE AS ${ms(b)}; DuckDB → Arquero → DuckDB ${ms(r)} → ${ratio(r, b)} (goal ≤ 3×)`
        : `  same with \`${code}\`: CREATE TABLE AS ${ms(b)}; trip ${ms(r)} → ${ratio(r, b)}`;
    lines.push(
      head,
      `  phases (median of ${RUNS}): read columns (isolate getting ready meanwhile) ${ms(median(phases.read))}, hand over + Arquero table + code + export ${ms(median(phases.code))}, write back ${ms(median(phases.write))}; rows differing after the trip: ${missing}`,
    );
  }
  await state.close();
  conn.closeSync();
  instance.closeSync();
  return lines;
}
