/**
 * `email.send_if:` gates: Liquid conditions over the run's cells, params and the run itself,
 * e.g. "{{ checks.first.failed == 0 }}" or "{{ run.data_age_hours < 26 }}". A condition passes
 * when it renders to `true` (or a non-empty value other than false/0/nil); a render error holds.
 * Cells are seen as in text cells: <id>.rows (the stored preview rows), .first, .row_count,
 * .columns, .value.
 */
import { plainLiquid } from '../text/liquid.js';
import type { RunManifest } from '../runs/runs.js';
import { tableOf, type TableOutput, type TableValue } from '../outputs.js';
import { loadStoredOutputs } from '../runs/tables.js';
import type { GateResult } from './record.js';

const EXACT_NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DECIMAL|FLOAT|DOUBLE|REAL)/;

function rowObjects(t: TableOutput): Record<string, TableValue>[] {
  const numeric = t.columns.map((c) => EXACT_NUMERIC.test(c.type));
  return t.rows.map((row) =>
    Object.fromEntries(
      row.map((v, i) => {
        if (numeric[i] && typeof v === 'string' && Number.isFinite(Number(v))) return [t.columns[i]!.name, Number(v)];
        return [t.columns[i]!.name, v];
      }),
    ),
  );
}

/** The Liquid scope of a run: params, run facts, and each cell's output. */
export function gateScope(runDir: string, manifest: RunManifest): Record<string, unknown> {
  let asOf: string | null = null;
  const scope: Record<string, unknown> = { params: manifest.params };
  try {
    const stored = loadStoredOutputs(runDir, manifest.id);
    asOf = stored.data?.asOf ?? null;
    for (const [id, out] of Object.entries(stored.outputs)) {
      const table = tableOf(out);
      if (table) {
        const rows = rowObjects(table);
        scope[id] = { rows, first: rows[0] ?? null, row_count: table.rowCount, columns: table.columns.map((c) => c.name) };
      } else if (out.kind === 'value') scope[id] = { value: out.value };
    }
  } catch {
    /* no stored outputs: conditions over cells render empty and hold */
  }
  const started = Date.parse(manifest.started_at);
  scope.run = {
    id: manifest.id,
    status: manifest.status,
    started_at: manifest.started_at,
    finished_at: manifest.finished_at,
    data_as_of: asOf,
    data_age_hours: asOf ? (started - Date.parse(asOf)) / 3_600_000 : null,
    failed_cells: manifest.cells.filter((c) => c.status === 'failed').length,
  };
  return scope;
}

export function evaluateGates(conditions: string[], scope: Record<string, unknown>): GateResult[] {
  const engine = plainLiquid();
  return conditions.map((condition) => {
    try {
      const output = engine.parseAndRenderSync(condition, scope).trim();
      const passed = output !== '' && !['false', '0', 'nil', 'null'].includes(output.toLowerCase());
      return { condition, passed, output, error: null };
    } catch (err) {
      return { condition, passed: false, output: '', error: (err as Error).message.split('\n')[0]! };
    }
  });
}
