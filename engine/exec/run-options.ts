import type { DuckDBInstance } from '@duckdb/node-api';
import type { ExecEvent } from './executor.js';
import type { Logger } from '../util/log.js';
import type { ExportFormat } from '../export/index.js';
import type { PaperSize, PdfRenderer } from '../report/pdf/index.js';
import type { RunManifest } from '../runs/runs.js';
import type { EngineState } from '../util/state.js';

/**
 * How a run uses the cell cache, the analysis memo and the chart memo:
 * `use` reads and writes them (the default), `refresh` runs every cell but stores the fresh
 * results (`--no-cache`), `off` neither reads nor writes them.
 */
export type CacheMode = 'use' | 'refresh' | 'off';

export const readsCache = (mode: CacheMode): boolean => mode === 'use';
export const writesCache = (mode: CacheMode): boolean => mode !== 'off';

export interface RunOptions {
  /** Param values by name: raw strings (`fromCli`) or typed values / relative words. */
  params?: Record<string, unknown>;
  fromCli?: boolean;
  /** The clock for relative dates and timestamps. */
  now?: () => Date;
  /** Overrides quire.yaml `runs_dir`. */
  runsDir?: string;
  trigger?: RunManifest['trigger'];
  /** Who starts the run (recorded as run.json `started_by`). */
  startedBy?: string;
  /** A fixed run id (the scheduler's: one per schedule and scheduled time); default: start time + random. */
  runId?: string;
  /** Aborting ends the run as `failed` with the reason. */
  signal?: AbortSignal;
  onEvent?: (e: ExecEvent) => void;
  /** Also receives every run-log line. */
  logger?: Logger;
  /** DuckDB threads of the run's session (default: DuckDB's, every core); `quire serve` leaves a core to itself. */
  threads?: number;
  /** Cells running at once (default 4). */
  concurrency?: number;
  /** Called once the run folder exists (e.g. to print where it is). */
  onStart?: (info: { runId: string; dir: string }) => void;
  /** Report formats (default: the notebook's `export:`, else html). */
  exports?: ExportFormat[];
  /** PDF paper size (default a4). */
  paper?: PaperSize;
  /** A PDF renderer shared by a batch of runs, so one browser serves them all. */
  pdf?: PdfRenderer;
  /** The websocket endpoint of a browser another process keeps warm (the scheduler's, for its run processes). */
  browserEndpoint?: string;
  /** The URL of a blank page that browser opened for this run, printed in instead of opening one. */
  browserPage?: string;
  /** The cell cache: `use` (default), `refresh` (`--no-cache`: run every cell, store the results) or `off`. */
  cache?: CacheMode;
  /** A DuckDB instance to run in (a sweep's pool) instead of a new one; it stays open. */
  duck?: DuckDBInstance;
  /** The engine state (pools, caches) of a long-lived process; default: the process's own (processState). */
  state?: EngineState;
}

export interface RunResult {
  manifest: RunManifest;
  dir: string;
  reportPath: string | null;
}
