/**
 * The template gallery on disk: `templates/<name>/notebook.yaml` (the notebook, with its
 * `description:`, `tags:` and `params:`), `README.md` (its `# Title` and what it shows) and,
 * optionally, `metrics/*.yaml` (the metric, slice and segment specs it needs beside the ones
 * it defines inline under `definitions:`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import { packageRoot } from '../util/package-root.js';
import { didYouMean } from '../util/suggest.js';
import { YamlSource } from '../source/source.js';

export const TEMPLATE_NAME = /^[a-z][a-z0-9-]*$/;

export interface TemplateParam {
  name: string;
  type: string;
  default?: unknown;
  options?: Array<string | number>;
  description?: string;
}

export interface TemplateCell {
  id: string;
  type: string;
  title?: string;
}

export interface MetricCellUse {
  id: string;
  metrics: string[];
  slices: string[];
  segments: string[];
}

export interface Template {
  name: string;
  dir: string;
  notebookPath: string;
  /** The README's first `# ` heading. */
  title: string;
  description: string;
  tags: string[];
  params: TemplateParam[];
  cells: TemplateCell[];
  /** What each metric cell asks for. */
  metricCells: MetricCellUse[];
  /** Inline `definitions:` of the notebook, as written. */
  definitions: { metrics: Record<string, unknown>[]; slices: Record<string, unknown>[]; segments: Record<string, unknown>[] };
  notebookText: string;
  notebookSource: YamlSource;
  readme: string;
}

/** Where the shipped templates are: `<quire>/templates`, or QUIRE_TEMPLATES_DIR. */
export function templatesDir(): string {
  return process.env.QUIRE_TEMPLATES_DIR || join(packageRoot(), 'templates');
}

/** Template names, sorted. */
export function templateNames(dir = templatesDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => TEMPLATE_NAME.test(n) && existsSync(join(dir, n, 'notebook.yaml')) && statSync(join(dir, n)).isDirectory())
    .sort();
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const records = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x)) : []);

/** A Liquid title as plain text: `{{ params.month }}` → `<month>`, conditional parts dropped. */
export function plainTitle(text: string): string {
  return text
    .replace(/\{%-?\s*(if|unless)\b.*?\{%-?\s*end(if|unless)\s*-?%\}/gs, '')
    .replace(/\{\{-?\s*params\.([a-z0-9_]+)[^}]*\}\}/g, '<$1>')
    .replace(/\{[{%].*?[}%]\}/gs, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function readmeTitle(readme: string): string | null {
  const m = /^#\s+(.+?)\s*#*\s*$/m.exec(readme);
  return m ? m[1] : null;
}

/** Reads one template; an unknown name is a UserError with "did you mean". */
export function loadTemplate(name: string, dir = templatesDir()): Template {
  const names = templateNames(dir);
  if (!names.includes(name)) {
    const dym = didYouMean(name, names);
    throw new UserError('E_TEMPLATE_UNKNOWN', `unknown template '${name}'${dym ? ` — ${dym}` : ''}`, {
      hint: names.length ? `templates: ${names.join(', ')} (quire templates list)` : `no templates found in ${dir}`,
    });
  }
  const tdir = join(dir, name);
  const notebookPath = join(tdir, 'notebook.yaml');
  const notebookText = readFileSync(notebookPath, 'utf8');
  const { source, errors } = YamlSource.parse(notebookPath, notebookText);
  if (errors.length) throw errors[0];
  const raw = (source.toJS() ?? {}) as Record<string, unknown>;
  const readmePath = join(tdir, 'README.md');
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '';
  const params = Object.entries((raw.params ?? {}) as Record<string, Record<string, unknown>>).map(([pname, p]) => ({
    name: pname,
    type: String(p?.type ?? 'string'),
    ...(p?.default !== undefined ? { default: p.default } : {}),
    ...(Array.isArray(p?.options) ? { options: p.options as Array<string | number> } : {}),
    ...(typeof p?.description === 'string' ? { description: p.description } : {}),
  }));
  const cells = records(raw.cells).map((c) => ({
    id: String(c.id),
    type: String(c.type),
    ...(typeof c.title === 'string' ? { title: plainTitle(c.title) } : {}),
  }));
  const metricCells = records(raw.cells)
    .filter((c) => c.type === 'metric')
    .map((c) => ({ id: String(c.id), metrics: strings(c.metrics), slices: strings(c.slices), segments: strings(c.segments).filter((s) => s !== 'all') }));
  const defs = (raw.definitions ?? {}) as Record<string, unknown>;
  return {
    name,
    dir: tdir,
    notebookPath,
    title: readmeTitle(readme) ?? plainTitle(String(raw.title ?? name)),
    description: typeof raw.description === 'string' ? raw.description : '',
    tags: strings(raw.tags),
    params,
    cells,
    metricCells,
    definitions: { metrics: records(defs.metrics), slices: records(defs.slices), segments: records(defs.segments) },
    notebookText,
    notebookSource: source,
    readme,
  };
}

export function listTemplates(dir = templatesDir()): Template[] {
  return templateNames(dir).map((n) => loadTemplate(n, dir));
}

/** `month=previous_month` style text of a param's default. */
export function paramDefaultText(p: TemplateParam): string {
  if (p.default === undefined) return `${p.name} (required)`;
  return `${p.name}=${Array.isArray(p.default) ? p.default.join(',') : String(p.default)}`;
}
