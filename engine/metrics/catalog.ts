/**
 * Loads metric, slice and segment specs from the `metrics:` folders of quire.yaml and from a
 * notebook's `definitions:`, and checks them: each spec (spec-checks.ts), duplicate names across
 * files, and derived metrics (unknown references, cycles). Every problem is a located UserError.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { UserError, type QuireError } from '../util/errors.js';
import type { NotebookDefinitions } from '../cell-type.js';
import type { YamlSource } from '../source/source.js';
import type { Project } from '../project.js';
import { didYouMean } from '../util/suggest.js';
import { derivedCycles } from './derived.js';
import { specError } from './spec-errors.js';
import { checkBody, checkExpressions } from './spec-checks.js';
import { inlineSpecs, readSpecFile, specFiles } from './spec-files.js';
import { specLabel, type AnySpec, type MetricSpec, type SegmentSpec, type SliceSpec, type SpecKind } from './specs.js';

export { specFiles };

export interface MetricCatalog {
  metrics: Map<string, MetricSpec>;
  slices: Map<string, SliceSpec>;
  segments: Map<string, SegmentSpec>;
  /** `kind:name` of specs that exist but failed their checks (not "unknown" in requests). */
  broken: Set<string>;
}

export interface LoadCatalogOptions {
  project: Project;
  /** Inline specs of a notebook, located in `notebookSource` under `definitions`. */
  definitions?: NotebookDefinitions;
  notebookSource?: YamlSource;
  /** Any DuckDB connection: only the parser is used. */
  parser: DuckDBConnection;
}

function mapOf(kind: SpecKind, catalog: MetricCatalog): Map<string, AnySpec> {
  return (kind === 'metric' ? catalog.metrics : kind === 'slice' ? catalog.slices : catalog.segments) as Map<string, AnySpec>;
}

/**
 * Every spec of a project (and notebook), checked. Specs with problems are left out of the
 * catalog (their names go to `broken`); all problems are returned at once.
 */
export async function loadCatalog(opts: LoadCatalogOptions): Promise<{ catalog: MetricCatalog; errors: QuireError[] }> {
  const errors: QuireError[] = [];
  const { files, errors: fileErrors } = specFiles(opts.project);
  errors.push(...fileErrors);
  const raws = [...files.flatMap((f) => readSpecFile(f, errors)), ...inlineSpecs(opts.definitions, opts.notebookSource)];
  const catalog: MetricCatalog = { metrics: new Map(), slices: new Map(), segments: new Map(), broken: new Set() };
  for (const raw of raws) {
    const spec = checkBody(raw, errors);
    const rawName = (raw.body as { name?: unknown } | null)?.name;
    if (!spec) {
      if (typeof rawName === 'string') catalog.broken.add(`${raw.kind}:${rawName}`);
      continue;
    }
    const map = mapOf(spec.kind, catalog);
    const first = map.get(spec.name);
    if (first) {
      const at = spec.origin.source.locate([...spec.origin.path, 'name']);
      const firstAt = first.origin.source.locate([...first.origin.path, 'name']);
      errors.push(
        new UserError('E_METRIC_DUPLICATE', `duplicate ${spec.kind} name '${spec.name}': defined in ${firstAt.file}:${firstAt.line} and in ${at.file}:${at.line}`, {
          location: at,
          hint: `${spec.kind} names are unique across the metrics folders and the notebook's definitions; rename or remove one`,
        }),
      );
      continue;
    }
    if (!(await checkExpressions(opts.parser, spec, errors))) {
      catalog.broken.add(`${spec.kind}:${spec.name}`);
      continue;
    }
    map.set(spec.name, spec);
  }
  checkDerived(catalog, errors);
  return { catalog, errors };
}

/** Derived metrics name existing metrics and form no cycle. */
function checkDerived(catalog: MetricCatalog, errors: QuireError[]): void {
  const names = [...catalog.metrics.keys()];
  for (const m of catalog.metrics.values()) {
    if (m.aggregation !== 'derived' || !m.expr) continue;
    for (const ref of m.expr.columns) {
      if (catalog.metrics.has(ref) || catalog.broken.has(`metric:${ref}`)) continue;
      const dym = didYouMean(ref, names);
      errors.push(
        specError(
          'E_METRIC_UNKNOWN',
          'metric',
          m.name,
          m.origin.source,
          [...m.origin.path, 'expression'],
          `expression uses '${ref}', which is not a metric${dym ? ` — ${dym}` : ''}`,
          `metrics: ${names.join(', ')}`,
        ),
      );
      catalog.broken.add(`metric:${m.name}`);
    }
  }
  for (const cycle of derivedCycles(catalog.metrics)) {
    const first = catalog.metrics.get(cycle[0])!;
    errors.push(
      specError(
        'E_METRIC_CYCLE',
        'metric',
        first.name,
        first.origin.source,
        [...first.origin.path, 'expression'],
        `derived metrics form a cycle: ${[...cycle, cycle[0]].join(' -> ')}`,
        'a derived metric cannot use itself, directly or through other derived metrics',
      ),
    );
    for (const n of cycle) catalog.broken.add(`metric:${n}`);
  }
  // A derived metric over a broken one is broken too (already reported where the fault is).
  for (let changed = true; changed; ) {
    changed = false;
    for (const key of catalog.broken) {
      const [kind, name] = key.split(':');
      if (kind === 'metric') catalog.metrics.delete(name);
    }
    for (const m of catalog.metrics.values()) {
      if (m.expr?.columns.some((ref) => !catalog.metrics.has(ref))) {
        catalog.broken.add(`metric:${m.name}`);
        changed = true;
      }
    }
  }
}

export { specLabel };
