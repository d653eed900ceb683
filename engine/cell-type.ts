import type { CacheDeclaration } from './connections/connection.js';
import * as z from 'zod';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { QuireError, SourceLocation } from './util/errors.js';
import type { BoundParams } from './duck/duck.js';
import type { CellOutput, TableOutput } from './outputs.js';
import type { YamlPath, YamlSource } from './source/source.js';
import type { Project } from './project.js';
import type { Connection } from './connections/connection.js';
import type { Logger } from './util/log.js';
import type { EngineState } from './util/state.js';

export const CELL_ID = /^[a-z_][a-z0-9_]*$/;

/** Keys every cell has; a cell type's schema extends these with its own. */
export const baseCellShape = {
  id: z.string().regex(CELL_ID, 'cell ids are lowercase letters, digits and _ (start with a letter or _)').describe('Unique id; the cell result is a table of this name'),
  type: z.string().describe('Cell type'),
  title: z.string().optional().describe('Heading in the report (Liquid over params)'),
  depends_on: z.array(z.string()).optional().describe('Cells that must run first, beside those found in the cell'),
  on_error: z.enum(['stop', 'continue']).optional().describe('stop (default): the run fails; continue: downstream cells are skipped'),
  show: z
    .union([z.boolean(), z.literal('summary')])
    .optional()
    .describe('In the report: true (in full), false (hidden; kept in XLSX and the run folder) or summary (the first rows). Default: hidden for a table another cell reads, shown otherwise'),
  expect: z
    .strictObject({
      rows: z
        .string()
        .regex(/^\s*(>=|<=|>|<|==|=|!=)?\s*\d+\s*$/, 'rows takes a count with an optional comparison, e.g. ">0", ">=12", "0"')
        .describe('Row count the result must have, e.g. ">0", ">=12", "==1"'),
      on_fail: z.enum(['fail', 'warn']).optional().describe('fail (default): the cell fails; warn: a warning in the log and report'),
    })
    .optional()
    .describe('What the result must look like; e.g. `expect: { rows: ">0" }` so an empty month fails instead of succeeding silently'),
};

export type BaseCell = {
  id: string;
  type: string;
  title?: string;
  depends_on?: string[];
  on_error?: 'stop' | 'continue';
  show?: boolean | 'summary';
  expect?: { rows: string; on_fail?: 'fail' | 'warn' };
};

/** `timeout_ms` of SQL cells: the engine interrupts the cell after it (default: quire.yaml `sql_timeout_ms`). */
export const SQL_TIMEOUT = z.number().int().positive().describe('Longest run in ms (default: sql_timeout_ms of quire.yaml, 1 hour); the query is interrupted after it');

/** Builds a cell type's strict schema: base keys + its own, `type` fixed to its name. */
export function cellSchema<T extends z.ZodRawShape>(type: string, shape: T) {
  return z.strictObject({ ...baseCellShape, type: z.literal(type), ...shape });
}

/** What the engine lends a cell type while checking a notebook (no cell has run). */
export interface AnalyzeContext {
  /** A connection for DuckDB's parser; nothing is executed on it. */
  parser: DuckDBConnection;
  source: YamlSource;
  /** Where this cell sits in the YAML, e.g. ['cells', 2]. */
  path: YamlPath;
  project: Project;
  paramNames: string[];
  /** Ids of every cell of the notebook (for checking references such as `inputs:`). */
  cellIds: readonly string[];
  /** Every cell of the notebook by id: its type and the output kinds that type declares. */
  cells: ReadonlyMap<string, CellInfo>;
  /** The notebook's inline `definitions:` (metric, slice and segment specs), if any. */
  definitions: NotebookDefinitions;
}

export type OutputKind = CellOutput['kind'];

/** What a cell tells the others before anything runs. */
export interface CellInfo {
  type: string;
  outputKinds: readonly OutputKind[];
}

export interface NotebookDefinitions {
  metrics?: Record<string, unknown>[];
  slices?: Record<string, unknown>[];
  segments?: Record<string, unknown>[];
}

export interface CellAnalysis {
  /** Names the cell reads that may be cell ids (SQL tables, template variables, inputs...). */
  references: string[];
  /** Located problems (syntax errors...). Empty when the cell is fine. */
  errors: QuireError[];
  /** What the cell's result depends on besides upstream cells, for the cell cache (engine/cache). Absent: the conservative default. */
  reads?: CellReads;
  /** Columns of other cells' tables the cell names; validate checks each against the columns the binder finds. */
  columns?: ColumnUse[];
}

/**
 * A column of another cell's table that a cell names: a chart field, a template's
 * `{{ kpis.first.revenue }}`. List only names the run would fail or print blank without; a name a
 * transform or a variable makes is not one.
 */
export interface ColumnUse {
  /** The cell whose table must have the column. */
  cell: string;
  column: string;
  location: SourceLocation;
  /** The error's code when the column is missing. */
  code: string;
  /** How the use reads in the message: `field 'revnue'`, `'revnue' in {{ kpis.first.revnue }}`. */
  what: string;
}

/**
 * What a cell reads besides its upstream cells. The cache keys a cell on these, so a cell type
 * that under-declares gets stale results: when unsure, leave a field out (its default is safe).
 */
export interface CellReads {
  /** Params whose values the result depends on (default: every param). */
  params?: string[];
  /** Reads the project's databases (default true). */
  database?: boolean;
  /** Files read, as written (relative to the project root; globs allowed). */
  files?: string[];
  /** Never served from the cache: writes, or reads the clock or randomness (default false). */
  volatile?: boolean;
  /** The connection whose data it reads (its fingerprint keys the cell); default: every database of the session. */
  connection?: string;
  /** Its own `cache:` (a server connection's cells): replaces the connection's for this cell. */
  cache?: CacheDeclaration;
}

/** Upstream results as a cell sees them. */
export interface UpstreamResult {
  id: string;
  output: CellOutput;
}

export interface RunContext {
  cellId: string;
  /** A connection of this cell alone; result tables go into the results catalog under the cell id. */
  conn: DuckDBConnection;
  params: BoundParams;
  project: Project;
  definitions: NotebookDefinitions;
  /** Ids of every cell of the notebook. */
  cellIds: readonly string[];
  source: YamlSource;
  path: YamlPath;
  logger: Logger;
  signal: AbortSignal;
  /** Upstream outputs by id (tables are previews; read more with readTable). */
  upstream: ReadonlyMap<string, UpstreamResult>;
  /** A connection of the run by name (quire.yaml `connections:`); default: the project database. */
  connection(name?: string): Connection;
  /** Reads up to `limit` rows of a cell's result table. */
  readTable(id: string, limit: number, rowCount?: number): Promise<TableOutput>;
  /** Pools and caches kept between runs by the process's engine (see engine/util/state.ts). */
  state: EngineState;
}

/** A cell type: one file in cells/, one line in cells/index.ts. */
export interface CellType<S extends BaseCell = BaseCell> {
  type: string;
  description: string;
  schema: z.ZodType<S>;
  /** What kind of output a successful run returns (several when it depends on the cell); the engine checks it. */
  outputKind: OutputKind | readonly OutputKind[];
  analyze(spec: S, ctx: AnalyzeContext): Promise<CellAnalysis>;
  run(spec: S, ctx: RunContext): Promise<CellOutput>;
  /** True when the cell writes to the database (the database is then attached read-write). */
  writes?(spec: S): boolean;
  /** The named connection it runs on, when not the project database (its database is then the one written to). */
  connectionOf?(spec: S): string | undefined;
  /** How long the engine lets the cell run before it interrupts it (ms); none: no engine limit. */
  timeoutMs?(spec: S, project: Project): number | undefined;
  /** SQL texts `analyze` will parse: the engine parses every cell's in one batch first. */
  sqlOf?(spec: S): string[];
}

/** The output kinds a cell type declares, as a list. */
export function outputKindsOf(cellType: Pick<CellType<never>, 'outputKind'>): readonly OutputKind[] {
  return typeof cellType.outputKind === 'string' ? [cellType.outputKind] : cellType.outputKind;
}

/** The cell types a notebook may use (cells/index.ts holds the built-in ones). */
export type CellTypes = readonly CellType<BaseCell>[];
