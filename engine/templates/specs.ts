/**
 * The metric, slice and segment specs a template needs, and how they compare with a project's.
 *
 * A template's metric cells name specs that live either in the notebook's own `definitions:`
 * (they travel with the notebook) or in `templates/<name>/metrics/*.yaml` (copied into the
 * project by `use`). Derived metrics pull in the metrics their expression names.
 */
import { resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UserError } from '../util/errors.js';
import { loadCatalog, type MetricCatalog } from '../metrics/catalog.js';
import { derivedRefs } from '../metrics/derived.js';
import type { AnySpec, SpecKind } from '../metrics/specs.js';
import { projectConfigSchema, type Project } from '../project.js';
import type { Template } from './catalog.js';

export interface NeededSpec {
  kind: SpecKind;
  name: string;
  /** 'inline': in the notebook's definitions; else the absolute path of its template spec file. */
  from: 'inline' | string;
  spec: AnySpec;
}

/** The specs a template ships (its metrics/ folder and its inline definitions), checked. */
export async function templateCatalog(t: Template, parser: DuckDBConnection): Promise<MetricCatalog> {
  const project: Project = { root: t.dir, configPath: null, config: projectConfigSchema.parse({ metrics: ['metrics'] }) };
  const { catalog, errors } = await loadCatalog({ project, definitions: t.definitions, notebookSource: t.notebookSource, parser });
  if (errors.length) {
    throw new UserError('E_TEMPLATE_BROKEN', `template ${t.name} has spec problems: ${errors.map((e) => e.message).join('; ')}`, {
      hint: 'this is a bug in the template; run `quire templates show` on another template, or fix the spec',
    });
  }
  return catalog;
}

const key = (kind: SpecKind, name: string) => `${kind}:${name}`;

/** Every spec the template's metric cells use, derived metrics' inputs included, in a stable order. */
export function neededSpecs(t: Template, catalog: MetricCatalog): NeededSpec[] {
  const out = new Map<string, NeededSpec>();
  const inline = (kind: SpecKind, name: string) => {
    const list = kind === 'metric' ? t.definitions.metrics : kind === 'slice' ? t.definitions.slices : t.definitions.segments;
    return list.some((b) => b.name === name);
  };
  const add = (kind: SpecKind, name: string) => {
    if (out.has(key(kind, name))) return;
    const map = (kind === 'metric' ? catalog.metrics : kind === 'slice' ? catalog.slices : catalog.segments) as Map<string, AnySpec>;
    const spec = map.get(name);
    if (!spec) {
      throw new UserError('E_TEMPLATE_BROKEN', `template ${t.name} uses ${kind} '${name}', which neither its metrics/ folder nor its definitions define`, {
        hint: 'this is a bug in the template',
      });
    }
    out.set(key(kind, name), { kind, name, from: inline(kind, name) ? 'inline' : resolve(spec.origin.source.file), spec });
    if (spec.kind === 'metric') for (const ref of derivedRefs(spec)) add('metric', ref);
  };
  for (const cell of t.metricCells) {
    for (const m of cell.metrics) add('metric', m);
    for (const s of cell.slices) add('slice', s);
    for (const s of cell.segments) add('segment', s);
  }
  return [...out.values()];
}

/** Fields that change what a spec computes (names, labels and descriptions don't). */
const DEFINING: Record<SpecKind, string[]> = {
  metric: ['source', 'time_column', 'aggregation', 'numerator', 'denominator', 'filters', 'expression', 'unit'],
  slice: ['column', 'values'],
  segment: ['where'],
};

const squash = (v: unknown): unknown => {
  if (typeof v === 'string') return v.replace(/\s+/g, ' ').trim();
  if (Array.isArray(v)) return v.map(squash);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, squash(x)]));
  return v ?? null;
};

/** What a spec computes, as comparable text (SQL whitespace normalized). */
export function definitionOf(spec: AnySpec): string {
  const body = spec as unknown as Record<string, unknown>;
  return JSON.stringify(DEFINING[spec.kind].map((f) => [f, squash(body[f])]));
}

/** The fields where two specs of the same kind and name differ. */
export function differingFields(a: AnySpec, b: AnySpec): string[] {
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  return DEFINING[a.kind].filter((f) => JSON.stringify(squash(x[f])) !== JSON.stringify(squash(y[f])));
}

/**
 * The text of one spec document of a spec file: the file as yamlDocuments gives it (other
 * documents blanked out), without the blank lines around it. Comments above it stay with it.
 */
export function documentText(spec: AnySpec): string {
  const lines = spec.origin.source.text.split('\n');
  let a = 0;
  let b = lines.length;
  while (a < b && lines[a].trim() === '') a++;
  while (b > a && lines[b - 1].trim() === '') b--;
  return lines.slice(a, b).join('\n');
}
