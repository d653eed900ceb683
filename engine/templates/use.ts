/**
 * `quire templates use`: copies a template's notebook into a project, and the metric specs it
 * needs into the project's metrics folder — never overwriting a file without `force`, and
 * refusing when one of its spec names is already defined differently in the project.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DuckSession } from '../duck/duck.js';
import { UserError } from '../util/errors.js';
import { insideOrThrow } from '../util/inside.js';
import { loadCatalog } from '../metrics/catalog.js';
import { NOTEBOOK_ID } from '../notebook/schema.js';
import { packageRoot } from '../util/package-root.js';
import { quireCommand } from '../util/quire-command.js';
import { findProjectRoot, loadProject, projectPath, type Project } from '../project.js';
import type { AnySpec, SpecKind } from '../metrics/specs.js';
import { loadTemplate, templatesDir, type Template } from './catalog.js';
import { definitionOf, differingFields, documentText, neededSpecs, templateCatalog, type NeededSpec } from './specs.js';

export interface UseOptions {
  name: string;
  /** The notebook to write; default `notebooks/<name>.yaml` under the project root. */
  target?: string;
  force?: boolean;
  /** Where relative paths start (default the process cwd). */
  cwd?: string;
  templatesDir?: string;
}

export interface UseResult {
  template: Template;
  project: Project;
  notebook: string;
  /** The spec file written, when the project lacked some specs. */
  metricsFile: string | null;
  added: Array<{ kind: SpecKind; name: string }>;
  /** Specs the project already defines the same way (left as they are), with where. */
  kept: Array<{ kind: SpecKind; name: string; at: string }>;
  /** Specs riding in the notebook's own definitions. */
  inline: Array<{ kind: SpecKind; name: string }>;
  overwritten: string[];
  /** `quire run ...` (or `npx quire run ...` when quire is not on PATH) as the user can type it from `cwd`. */
  runCommand: string;
}

const posix = (p: string) => p.split(sep).join('/');

function shown(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? posix(rel) : abs;
}

/** The folder of the project's metric specs `use` writes into: the first `metrics:` entry that is not a file. */
function metricsFolder(project: Project): string {
  const entry = project.config.metrics.find((m) => !/\.ya?ml$/i.test(m));
  if (!entry) {
    throw new UserError('E_TEMPLATE_METRICS', `quire.yaml \`metrics:\` lists only files (${project.config.metrics.join(', ')}), so there is no folder to copy the template's metric specs into`, {
      hint: 'add a folder to `metrics:` in quire.yaml, e.g. metrics: [metrics]',
    });
  }
  const abs = projectPath(project, entry);
  if (existsSync(abs) && !statSync(abs).isDirectory()) {
    throw new UserError('E_TEMPLATE_METRICS', `metrics folder ${entry} is a file`, { hint: 'fix `metrics:` in quire.yaml' });
  }
  return insideOrThrow(project.root, abs, 'the project folder'); // spec files are written only inside the project
}

/** The `$schema` modeline pointing at the JSON Schema from the notebook's new folder. */
function withSchemaLine(text: string, notebookDir: string, project: Project): string {
  const own = join(project.root, 'schema', 'notebook.schema.json');
  const schema = existsSync(own) ? own : join(packageRoot(), 'schema', 'notebook.schema.json');
  let rel = posix(relative(notebookDir, schema));
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return text.replace(/^# yaml-language-server: \$schema=.*$/m, `# yaml-language-server: $schema=${rel}`);
}

function describeSpec(s: AnySpec, root: string): string {
  const at = s.origin.source.locate(s.origin.path);
  return `${shown(root, resolve(at.file))}:${at.line}`;
}

/**
 * Checks everything first, then writes: a refusal leaves the project untouched.
 *
 * @example
 *   const r = await useTemplate({ name: 'sales-analysis' });
 *   console.log(r.notebook, r.runCommand);
 */
export async function useTemplate(opts: UseOptions): Promise<UseResult> {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const template = loadTemplate(opts.name, opts.templatesDir ?? templatesDir());
  const rootGuess = findProjectRoot(cwd).root;
  const notebook = opts.target ? resolve(cwd, opts.target) : join(rootGuess, 'notebooks', `${template.name}.yaml`);
  if (!/\.ya?ml$/i.test(notebook)) {
    throw new UserError('E_BAD_ARGUMENT', `the notebook to write must be a .yaml file, got ${opts.target}`, { hint: `e.g. notebooks/${template.name}.yaml` });
  }
  const fileId = basename(notebook, extname(notebook));
  if (!NOTEBOOK_ID.test(fileId)) {
    throw new UserError('E_BAD_ARGUMENT', `'${fileId}' is not a valid notebook id (the file name becomes the notebook id)`, {
      hint: 'use lowercase letters, digits, - and _, e.g. notebooks/sales-review.yaml',
    });
  }
  if (existsSync(notebook) && statSync(notebook).isDirectory()) {
    throw new UserError('E_BAD_ARGUMENT', `${shown(cwd, notebook)} is a folder`, { hint: `give a file, e.g. ${shown(cwd, join(notebook, `${template.name}.yaml`))}` });
  }
  // The project the notebook will belong to: the nearest quire.yaml at or above its folder.
  const project = loadProject(dirname(notebook));
  const overwritten: string[] = [];
  if (existsSync(notebook)) {
    if (!opts.force) {
      throw new UserError('E_TEMPLATE_TARGET_EXISTS', `${shown(cwd, notebook)} already exists; not overwriting it`, {
        hint: `pass --force to replace it, or name another file: quire templates use ${template.name} notebooks/<file>.yaml`,
      });
    }
    overwritten.push(notebook);
  }

  const session = await DuckSession.open({ database: ':memory:' });
  let needed: NeededSpec[];
  let projectSpecs: Map<string, AnySpec[]>;
  const specFile = join(metricsFolder(project), `${template.name}.yaml`);
  try {
    const parser = await session.connect();
    needed = neededSpecs(template, await templateCatalog(template, parser));
    // The project's specs as they are, except those of the spec file a forced use rewrites.
    const { catalog } = await loadCatalog({ project, parser });
    projectSpecs = new Map();
    for (const s of [...catalog.metrics.values(), ...catalog.slices.values(), ...catalog.segments.values()] as AnySpec[]) {
      if (opts.force && resolve(s.origin.source.file) === specFile) continue;
      projectSpecs.set(`${s.kind}:${s.name}`, [s]);
    }
    for (const b of catalog.broken) if (!projectSpecs.has(b)) projectSpecs.set(b, []);
  } finally {
    session.close();
  }

  const clashes: string[] = [];
  const kept: UseResult['kept'] = [];
  const toWrite: NeededSpec[] = [];
  const inline: UseResult['inline'] = [];
  for (const n of needed) {
    const existing = projectSpecs.get(`${n.kind}:${n.name}`);
    if (n.from === 'inline') {
      inline.push({ kind: n.kind, name: n.name });
      if (existing) {
        clashes.push(`${n.kind} '${n.name}' is defined in the template notebook's definitions and ${existing[0] ? `in ${describeSpec(existing[0], cwd)}` : 'in the project (with problems)'}`);
      }
      continue;
    }
    if (!existing) {
      toWrite.push(n);
    } else if (!existing[0]) {
      clashes.push(`${n.kind} '${n.name}': the project's spec of that name has problems (see quire metrics validate)`);
    } else if (definitionOf(existing[0]) !== definitionOf(n.spec)) {
      clashes.push(`${n.kind} '${n.name}' differs from ${describeSpec(existing[0], cwd)} (${differingFields(existing[0], n.spec).join(', ')})`);
    } else {
      kept.push({ kind: n.kind, name: n.name, at: describeSpec(existing[0], cwd) });
    }
  }
  if (clashes.length) {
    throw new UserError(
      'E_TEMPLATE_CLASH',
      `template ${template.name} defines ${clashes.length === 1 ? 'a spec' : `${clashes.length} specs`} the project already defines differently:\n  - ${clashes.join('\n  - ')}`,
      {
        hint: "nothing was written; rename or remove the project's specs of those names, or use the template in another project",
      },
    );
  }
  if (toWrite.length && existsSync(specFile)) {
    if (!opts.force) {
      throw new UserError('E_TEMPLATE_TARGET_EXISTS', `${shown(cwd, specFile)} already exists; not overwriting it`, {
        hint: 'pass --force to replace it (nothing was written)',
      });
    }
    overwritten.push(specFile);
  }

  mkdirSync(dirname(notebook), { recursive: true });
  writeFileSync(notebook, withSchemaLine(template.notebookText, dirname(notebook), project));
  // The metrics folder is made even when nothing goes in it: a `metrics:` folder that quire.yaml
  // names but that does not exist is an error when the notebook runs.
  mkdirSync(dirname(specFile), { recursive: true });
  if (toWrite.length) {
    const docs = toWrite.map((n) => documentText(n.spec));
    const head = `# Metric specs of the '${template.name}' template, copied by \`quire templates use\`.\n`;
    writeFileSync(specFile, `${head + docs.join('\n---\n')}\n`);
  }
  return {
    template,
    project,
    notebook,
    metricsFile: toWrite.length ? specFile : null,
    added: toWrite.map((n) => ({ kind: n.kind, name: n.name })),
    kept,
    inline,
    overwritten,
    runCommand: `${quireCommand()} run ${shown(cwd, notebook)}`,
  };
}
