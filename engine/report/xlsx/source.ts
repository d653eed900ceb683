/**
 * Where the rows of a table sheet come from: the Parquet copy stored in the run folder (all rows,
 * streamed in chunks through an in-memory DuckDB), else the preview rows of the report model.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBInstance, DuckDBConnection } from '@duckdb/node-api';
import type { TableOutput } from '../../outputs.js';
import { sqlString } from '../../duck/sql-text.js';
import type { StoredTable } from '../../runs/tables.js';
import { previewValue, type ColumnPlan, type XlsxValue } from './columns.js';

/** Column-major rows: `chunk[col][row]`. */
export type Chunk = XlsxValue[][];

export interface SheetRows {
  /** Rows this source will yield (after any limit). */
  rows: number;
  /** Whether those are all the table's rows (false: the preview only). */
  complete: boolean;
  chunks(): AsyncIterable<{ columns: Chunk; length: number }>;
}

export interface TableSource {
  /** Whether every row of the table is available (else the preview is). */
  complete(cellId: string, preview: TableOutput): boolean;
  open(cellId: string, preview: TableOutput, plans: ColumnPlan[], limit: number): Promise<SheetRows>;
  close(): void;
}

/** The preview rows of the report model only. */
export function previewSource(): TableSource {
  return {
    complete: (_id, preview) => preview.rows.length >= preview.rowCount,
    async open(_id, preview, plans, limit) {
      const rows = preview.rows.slice(0, limit);
      return {
        rows: rows.length,
        complete: preview.rows.length >= preview.rowCount,
        async *chunks() {
          yield { columns: plans.map((p, i) => rows.map((r) => previewValue(r[i], p.kind))), length: rows.length };
        },
      };
    },
    close() {},
  };
}

/** Parquet files stored beside the run (see store.ts); tables without one fall back to the preview. */
export function parquetSource(dir: string, tables: Record<string, StoredTable>): TableSource {
  let db: Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> | undefined;
  const fallback = previewSource();
  const connect = () =>
    (db ??= (async () => {
      // Loaded here: a report without stored tables (or an HTML export) does not load DuckDB.
      // The package is CommonJS: its exports object is the default export (the CLI bundle keeps only that one).
      const { DuckDBInstance } = (await import('@duckdb/node-api')).default;
      const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
      return { instance, conn: await instance.connect() };
    })());
  const fileOf = (id: string) => (tables[id] ? join(dir, tables[id].file) : null);
  return {
    complete: (id, preview) => {
      const file = fileOf(id);
      return file !== null && existsSync(file) ? true : fallback.complete(id, preview);
    },
    async open(id, preview, plans, limit) {
      const stored = tables[id];
      const file = stored ? join(dir, stored.file) : null;
      if (!stored || !file || !existsSync(file)) return fallback.open(id, preview, plans, limit);
      const { conn } = await connect();
      const rows = Math.min(stored.rows, limit);
      const sql = `SELECT ${plans.map((p) => p.sql).join(', ')} FROM read_parquet(${sqlString(file)}) LIMIT ${Math.max(0, Math.floor(limit))}`;
      return {
        rows,
        complete: rows >= stored.rows,
        async *chunks() {
          const result = await conn.stream(sql);
          for (;;) {
            const chunk = await result.fetchChunk();
            if (!chunk || chunk.rowCount === 0) break;
            yield { columns: chunk.getColumns() as Chunk, length: chunk.rowCount };
          }
        },
      };
    },
    close() {
      db?.then(
        ({ instance, conn }) => {
          conn.closeSync();
          instance.closeSync();
        },
        () => undefined, // it never opened: the export already failed with the reason
      );
      db = undefined;
    },
  };
}
