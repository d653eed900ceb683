/**
 * Keeping a run's outputs so `quire export` can render it again: each finished cell's table as
 * Parquet while the run goes on, then outputs.json with the data stamp (engine/runs/tables.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Notebook } from '../notebook/load.js';
import type { Logger } from '../util/log.js';
import type { CellOutput } from '../outputs.js';
import type { RunManifest, RunStatus } from '../runs/runs.js';
import { RunTables, writeStoredOutputs, type StoredOutputs } from '../runs/tables.js';
import { databaseFiles, type CellCache } from '../cache/index.js';
import { failRun } from './manifest.js';

export class RunStore {
  private readonly tables: RunTables;
  private keepError: Error | null = null;

  constructor(
    private readonly dir: string,
    logger: Logger,
  ) {
    this.tables = new RunTables(dir, logger);
  }

  /**
   * executeDag's `keep`: saves a succeeded cell's table (linked from the cell cache's file when
   * there is one). After the first failure nothing more is saved; `error` tells it.
   */
  keeper(cache?: CellCache): (id: string, output: CellOutput, conn?: DuckDBConnection) => Promise<void> {
    return async (id, output, conn) => {
      try {
        if (!this.keepError) await this.tables.keep(id, output, { file: cache?.tableFile(id) ?? null, conn });
      } catch (err) {
        this.keepError ??= err as Error;
      }
    };
  }

  /** Why a table could not be saved, if one could not. */
  get error(): Error | null {
    return this.keepError;
  }

  /**
   * Ends the storing: outputs.json written with the status the cells left the run in. A table or
   * outputs.json that could not be saved fails the run; then null when outputs.json is missing.
   */
  save(nb: Notebook, outputs: ReadonlyMap<string, CellOutput | null>, manifest: RunManifest, theme: 'light' | 'dark'): StoredOutputs | null {
    if (this.keepError && manifest.status !== 'failed') failRun(manifest, `run outputs could not be saved: ${this.keepError.message}`);
    try {
      return this.writeOutputs(nb, outputs, { status: manifest.status, error: manifest.error, theme });
    } catch (err) {
      failRun(manifest, `run outputs could not be saved: ${(err as Error).message}`);
      return null;
    }
  }

  /** Writes outputs.json: every cell's output, the saved tables, the data stamp, the status the cells ended in. */
  writeOutputs(nb: Notebook, outputs: ReadonlyMap<string, CellOutput | null>, run: { status: RunStatus; error: string | null; theme: 'light' | 'dark' }): StoredOutputs {
    return writeStoredOutputs(this.dir, outputs, this.tables.stored, {
      status: run.status,
      error: run.error,
      description: nb.top.description ?? null,
      theme: run.theme,
      dataFiles: databaseFiles(nb),
    });
  }
}
