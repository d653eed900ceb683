import type { DuckDBConnection } from '@duckdb/node-api';
import type { QuireError } from '../util/errors.js';
import { buildDag, type Dag } from './graph.js';
import { templateFieldErrors } from '../text/template-fields.js';
import { parseSqlBatch } from '../sql/parse.js';
import { isPeriodType } from '../params/index.js';
import type { Notebook } from '../notebook/load.js';
import { outputKindsOf, type CellInfo, type CellReads, type ColumnUse } from '../cell-type.js';
import { UserError } from '../util/errors.js';
import { checkSourceFile } from '../file-sources/index.js';
import { notebookSources, sourceDirectories } from '../notebook/sources.js';

/** Names a notebook's SQL may bind: each param, and `_start`/`_end` of period params. */
export function bindableParamNames(nb: Notebook): string[] {
  return Object.entries(nb.top.params ?? {}).flatMap(([name, spec]) => (isPeriodType(spec.type) ? [name, `${name}_start`, `${name}_end`] : [name]));
}

/** Sources whose file is missing or out of bounds, and cells named like a source (which of the two would `FROM name` read?). */
function sourceErrors(nb: Notebook, sources: ReturnType<typeof notebookSources>): UserError[] {
  const errors: UserError[] = [];
  const allowed = sourceDirectories(nb.project);
  for (const s of sources.values()) {
    const inNotebook = s.declaredIn === nb.displayPath;
    const at = ['sources', s.name, 'file'];
    const problem = checkSourceFile(s, allowed, inNotebook ? nb.source.locate(at) : nb.project.locate?.(at));
    if (problem) errors.push(problem);
  }
  for (const cell of nb.cells) {
    const s = sources.get(cell.spec.id);
    if (s) {
      errors.push(
        new UserError('E_SOURCE_SHADOWED', `cell ${cell.spec.id} has the name of source ${s.name} (${s.declaredIn})`, {
          location: nb.source.locate([...cell.path, 'id']),
          hint: 'a cell id and a source name would both be the table of that name: rename one',
        }),
      );
    }
  }
  return errors;
}

/** A column another cell's table must have, and the cell that names it. */
export type CellColumnUse = ColumnUse & { by: string };

/**
 * Everything `quire validate` checks beyond the schema: each cell's own analysis (SQL and
 * Liquid syntax...), template fields, and the DAG. Returns all problems, never only the first.
 */
export async function analyzeNotebook(nb: Notebook, parser: DuckDBConnection): Promise<{ dag: Dag; errors: QuireError[]; reads: Map<string, CellReads | undefined>; columns: CellColumnUse[] }> {
  const errors: QuireError[] = [];
  const reads = new Map<string, CellReads | undefined>();
  const columns: CellColumnUse[] = [];
  const paramNames = bindableParamNames(nb);
  const cellIds = nb.cells.map((c) => c.spec.id);
  const cells = new Map<string, CellInfo>(nb.cells.map((c) => [c.spec.id, { type: c.spec.type, outputKinds: outputKindsOf(c.cellType) }]));
  errors.push(...(await templateFieldErrors(nb.top.title, nb.source, ['title'], { cellIds: [], paramNames })));
  await parseSqlBatch(
    parser,
    nb.cells.flatMap((c) => c.cellType.sqlOf?.(c.spec) ?? []),
  );
  const graphCells = [];
  for (const cell of nb.cells) {
    const analysis = await cell.cellType.analyze(cell.spec, { parser, source: nb.source, path: cell.path, project: nb.project, paramNames, cellIds, cells, definitions: nb.top.definitions ?? {} });
    errors.push(...analysis.errors);
    reads.set(cell.spec.id, analysis.reads);
    for (const use of analysis.columns ?? []) columns.push({ ...use, by: cell.spec.id });
    if (cell.spec.title !== undefined) errors.push(...(await templateFieldErrors(cell.spec.title, nb.source, [...cell.path, 'title'], { cellIds: [], paramNames })));
    const connection = cell.cellType.connectionOf?.(cell.spec);
    const onServer = connection !== undefined && (nb.project.config.connections[connection]?.type ?? 'duckdb') !== 'duckdb';
    graphCells.push({ id: cell.spec.id, path: cell.path, dependsOn: cell.spec.depends_on ?? [], references: analysis.references, readsSources: !onServer });
  }
  const sources = notebookSources(nb);
  const { dag, errors: graphErrors } = buildDag(graphCells, nb.source, [...sources.keys()]);
  errors.push(...graphErrors, ...sourceErrors(nb, sources));
  return { dag, errors, reads, columns };
}
