/**
 * The template gallery for the server: list, detail, the first-page picture of each template's
 * report, and `use` — the same `useTemplate` as `quire templates use`, its refusals as UserErrors.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { DuckSession } from '../../duck/duck.js';
import { NOTEBOOK_ID } from '../../notebook/schema.js';
import { projectPath } from '../../project.js';
import { CACHE_DIR } from '../../cache/dir.js';
import { listTemplates, loadTemplate, TEMPLATE_NAME, type Template } from '../../templates/catalog.js';
import { neededSpecs, templateCatalog } from '../../templates/specs.js';
import { useTemplate } from '../../templates/use.js';
import { templatePicture } from '../../templates/picture.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { UserError } from '../../util/errors.js';
import { sha256 } from '../../util/hash.js';
import type { StateKey } from '../../util/state.js';
import type { ServiceContext } from './context.js';
import { DATABASE_LOCK } from './database-lock.js';

export const templateIdSchema = z.string().regex(TEMPLATE_NAME, 'a template id: lowercase letters, digits and -');

export const templateParamSchema = z.object({
  name: z.string(),
  type: z.string(),
  default: z.unknown().optional(),
  options: z.array(z.union([z.string(), z.number()])).optional(),
  description: z.string().optional(),
});

export const templateSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  params: z.array(templateParamSchema),
});

export const specKindSchema = z.enum(['metric', 'slice', 'segment']);

export const templateDetailSchema = templateSummarySchema.extend({
  cells: z.array(z.object({ id: z.string(), type: z.string(), title: z.string().optional() })),
  /** The metric, slice and segment specs its metric cells use; `defined_in` is 'notebook definitions' or the template's spec file. */
  specs: z.array(z.object({ kind: specKindSchema, name: z.string(), defined_in: z.string() })),
  readme: z.string(),
});

export const useTemplateInputSchema = z.object({
  /** The new notebook's id (its file is notebooks/<id>.yaml); default the template's id. */
  notebook: z.string().regex(NOTEBOOK_ID, 'a notebook id: lowercase letters, digits, - and _').max(100).optional(),
  /** Replace the notebook and the template's spec file if they exist. */
  force: z.boolean().default(false),
});

const specRef = z.object({ kind: specKindSchema, name: z.string() });
export const useTemplateResultSchema = z.object({
  template: z.string(),
  notebook: z.string(),
  /** Paths relative to the project folder. */
  notebook_file: z.string(),
  metrics_file: z.string().nullable(),
  added: z.array(specRef),
  kept: z.array(specRef.extend({ at: z.string() })),
  inline: z.array(specRef),
  overwritten: z.array(z.string()),
});

export type TemplateSummary = z.infer<typeof templateSummarySchema>;
export type TemplateDetail = z.infer<typeof templateDetailSchema>;
export type UseTemplateInput = z.input<typeof useTemplateInputSchema>;
export type UseTemplateResult = z.infer<typeof useTemplateResultSchema>;

function summary(t: Template): TemplateSummary {
  return { id: t.name, title: t.title, description: t.description, tags: t.tags, params: t.params };
}

export function templateList(): TemplateSummary[] {
  return listTemplates().map(summary);
}

/** An unknown id is E_TEMPLATE_UNKNOWN (with "did you mean"). */
export async function templateDetail(id: string): Promise<TemplateDetail> {
  const t = loadTemplate(id);
  const session = await DuckSession.open({ database: ':memory:' });
  try {
    const used = neededSpecs(t, await templateCatalog(t, await session.connect()));
    return {
      ...summary(t),
      cells: t.cells,
      specs: used.map((n) => ({ kind: n.kind, name: n.name, defined_in: n.from === 'inline' ? 'notebook definitions' : relative(t.dir, n.from) })),
      readme: t.readme,
    };
  } finally {
    session.close();
  }
}

/** One `use` at a time per server: it checks the project's specs, then writes. */
const USE_LOCK: StateKey<{ tail: Promise<unknown> }> = { name: 'template use lock', create: () => ({ tail: Promise.resolve() }) };

/** Writes notebooks/<notebook>.yaml (and the metric specs it needs) into the project, as `quire templates use` does. */
export async function useTemplateInProject(ctx: ServiceContext, id: string, input: UseTemplateInput = {}): Promise<UseTemplateResult> {
  const { notebook, force } = useTemplateInputSchema.parse(input);
  const lock = ctx.state.get(USE_LOCK);
  const root = ctx.project.root;
  const job = lock.tail.then(() => useTemplate({ name: id, cwd: root, target: join(root, 'notebooks', `${notebook ?? id}.yaml`), force }));
  lock.tail = job.catch(() => {});
  const r = await job;
  const rel = (p: string) => relative(root, p);
  return {
    template: r.template.name,
    notebook: notebook ?? id,
    notebook_file: rel(r.notebook),
    metrics_file: r.metricsFile && rel(r.metricsFile),
    added: r.added,
    kept: r.kept,
    inline: r.inline,
    overwritten: r.overwritten.map(rel),
  };
}

/** Pictures being made, by cache file (two requests for one picture share one run), made one at a time: each is a run and a PDF. */
const PICTURE_JOBS: StateKey<{ byFile: Map<string, Promise<Buffer>>; tail: Promise<unknown> }> = {
  name: 'template picture jobs',
  create: () => ({ byFile: new Map(), tail: Promise.resolve() }),
};

/**
 * The first page of the template's report run with its defaults on the project database, as PNG.
 * Made once (a run and a PDF: seconds) and kept in the runs folder's cache, keyed by the
 * template's text and the database file's modification time.
 */
export async function templatePictureFor(ctx: ServiceContext, id: string): Promise<Buffer> {
  const t = loadTemplate(id);
  const database = projectPath(ctx.project, ctx.project.config.database);
  if (database === ':memory:' || !existsSync(database)) {
    throw new UserError('E_TEMPLATE_PICTURE', 'the project has no database file to run the templates on, so there is no picture of their reports', {
      hint: 'set `database:` in quire.yaml (the demo warehouse: `quire demo-data`)',
    });
  }
  const dir = join(projectPath(ctx.project, ctx.project.config.runs_dir), CACHE_DIR, 'template-pictures');
  const key = sha256(`${t.notebookText}\n${database}\n${statSync(database).mtimeMs}`).slice(0, 16);
  const file = join(dir, `${t.name}-${key}.png`);
  if (existsSync(file)) return readFileSync(file);
  const jobs = ctx.state.get(PICTURE_JOBS);
  let job = jobs.byFile.get(file);
  if (!job) {
    job = jobs.tail.then(async () => {
      if (existsSync(file)) return readFileSync(file);
      // the run reads the project database: an upload's commit waits for it
      const png = await ctx.state.get(DATABASE_LOCK).read(() => templatePicture(t.name, { database, state: ctx.state, now: ctx.clock }));
      mkdirSync(dir, { recursive: true });
      writeFileAtomic(file, png);
      return png;
    });
    jobs.tail = job.catch(() => {});
    job.finally(() => jobs.byFile.delete(file)).catch(() => {});
    jobs.byFile.set(file, job);
  }
  return job;
}
