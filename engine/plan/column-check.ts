/** Columns that charts and templates name, checked against the result columns the binder found (engine/plan/bind.ts). */
import { distance } from 'fastest-levenshtein';
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import type { CellColumnUse } from './analyze.js';

/** Columns listed in a hint; a wide table's others are counted. */
const HINT_COLUMNS = 12;

/** The columns, the closest to `word` first (ties keep the table's order). */
export function closestFirst(word: string, columns: readonly string[]): string[] {
  return columns
    .map((name, i) => ({ name, i, d: distance(word.toLowerCase(), name.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map((c) => c.name);
}

function columnsHint(cell: string, column: string, columns: readonly string[]): string {
  if (!columns.length) return `${cell} has no columns`;
  const sorted = closestFirst(column, columns);
  const shown = sorted.slice(0, HINT_COLUMNS).join(', ');
  const more = sorted.length > HINT_COLUMNS ? ` and ${sorted.length - HINT_COLUMNS} more` : '';
  return `columns of ${cell}, closest first: ${shown}${more}`;
}

/**
 * One located error per use of a column its cell's table lacks. Only cells in `columns` are
 * checked: the others' columns (code cells, other connections, files...) are known at run time only.
 */
export function unknownColumns(uses: readonly CellColumnUse[], columns: ReadonlyMap<string, readonly string[]>): UserError[] {
  const errors: UserError[] = [];
  for (const use of uses) {
    const known = columns.get(use.cell);
    if (!known || known.includes(use.column)) continue;
    const dym = didYouMean(use.column, known);
    errors.push(
      new UserError(use.code, `cell ${use.by}: ${use.what} is not a column of ${use.cell}${dym ? ` — ${dym}` : ''}`, {
        location: use.location,
        hint: columnsHint(use.cell, use.column, known),
      }),
    );
  }
  return errors;
}
