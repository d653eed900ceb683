/**
 * The columns of cell tables a Liquid template names: `{{ kpis.first.revenue }}`,
 * `{{ kpis.rows[0].revenue }}`, `{{ kpis.rows.last.revenue }}`, and `{{ r.revenue }}` in
 * `{% for r in kpis.rows %}`. Names reached another way (`assign`, a partial, a computed key) are
 * not listed: what they read is known only when the template renders.
 */
import { analyzeSync, type Template, type Variable } from 'liquidjs';
import { offsetOf } from './liquid-check.js';

export interface TemplateColumn {
  cell: string;
  column: string;
  /** Where the column's name starts in the template text. */
  offset: number;
  /** The expression up to the column, as written for a message: `kpis.first.revenue`. */
  expression: string;
}

/** A row object's `size` is its number of keys (Liquid), not a missing column. */
const NOT_COLUMNS = new Set(['size']);

/** Index of the segment holding the column in `<cell>.first.<col>` / `<cell>.rows[i].<col>`, or -1. */
function columnIndex(segments: Variable['segments']): number {
  if (segments[1] === 'first') return 2;
  if (segments[1] !== 'rows') return -1;
  const row = segments[2];
  // rows[0], rows[-1], rows[i] (an index variable), rows.first, rows.last
  return typeof row === 'number' || (typeof row === 'object' && row !== null) || row === 'first' || row === 'last' ? 3 : -1;
}

const IDENT = /[\w?-]/;

/** Offset of segment `index` of the variable starting at `start` (after `.`, or inside `["..."]`); `start` when the text is not what was expected. */
function segmentOffset(text: string, start: number, index: number): number {
  let i = start;
  while (i < text.length && IDENT.test(text[i]!)) i++;
  for (let seg = 1; seg <= index; seg++) {
    while (text[i] === ' ') i++;
    if (text[i] === '.') {
      i++;
      while (text[i] === ' ') i++;
      if (seg === index) return i;
      while (i < text.length && IDENT.test(text[i]!)) i++;
    } else if (text[i] === '[') {
      let j = i + 1;
      while (text[j] === ' ') j++;
      if (seg === index) return text[j] === '"' || text[j] === "'" ? j + 1 : j;
      let depth = 0;
      for (; i < text.length; i++) {
        if (text[i] === '[') depth++;
        else if (text[i] === ']' && --depth === 0) break;
      }
      i++;
    } else return start;
  }
  return start;
}

function expressionOf(segments: Variable['segments'], upTo: number): string {
  let out = String(segments[0]);
  for (const s of segments.slice(1, upTo + 1)) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string') out += /^[A-Za-z_][\w-]*$/.test(s) ? `.${s}` : `["${s}"]`;
    else out += '[…]';
  }
  return out;
}

/** A `for` or `tablerow` tag's loop variable, body and collection text. */
type Loop = Template & { variable: string; templates: Template[]; collection: { getText(): string } };

const isLoop = (t: Template): t is Loop =>
  typeof (t as Partial<Loop>).variable === 'string' && Array.isArray((t as Partial<Loop>).templates) && typeof (t as Partial<Loop>).collection?.getText === 'function';

/** Every template under `templates`, loops' bodies included; partials are not followed. */
function* walk(templates: readonly Template[]): Generator<Template> {
  for (const t of templates) {
    yield t;
    if (!t.children || t.partialScope) continue;
    const step = t.children(false, true).next();
    if (step.done) yield* walk(step.value);
  }
}

/** The columns of the cells in `cellIds` that `templates` (the parse of `text`) name, each once. */
export function templateColumns(text: string, templates: Template[], cellIds: readonly string[]): TemplateColumn[] {
  const out: TemplateColumn[] = [];
  const seen = new Set<string>();
  const add = (cell: string, v: Variable, index: number) => {
    const column = v.segments[index];
    if (typeof column !== 'string' || NOT_COLUMNS.has(column) || seen.has(`${cell}.${column}`)) return;
    seen.add(`${cell}.${column}`);
    const start = offsetOf(text, v.location.row, v.location.col);
    out.push({ cell, column, offset: segmentOffset(text, start, index), expression: expressionOf(v.segments, index) });
  };
  let globals: Record<string, Variable[]>;
  try {
    globals = analyzeSync(templates, { partials: false }).globals;
  } catch {
    return [];
  }
  for (const id of cellIds) {
    for (const v of globals[id] ?? []) {
      const index = columnIndex(v.segments);
      if (index > 0) add(id, v, index);
    }
  }
  for (const loop of walk(templates)) {
    if (!isLoop(loop)) continue;
    const cell = /^\s*([a-z_][a-z0-9_]*)\s*\.\s*rows\s*$/.exec(loop.collection.getText())?.[1];
    if (cell === undefined || !cellIds.includes(cell)) continue;
    let body: Record<string, Variable[]>;
    try {
      body = analyzeSync(loop.templates, { partials: false }).globals;
    } catch {
      continue;
    }
    // In its body the loop variable is a row: `r.revenue` (unless the body assigns it).
    for (const v of body[loop.variable] ?? []) add(cell, v, 1);
  }
  return out;
}
