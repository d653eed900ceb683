/** Which cells a report shows: `show:` when a cell says, else intermediate tables are hidden. */
import type { Notebook } from '../notebook/load.js';
import type { Dag } from '../plan/graph.js';
import { outputKindsOf } from '../cell-type.js';
import type { CellShow } from '../runs/runs.js';

/**
 * `show: true` → full, `false` → hidden, `summary` → a short preview. Without `show:`, a cell
 * whose only output is a table and that another cell reads (a chart's data, a text's rows, a
 * metric's source) is hidden; charts, metrics, text and final tables are shown. Hidden cells
 * stay in the run folder and in XLSX.
 */
export function cellVisibility(nb: Notebook, dag: Dag): Map<string, CellShow> {
  const used = new Set(dag.edges.map((e) => e.from));
  return new Map(
    nb.cells.map((c) => {
      const show = c.spec.show;
      if (show === true) return [c.spec.id, 'full'];
      if (show === false) return [c.spec.id, 'hidden'];
      if (show === 'summary') return [c.spec.id, 'summary'];
      const kinds = outputKindsOf(c.cellType);
      const tableOnly = kinds.length > 0 && kinds.every((k) => k === 'table');
      return [c.spec.id, tableOnly && used.has(c.spec.id) ? 'hidden' : 'full'];
    }),
  );
}
