import type { CellOutput, DataStamp } from '../outputs.js';

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
  /** Colour theme of the HTML report (quire.yaml / notebook `theme:`); PDF and XLSX are always light. */
  theme?: 'light' | 'dark';
  /** Provenance of the data shown: when it was last changed and a fingerprint of every result table. */
  data?: DataStamp | null;
}

export interface ReportCell {
  id: string;
  type: string;
  title?: string;
  status: 'succeeded' | 'failed' | 'skipped';
  /** Why a skipped cell was skipped, e.g. "upstream cell orders failed". */
  skippedReason?: string;
  error?: ReportError | null;
  /** Problems that did not fail the cell (an `expect:` with `on_fail: warn`), shown above its output. */
  warnings?: ReportError[];
  output?: CellOutput | null;
  /** How the report shows it (absent: in full). Hidden cells are left out of HTML/PDF, kept in XLSX. */
  show?: 'full' | 'summary' | 'hidden';
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
