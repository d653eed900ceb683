// One XLSX measurement in its own process (so peak RSS is this writer's alone):
//   stream:  quire's writer (exceljs streaming + Parquet source) over a stored run
//   exceljs: exceljs's non-streaming Workbook with the same typed rows
// Prints {"seconds", "rssMb", "rows"} on its last line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { DuckDBInstance } from '@duckdb/node-api';
import { buildReportModel } from '../engine/report/build-model.js';
import { planColumns } from '../engine/report/xlsx/columns.js';
import { parquetSource, writeXlsx } from '../engine/report/xlsx/index.js';
import { loadStoredOutputs, outputsMap } from '../engine/runs/tables.js';
import { sqlString } from '../engine/duck/duck.js';
import type { RunManifest } from '../engine/runs/runs.js';
import type { TableOutput } from '../engine/outputs.js';

const [mode, runDir, out] = process.argv.slice(2) as ['stream' | 'exceljs', string, string];
const manifest = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunManifest;
const stored = loadStoredOutputs(runDir, manifest.id);
const model = buildReportModel(manifest, outputsMap(stored));
const t0 = performance.now();
let rows = 0;

let error: string | null = null;
try {
  if (mode === 'stream') {
    await writeXlsx(model, out, { source: parquetSource(runDir, stored.tables) });
    rows = Object.values(stored.tables).reduce((n, t) => n + t.rows, 0);
  } else {
    // The same sheets the streaming writer makes (a header, typed values, number formats), held in memory.
    const wb = new ExcelJS.Workbook();
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    for (const [id, t] of Object.entries(stored.tables)) {
      const preview = model.cells.find((c) => c.id === id)!.output as TableOutput;
      const plans = planColumns(t.columns, preview.rows);
      const ws = wb.addWorksheet(id, { views: [{ state: 'frozen', ySplit: 1 }] });
      ws.columns = plans.map((p) => ({ header: p.name, key: p.name, width: p.width, style: p.numFmt ? { numFmt: p.numFmt } : {} }));
      ws.getRow(1).font = { bold: true };
      const reader = await conn.stream(`SELECT ${plans.map((p) => p.sql).join(', ')} FROM read_parquet(${sqlString(join(runDir, t.file))})`);
      for (;;) {
        const chunk = await reader.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const columns = chunk.getColumns();
        for (let i = 0; i < chunk.rowCount; i++) ws.addRow(columns.map((c) => c[i]));
        rows += chunk.rowCount;
      }
      ws.autoFilter = `A1:${String.fromCharCode(64 + plans.length)}${rows + 1}`;
    }
    // A progress line: if writeFile never ends, the bench still knows how far this got.
    console.log(JSON.stringify({ phase: 'rows added', seconds: (performance.now() - t0) / 1000, rssMb: process.resourceUsage().maxRSS / 1024, rows }));
    await wb.xlsx.writeFile(out);
  }
} catch (err) {
  error = (err as Error).message.split('\n')[0]!;
}

const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ seconds, rssMb: process.resourceUsage().maxRSS / 1024, rows, ...(error ? { error } : {}) }));
