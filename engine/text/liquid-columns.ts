/**
 * The columns of cell tables a Liquid template names: `{{ kpis.first.revenue }}`,
 * `{{ kpis.rows[0].revenue }}`, `{{ kpis.rows.last.revenue }}`, `{{ r.revenue }}` in
 * `{% for r in kpis.rows %}`, and `kpis.rows | where: "region", "EU"` (map, sum, sort...). Names
 * reached another way (`assign`, a partial, a computed key) are not listed: what they read is
 * known only when the template renders.
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

/** Filters whose first argument names a property of each item: of each row, on `<cell>.rows`. */
const ROW_FILTERS = new Set(['where', 'reject', 'sort', 'sort_natural', 'map', 'sum', 'group_by', 'find', 'find_index', 'has']);
/** Those that hand on rows (the next filter in the chain reads rows too). */
const KEEP_ROWS = new Set(['where', 'reject', 'sort', 'sort_natural']);

type Token = { getText(): string; getPosition?(): number[]; input?: string; begin?: number; content?: unknown };
/** A Liquid value (`{{ ... }}`, `assign`, `echo`): its expression and its filters. */
type FilteredValue = { initial: { postfix: Token[] }; filters: { name: string; args: (Token | unknown[])[] }[] };

const isFilteredValue = (v: unknown): v is FilteredValue =>
  typeof v === 'object' && v !== null && Array.isArray((v as Partial<FilteredValue>).filters) && Array.isArray((v as Partial<FilteredValue>).initial?.postfix);

/**
 * Where a template reads `<cell>.rows` of a cell (not of a loop variable or an `assign` of that
 * name): `row:col` of each such expression, by the static analysis's globals.
 */
type RowsAt = ReadonlyMap<string, string>;

function rowsAt(globals: Record<string, Variable[]>, cellIds: readonly string[]): RowsAt {
  const at = new Map<string, string>();
  for (const cell of cellIds) {
    for (const v of globals[cell] ?? []) if (v.segments.length === 2 && v.segments[1] === 'rows') at.set(`${v.location.row}:${v.location.col}`, cell);
  }
  return at;
}

/** The cell whose rows `token` is, when it is the whole `<cell>.rows` expression. */
function rowsOf(token: Token | undefined, at: RowsAt): string | undefined {
  if (!token?.getPosition || !/^\s*[a-z_][a-z0-9_]*\s*\.\s*rows\s*$/.test(token.getText())) return undefined;
  const [row, col] = token.getPosition();
  return at.get(`${row}:${col}`);
}

/** `<cell>.rows | where: "status", "green"`, `| map: "revenue"`, `| sort: "x" | sum: "y"`: each plain column name a filter is given. */
function* filterColumns(text: string, value: FilteredValue, at: RowsAt): Generator<TemplateColumn> {
  const [initial, ...rest] = value.initial.postfix;
  const cell = rest.length ? undefined : rowsOf(initial, at);
  if (cell === undefined) return;
  for (const filter of value.filters) {
    if (!ROW_FILTERS.has(filter.name)) return;
    const arg = filter.args[0];
    // Only a quoted name of one column: `"a.b"` is a path, a variable is known when rendering.
    if (arg && !Array.isArray(arg) && /^["']/.test(arg.getText()) && typeof arg.content === 'string' && /^[^.[\]]+$/.test(arg.content)) {
      const offset = arg.input === text && arg.begin !== undefined ? arg.begin + 1 : 0;
      yield { cell, column: arg.content, offset, expression: `${cell}.rows | ${filter.name}: "${arg.content}"` };
    }
    if (!KEEP_ROWS.has(filter.name)) return;
  }
}

/** In a loop over `<cell>.rows`, the loop variable is a row: `r.revenue` (not once the body assigns `r`). */
function* loopColumns(text: string, loop: Loop, at: RowsAt): Generator<TemplateColumn> {
  const cell = rowsOf(loop.collection, at);
  if (cell === undefined) return;
  for (const v of analyzeSync(loop.templates, { partials: false }).globals[loop.variable] ?? []) yield* variableColumn(text, cell, v, 1);
}

/** The column at `segments[index]` of a variable that reads a row of `cell`. */
function* variableColumn(text: string, cell: string, v: Variable, index: number): Generator<TemplateColumn> {
  const column = v.segments[index];
  if (typeof column !== 'string' || NOT_COLUMNS.has(column)) return;
  const offset = segmentOffset(text, offsetOf(text, v.location.row, v.location.col), index);
  yield { cell, column, offset, expression: expressionOf(v.segments, index) };
}

/** A `for` or `tablerow` tag's loop variable, body and collection text. */
type Loop = Template & { variable: string; templates: Template[]; collection: Token };

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
  const found: TemplateColumn[] = [];
  try {
    const globals = analyzeSync(templates, { partials: false }).globals;
    for (const cell of cellIds) {
      for (const v of globals[cell] ?? []) {
        const index = columnIndex(v.segments);
        if (index > 0) found.push(...variableColumn(text, cell, v, index));
      }
    }
    const at = rowsAt(globals, cellIds);
    for (const node of walk(templates)) {
      const value = (node as { value?: unknown }).value;
      if (isFilteredValue(value)) found.push(...filterColumns(text, value, at));
      if (isLoop(node)) found.push(...loopColumns(text, node, at));
    }
  } catch {
    return []; // a template the analysis can't follow names nothing it can tell
  }
  const seen = new Set<string>();
  return found.filter((c) => !seen.has(`${c.cell}.${c.column}`) && seen.add(`${c.cell}.${c.column}`));
}
