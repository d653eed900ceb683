import type { z } from 'zod';
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import type { YamlPath, YamlSource } from './source.js';

type AnySchema = z.core.$ZodType;

/** Descends a zod schema along a data path (objects, arrays, records, wrappers, unions). */
function schemaAt(schema: AnySchema | undefined, path: YamlPath): AnySchema | undefined {
  let cur = schema;
  for (const key of path) {
    cur = unwrap(cur);
    if (!cur) return undefined;
    const def = cur._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'object') cur = (def.shape as Record<string, AnySchema>)[String(key)];
    else if (def.type === 'array') cur = def.element as AnySchema;
    else if (def.type === 'record') cur = def.valueType as AnySchema;
    else if (def.type === 'union') {
      const options = def.options as AnySchema[];
      cur = options.map((o) => schemaAt(o, [key])).find(Boolean);
    } else return undefined;
  }
  return unwrap(cur);
}

function unwrap(schema: AnySchema | undefined): AnySchema | undefined {
  let cur = schema;
  for (let i = 0; cur && i < 10; i++) {
    const def = cur._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') cur = def.innerType as AnySchema;
    else if (def.type === 'pipe') cur = def.in as AnySchema;
    else if (def.type === 'lazy') cur = (def.getter as () => AnySchema)();
    else break;
  }
  return cur;
}

/** The keys a map at `path` may have, for "did you mean". */
export function allowedKeys(schema: AnySchema, path: YamlPath): string[] {
  const s = schemaAt(schema, path);
  if (!s) return [];
  const def = s._zod.def as unknown as Record<string, unknown>;
  if (def.type === 'object') return Object.keys(def.shape as object);
  if (def.type === 'union') {
    return [...new Set((def.options as AnySchema[]).flatMap((o) => allowedKeys(o, [])))];
  }
  return [];
}

export function describePath(path: YamlPath): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '') || 'notebook';
}

/**
 * Turns zod issues into located UserErrors. `prefix` is where `schema`'s data sits in the file
 * (e.g. ['cells', 3] when a single cell was validated).
 */
export function zodIssuesToErrors(issues: readonly z.core.$ZodIssue[], source: YamlSource, schema: AnySchema, prefix: YamlPath = []): UserError[] {
  const out: UserError[] = [];
  for (const issue of issues) {
    const rel = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    const path = [...prefix, ...rel];
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, rel);
      for (const key of issue.keys) {
        const dym = didYouMean(key, allowed);
        out.push(
          new UserError('E_UNKNOWN_KEY', `unknown key '${key}' in ${describePath(path)}${dym ? ` — ${dym}` : ''}`, {
            location: source.locateKey(path, key),
            hint: allowed.length ? `allowed keys here: ${allowed.join(', ')}` : 'remove this key',
          }),
        );
      }
      continue;
    }
    if (issue.code === 'invalid_value' && 'values' in issue) {
      const got = valueAt(source, path);
      const values = (issue.values as unknown[]).map(String);
      const dym = typeof got === 'string' ? didYouMean(got, values) : '';
      out.push(
        new UserError('E_SCHEMA', `${describePath(path)}: ${JSON.stringify(got)} is not one of ${values.join(', ')}${dym ? ` — ${dym}` : ''}`, {
          location: source.locate(path),
          hint: `use one of: ${values.join(', ')}`,
        }),
      );
      continue;
    }
    const missing = issue.code === 'invalid_type' && valueAt(source, path) === undefined;
    out.push(
      new UserError('E_SCHEMA', missing ? `${describePath(path)} is required` : `${describePath(path)}: ${issue.message}`, {
        location: source.locate(path),
        hint: missing ? `add '${String(path[path.length - 1])}:' here (see the notebook format)` : 'see the notebook format (quire schema prints the JSON Schema)',
      }),
    );
  }
  return out;
}

function valueAt(source: YamlSource, path: YamlPath): unknown {
  const node = source.node(path);
  if (!node) return undefined;
  return (node as { toJSON?: () => unknown }).toJSON?.() ?? (node as { value?: unknown }).value;
}
