import { QuireError } from '../util/errors.js';
import { outputKindsOf, type CellType } from '../cell-type.js';
import type { CellOutput } from '../outputs.js';

/**
 * The output a cell type's run returned, checked against the kinds it declares: downstream cells,
 * the cache and the report trust that kind, so a mismatch is a bug in the cell type and fails the cell.
 */
export function checkOutputKind(cellType: Pick<CellType<never>, 'type' | 'outputKind'>, cellId: string, output: unknown): CellOutput {
  const declared: readonly string[] = outputKindsOf(cellType);
  const kind = output !== null && typeof output === 'object' ? (output as { kind?: unknown }).kind : undefined;
  if (typeof kind === 'string' && declared.includes(kind)) return output as CellOutput;
  const got = kind !== undefined ? `kind '${String(kind)}'` : output === null || output === undefined ? String(output) : 'an output without a kind';
  throw new QuireError('E_OUTPUT_KIND', `cell ${cellId}: cell type '${cellType.type}' returned ${got}, but declares outputKind ${declared.map((k) => `'${k}'`).join(' or ')}`, {
    kind: 'unexpected',
    hint: `a bug in the '${cellType.type}' cell type: its run() must return what its outputKind declares`,
  });
}
