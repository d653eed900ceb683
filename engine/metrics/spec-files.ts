/** Where specs come from: the files under quire.yaml `metrics:`, and a notebook's `definitions:`. */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError, type QuireError } from '../util/errors.js';
import type { NotebookDefinitions } from '../cell-type.js';
import { YamlSource } from '../source/source.js';
import { projectPath, type Project } from '../project.js';
import { didYouMean } from '../util/suggest.js';
import { SPEC_KINDS, type SpecKind, type SpecOrigin } from './specs.js';
import { yamlDocuments } from './yaml-docs.js';

/** One spec document before any check: its kind, its body (unknown) and where it is. */
export interface RawSpec {
  kind: SpecKind;
  body: unknown;
  origin: SpecOrigin;
}

function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') ? rel : abs;
}

function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFilesUnder(full));
    else if (/\.ya?ml$/i.test(entry.name)) out.push(full);
  }
  return out;
}

/** Spec files named by quire.yaml `metrics:`; a folder listed explicitly there must exist. */
export function specFiles(project: Project): { files: string[]; errors: QuireError[] } {
  const errors: QuireError[] = [];
  let declared: YamlSource | undefined;
  if (project.configPath) {
    const { source } = YamlSource.parse(displayPath(project.configPath), readFileSync(project.configPath, 'utf8'));
    if (source.node(['metrics'])) declared = source;
  }
  const files: string[] = [];
  project.config.metrics.forEach((entry, i) => {
    const abs = projectPath(project, entry);
    if (!existsSync(abs)) {
      if (declared) {
        errors.push(
          new UserError('E_METRICS_PATH', `metrics folder not found: ${entry}`, {
            location: declared.locate(['metrics', i]),
            hint: 'create the folder, or fix `metrics:` in quire.yaml (paths are relative to the project root)',
          }),
        );
      }
      return;
    }
    files.push(...(statSync(abs).isDirectory() ? yamlFilesUnder(abs) : [abs]));
  });
  return { files, errors };
}

/** The spec documents of one file: `metric:`, `slice:` or `segment:` with the body under it. */
export function readSpecFile(file: string, errors: QuireError[]): RawSpec[] {
  const { docs, errors: yamlErrors } = yamlDocuments(displayPath(file), readFileSync(file, 'utf8'));
  errors.push(...yamlErrors);
  const out: RawSpec[] = [];
  for (const source of docs) {
    const raw = source.toJS();
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      errors.push(
        new UserError('E_METRIC_SPEC', 'a spec document is `metric:`, `slice:` or `segment:` with its fields under it', {
          location: source.locate([]),
          hint: 'one spec per YAML document; separate documents with a line `---`',
        }),
      );
      continue;
    }
    const keys = Object.keys(raw);
    const known = keys.filter((k): k is SpecKind => (SPEC_KINDS as readonly string[]).includes(k));
    for (const key of keys.filter((k) => !known.includes(k as SpecKind))) {
      const dym = didYouMean(key, SPEC_KINDS);
      errors.push(
        new UserError('E_METRIC_SPEC_KEY', `unknown key '${key}' in ${source.file}${dym ? ` — ${dym}` : ''}`, {
          location: source.locateKey([], key),
          hint: 'a spec document starts with `metric:`, `slice:` or `segment:`',
        }),
      );
    }
    if (known.length > 1) {
      errors.push(
        new UserError('E_METRIC_SPEC', `one spec per YAML document, found ${known.join(' and ')}`, {
          location: source.locateKey([], known[1]),
          hint: 'separate specs with a line `---`',
        }),
      );
      continue;
    }
    if (known.length === 1) out.push({ kind: known[0], body: (raw as Record<string, unknown>)[known[0]], origin: { source, path: [known[0]] } });
  }
  return out;
}

export function inlineSpecs(definitions: NotebookDefinitions | undefined, source: YamlSource | undefined): RawSpec[] {
  if (!definitions || !source) return [];
  const out: RawSpec[] = [];
  const groups: Array<[keyof NotebookDefinitions, SpecKind]> = [
    ['metrics', 'metric'],
    ['slices', 'slice'],
    ['segments', 'segment'],
  ];
  for (const [key, kind] of groups) {
    (definitions[key] ?? []).forEach((body, i) => {
      out.push({ kind, body, origin: { source, path: ['definitions', key, i] } });
    });
  }
  return out;
}

/** Schema and per-kind rules; the SQL expressions are checked afterwards. */
