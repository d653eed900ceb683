/**
 * What a report shows, independent of its format (HTML now; PDF and XLSX render the same model).
 * Renderers switch on `output.kind`, never on cell types.
 */
export interface ReportModel {
  title: string;
  description?: string;
  notebook: { id: string; path: string; sha256: string };
  params: Record<string, unknown>;
  run: {
    id: string;
    status: 'succeeded' | 'failed' | 'partial' | 'running';
    startedAt: string;
    finishedAt: string | null;
    durationMs: number | null;
    /** Why a failed run failed, when it is not one cell's error (e.g. interrupted by SIGTERM). */
    failure?: string | null;
  };
  cells: ReportCell[];
}

export interface ReportCell {
  id: string;
  type: string;
  title?: string;
  status: 'succeeded' | 'failed' | 'skipped';
  /** Why a skipped cell was skipped, e.g. "upstream cell orders failed". */
  skippedReason?: string;
  error?: ReportError | null;
  output?: CellOutput | null;
}

export interface ReportError {
  code: string;
  message: string;
  /** `file:line:col` when known. */
  location?: string | null;
  /** Source line(s) around the problem, e.g. the failing SQL line. */
  snippet?: string | null;
  hint?: string | null;
}

/** A column's DuckDB type name as DuckDB prints it: INTEGER, DOUBLE, DECIMAL(18,2), DATE, TIMESTAMP, VARCHAR, BOOLEAN, ... */
export interface TableColumn {
  name: string;
  type: string;
}

/** JSON-safe cell values: numbers; BIGINT/HUGEINT/DECIMAL as strings of digits; dates 'YYYY-MM-DD'; timestamps 'YYYY-MM-DD HH:MM:SS[.fff]'; lists/structs as JSON values. */
export type TableValue = string | number | boolean | null | TableValue[] | { [k: string]: TableValue };

export interface TableOutput {
  kind: 'table';
  columns: TableColumn[];
  /** The first rows only (a preview), row-major. */
  rows: TableValue[][];
  rowCount: number;
}

/** Rendered, already-escaped HTML of a text cell. */
export interface TextOutput {
  kind: 'text';
  html: string;
}

export interface ValueOutput {
  kind: 'value';
  value: unknown;
}

export type CellOutput = TableOutput | TextOutput | ValueOutput;

/** The DuckDB-backed table behind an output, if it has one (row counts, text-cell rows, exports). */
export function tableOf(output: CellOutput | null | undefined): TableOutput | null {
  if (!output) return null;
  if (output.kind === 'table') return output;
  return null;
}
