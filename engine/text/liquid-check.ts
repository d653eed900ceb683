/** Strict templates: every variable a Liquid template reads must be a param, a known cell or a field of one. */
import { analyzeSync, type Variable } from 'liquidjs';
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import type { YamlPath, YamlSource } from '../source/source.js';
import { isTemplate, liquid } from './liquid.js';

/** What a cell offers a template: `<id>.rows`, `.first`, `.row_count`, `.columns` (tables), `.value` (values). */
export const CELL_FIELDS = ['rows', 'first', 'row_count', 'columns', 'value'] as const;

export interface TemplateNames {
  /** Cell ids a template may read (none for titles). */
  cellIds: readonly string[];
  paramNames: readonly string[];
}

/** Offset in `text` of a 1-based row/col. */
export function offsetOf(text: string, row: number, col: number): number {
  let offset = 0;
  for (const line of text.split('\n').slice(0, row - 1)) offset += line.length + 1;
  return offset + col - 1;
}

const withDym = (message: string, dym: string) => (dym ? `${message} — ${dym}` : message);

/**
 * Unknown names in a template (`{{ month_total.first.orders }}` when the cell is `month_totals`,
 * `{{ params.mnth }}`), each located in the YAML with a "did you mean". A template that does not
 * parse has none here (analyzeTemplate reports its syntax error).
 */
export function unknownTemplateNames(text: string, source: YamlSource, path: YamlPath, names: TemplateNames, partials?: string): UserError[] {
  if (!isTemplate(text)) return [];
  let globals: Record<string, Variable[]>;
  try {
    globals = analyzeSync(liquid(partials).parse(text), { partials: false }).globals;
  } catch {
    return [];
  }
  const errors: UserError[] = [];
  const at = (v: Variable) => source.locateInString(path, offsetOf(text, v.location.row, v.location.col));
  const reported = new Set<string>();
  const report = (key: string, v: Variable, code: string, message: string, hint: string) => {
    if (reported.has(key)) return;
    reported.add(key);
    errors.push(new UserError(code, message, { location: at(v), hint }));
  };
  for (const [root, uses] of Object.entries(globals)) {
    for (const v of uses) {
      const field = v.segments[1];
      if (root === 'params') {
        if (typeof field !== 'string' || names.paramNames.includes(field)) continue;
        const known = names.paramNames.length ? names.paramNames.join(', ') : 'none (declare them under `params:`)';
        report(`params.${field}`, v, 'E_LIQUID_UNKNOWN_PARAM', withDym(`unknown param '${field}' in {{ params.${field} }}`, didYouMean(field, names.paramNames)), `params of this notebook: ${known}`);
      } else if (names.cellIds.includes(root)) {
        if (typeof field !== 'string' || (CELL_FIELDS as readonly string[]).includes(field)) continue;
        report(
          `${root}.${field}`,
          v,
          'E_LIQUID_UNKNOWN_FIELD',
          withDym(`cell ${root} has no '${field}' for templates`, didYouMean(field, CELL_FIELDS)),
          `a template reads ${root}.${CELL_FIELDS.join(`, ${root}.`)}`,
        );
      } else {
        const candidates = ['params', ...names.cellIds];
        const known = names.cellIds.length ? `params and the cells ${names.cellIds.join(', ')}` : 'params only (titles see no cells)';
        report(root, v, 'E_LIQUID_UNKNOWN', withDym(`unknown variable '${root}' in a template`, didYouMean(root, candidates)), `a template reads ${known}`);
      }
    }
  }
  return errors;
}
