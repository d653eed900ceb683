/** Full Vega-Lite specs from a notebook: the data cell's rows injected, every field checked against its columns. */
import type { TableOutput } from '../../outputs.js';
import { ChartSpecError, FieldError } from './data.js';
import { CHART_HEIGHT, CHART_WIDTH } from './theme.js';

type Spec = Record<string, unknown>;
type Path = (string | number)[];

const isObject = (v: unknown): v is Spec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The column a Vega-Lite field reference reads: `a\.b` is the column `a.b`, `a.b` reads column `a`. */
function columnOfField(field: string): string {
  let out = '';
  for (let i = 0; i < field.length; i++) {
    const ch = field[i]!;
    if (ch === '\\' && i + 1 < field.length) {
      out += field[++i];
      continue;
    }
    if (ch === '.' || ch === '[') break;
    out += ch;
  }
  return out;
}

/** Names that transforms create (`as`, fold/density defaults...), which fields may use besides columns. */
function derivedNames(spec: unknown, out: Set<string>, opaque: { value: boolean }): void {
  if (Array.isArray(spec)) {
    for (const s of spec) derivedNames(s, out, opaque);
    return;
  }
  if (!isObject(spec)) return;
  for (const [key, value] of Object.entries(spec)) {
    if (key === 'transform' && Array.isArray(value)) {
      for (const t of value) {
        if (!isObject(t)) continue;
        if ('pivot' in t || 'lookup' in t) opaque.value = true; // creates columns named by data values
        if ('fold' in t && !('as' in t)) for (const n of ['key', 'value']) out.add(n);
        if ('density' in t && !('as' in t)) for (const n of ['value', 'density']) out.add(n);
        if ('quantile' in t && !('as' in t)) for (const n of ['prob', 'value']) out.add(n);
        if (('regression' in t || 'loess' in t) && !('as' in t)) {
          out.add(String(t.regression ?? t.loess));
          out.add(String(t.on));
        }
        collectAs(t, out);
      }
    } else if (key !== 'data' && key !== 'datasets') derivedNames(value, out, opaque);
  }
}

function collectAs(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) collectAs(n, out);
    return;
  }
  if (!isObject(node)) return;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'as') {
      if (typeof v === 'string') out.add(v);
      else if (Array.isArray(v)) {
        for (const n of v) if (typeof n === 'string') out.add(n);
      }
    } else collectAs(v, out);
  }
}

/** Every `field: "..."` under an `encoding` (at any depth of layer/concat/facet), with its path. */
function encodingFields(spec: unknown, path: Path, inEncoding: boolean, out: { field: string; path: Path }[]): void {
  if (Array.isArray(spec)) {
    spec.forEach((s, i) => {
      encodingFields(s, [...path, i], inEncoding, out);
    });
    return;
  }
  if (!isObject(spec)) return;
  for (const [key, value] of Object.entries(spec)) {
    if (key === 'data' || key === 'datasets' || key === 'transform') continue;
    if (inEncoding && key === 'field' && typeof value === 'string') out.push({ field: value, path: [...path, key] });
    else encodingFields(value, [...path, key], inEncoding || key === 'encoding' || key === 'facet', out);
  }
}

/**
 * The columns of the data a spec's encodings read, each with where it is named: fields a
 * transform makes are left out, and none are listed when a transform makes columns named by data
 * values (pivot, lookup).
 */
export function vegaLiteColumns(user: Spec, path: Path = ['vega_lite']): { column: string; path: Path }[] {
  const derived = new Set<string>();
  const opaque = { value: false };
  derivedNames(user, derived, opaque);
  if (opaque.value) return [];
  const fields: { field: string; path: Path }[] = [];
  encodingFields(user, path, false, fields);
  return fields.filter((f) => !derived.has(columnOfField(f.field)) && !derived.has(f.field)).map((f) => ({ column: columnOfField(f.field), path: f.path }));
}

/**
 * The user's spec with `data.values` set to the rows; throws a FieldError for a field that is
 * neither a column nor made by a transform. `path` is where the spec sits in the cell.
 */
export function vegaLiteSpec(user: Spec, table: TableOutput, values: Record<string, unknown>[], dataId: string, path: Path = ['vega_lite']): Spec {
  if ('data' in user && !(isObject(user.data) && Object.keys(user.data).every((k) => k === 'format' || k === 'name'))) {
    throw new ChartSpecError('a vega_lite spec gets its data from `data:` of the cell; remove `data` from the spec', [...path, 'data'], 'the rows of the `data:` cell are injected as data.values');
  }
  const columns = new Set(table.columns.map((c) => c.name));
  for (const f of vegaLiteColumns(user, path)) {
    if (!columns.has(f.column)) throw new FieldError(f.column, f.path, table.columns, dataId);
  }
  const spec = structuredClone(user);
  spec.data = { ...(isObject(user.data) ? user.data : {}), values };
  // A single view without a size gets the report's (Vega-Lite's own default is a 200 px thumbnail).
  const composite = ['facet', 'repeat', 'concat', 'hconcat', 'vconcat'].some((k) => k in spec);
  if (!composite && spec.width === undefined) spec.width = CHART_WIDTH;
  if (!composite && spec.height === undefined) spec.height = CHART_HEIGHT;
  if (!('$schema' in spec)) spec.$schema = 'https://vega.github.io/schema/vega-lite/v6.json';
  return spec;
}
