import type { z } from 'zod';
import { UserError, type SourceLocation } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { allowedKeys, describePath } from '../source/zod-errors.js';
import type { YamlPath, YamlSource } from '../source/source.js';
import type { SpecKind } from './specs.js';

const FORMAT_HINT = 'see the metric spec format (shared/spec/metrics-format.md)';

/** `metric total_revenue (metrics/revenue.yaml:4)`. */
export function labelAt(kind: SpecKind, name: string | undefined, at: SourceLocation): string {
  return `${kind} ${name ?? '(unnamed)'} (${at.file}:${at.line})`;
}

/** A located problem of a spec: the message names the spec, its file and line. */
export function specError(code: string, kind: SpecKind, name: string | undefined, source: YamlSource, at: YamlPath | SourceLocation, message: string, hint: string = FORMAT_HINT): UserError {
  const location = Array.isArray(at) ? source.locate(at) : (at as SourceLocation);
  return new UserError(code, `${labelAt(kind, name, location)}: ${message}`, { location, hint });
}

/**
 * zod issues of a spec body as located errors, worded for specs:
 * "unknown key 'aggregate' in metric total_revenue (metrics/revenue.yaml:4) — did you mean 'aggregation'?"
 */
export function specIssues(issues: readonly z.core.$ZodIssue[], kind: SpecKind, name: string | undefined, source: YamlSource, schema: z.core.$ZodType, base: YamlPath): UserError[] {
  const out: UserError[] = [];
  // A misspelt key suggested as a missing required one is reported once, as the misspelling.
  const suggested = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const rel = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    const allowed = allowedKeys(schema, rel);
    for (const key of issue.keys) {
      const m = /'(.*)'/.exec(didYouMean(key, allowed));
      if (m) suggested.add([...rel, m[1]].join('.'));
    }
  }
  for (const issue of issues) {
    const rel = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    const path = [...base, ...rel];
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, rel);
      for (const key of issue.keys) {
        const location = source.locateKey(path, key);
        const dym = didYouMean(key, allowed);
        const where = rel.length ? ` (under ${describePath(rel)})` : '';
        out.push(
          new UserError('E_METRIC_SPEC_KEY', `unknown key '${key}' in ${labelAt(kind, name, location)}${where}${dym ? ` — ${dym}` : ''}`, {
            location,
            hint: allowed.length ? `allowed keys here: ${allowed.join(', ')}` : 'remove this key',
          }),
        );
      }
      continue;
    }
    const node = source.node(path) as { toJSON?: () => unknown } | undefined;
    const got = node?.toJSON?.();
    const field = describePath(rel) || kind;
    if (got === undefined && suggested.has(rel.join('.'))) continue;
    if (got === undefined && issue.code !== 'custom') {
      out.push(specError('E_METRIC_SPEC', kind, name, source, path, `${field} is required`, `add '${String(rel[rel.length - 1])}:' (see shared/spec/metrics-format.md)`));
      continue;
    }
    if (issue.code === 'invalid_value' && 'values' in issue) {
      const values = (issue.values as unknown[]).map(String);
      const dym = typeof got === 'string' ? didYouMean(got, values) : '';
      out.push(
        specError('E_METRIC_SPEC', kind, name, source, path, `${field}: ${JSON.stringify(got)} is not one of ${values.join(', ')}${dym ? ` — ${dym}` : ''}`, `use one of: ${values.join(', ')}`),
      );
      continue;
    }
    out.push(specError('E_METRIC_SPEC', kind, name, source, path, `${field}: ${issue.message}`));
  }
  return out;
}
