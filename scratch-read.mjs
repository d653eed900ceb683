import { DuckDBInstance } from '@duckdb/node-api';
const f = process.argv[2];
const i = await DuckDBInstance.create(':memory:', { threads: process.argv[3] ?? '2' }); const c = await i.connect();
const t0 = performance.now();
const r = await c.stream(`SELECT CAST(id AS DOUBLE), CAST(amount AS DOUBLE), CASE WHEN isfinite(day) THEN CAST(date_diff('day', DATE '1899-12-30', day) AS DOUBLE) END, CAST(label AS VARCHAR) FROM read_parquet('${f}')`);
let n = 0;
for (;;) { const ch = await r.fetchChunk(); if (!ch || ch.rowCount === 0) break; ch.getColumns(); n += ch.rowCount; }
console.log(n, (performance.now() - t0).toFixed(0), 'ms');
