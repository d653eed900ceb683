/** /api/v1/notebooks: list, show, validate, plan. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { validateNotebook } from '../../validate.js';
import { planRun } from '../../exec/plan-run.js';
import { ValidationErrors } from '../../util/errors.js';
import type { AppEnv, ServerContext } from '../context.js';
import { requireRole } from '../auth/middleware.js';
import { fieldError, HttpProblem } from '../problem.js';
import { listNotebooks, nextRuns, summarize } from '../notebooks/summary.js';
import { apiApp } from './api-app.js';
import { FieldErrorSchema, json, NotebookSummarySchema, ParamsSchema, problems } from './schemas.js';

const idParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'monthly-review' }) });

const ParamFieldSchema = z
  .object({
    name: z.string(),
    type: z.string(),
    label: z.string(),
    description: z.string().nullable(),
    options: z.array(z.union([z.string(), z.number()])).nullable(),
    default: z.unknown(),
    resolved_default: z.unknown(),
    required: z.boolean(),
  })
  .openapi('ParamField');

const NotebookDetailSchema = NotebookSummarySchema.extend({
  params: z.array(ParamFieldSchema),
  cells: z.array(z.object({ id: z.string(), type: z.string(), title: z.string().nullable(), depends_on: z.array(z.string()) })),
  schedules: z.array(z.object({ name: z.string(), cron: z.string(), timezone: z.string(), next: z.array(z.string()) })),
  problems: z.array(FieldErrorSchema),
}).openapi('NotebookDetail');

const ValidationSchema = z.object({ valid: z.boolean(), errors: z.array(FieldErrorSchema) }).openapi('ValidationResult');

const PlanSchema = z
  .object({
    notebook: z.string(),
    params: ParamsSchema,
    levels: z.array(z.array(z.string())),
    upstream: z.record(z.string(), z.array(z.string())),
    cells: z.array(z.object({ id: z.string(), action: z.enum(['cache', 'run']), reason: z.string(), key: z.string().nullable() })),
  })
  .openapi('Plan');

/** `?params={"month":"2026-10"}`: the param values of a plan, as JSON. */
const planQuery = z.object({
  params: z.string().optional().openapi({ description: 'param values as a JSON object', example: '{"month":"2026-10"}' }),
  no_cache: z.enum(['true', 'false']).optional(),
});

export function notebooksApi(ctx: ServerContext): OpenAPIHono<AppEnv> {
  const app = apiApp();
  const viewer = requireRole('viewer');

  app.openapi(
    createRoute({
      method: 'get',
      path: '/notebooks',
      tags: ['notebooks'],
      summary: 'the notebooks of the project',
      middleware: [viewer] as const,
      responses: { 200: json(z.array(NotebookSummarySchema), 'notebooks'), ...problems() },
    }),
    (c) => c.json(listNotebooks(ctx.notebooks), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/notebooks/{id}',
      tags: ['notebooks'],
      summary: 'a notebook: params (defaults resolved), cells, schedules, problems',
      middleware: [viewer] as const,
      request: { params: idParam },
      responses: { 200: json(NotebookDetailSchema, 'the notebook'), ...problems(404) },
    }),
    (c) => {
      const e = ctx.notebooks.get(c.req.valid('param').id);
      const schedules = ctx.notebooks.schedules(5).filter((s) => s.notebook_id === e.id);
      const summary = summarize(ctx.notebooks, e, nextRuns(schedules));
      return c.json(
        {
          ...summary,
          params: e.nb ? ctx.notebooks.paramFields(e.nb) : [],
          cells: (e.nb?.cells ?? []).map((cell) => ({ id: cell.spec.id, type: cell.spec.type, title: cell.spec.title ?? null, depends_on: cell.spec.depends_on ?? [] })),
          schedules: schedules.map((s) => ({ name: s.name, cron: s.cron, timezone: s.timezone, next: s.next.map((n) => n.utc) })),
          problems: e.problems.map(fieldError),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/notebooks/{id}/validate',
      tags: ['notebooks'],
      summary: 'check a notebook without running it (schema, SQL, Liquid, schedules)',
      middleware: [viewer] as const,
      request: { params: idParam },
      responses: { 200: json(ValidationSchema, 'the problems found (none: valid)'), ...problems(404) },
    }),
    async (c) => {
      const e = ctx.notebooks.get(c.req.valid('param').id);
      try {
        await validateNotebook(e.path, { state: ctx.state });
        return c.json({ valid: true, errors: [] }, 200);
      } catch (err) {
        if (err instanceof ValidationErrors) return c.json({ valid: false, errors: err.errors.map(fieldError) }, 200);
        throw err;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/notebooks/{id}/plan',
      tags: ['notebooks'],
      summary: 'what a run would do: resolved params, run order, which cells the cache serves',
      middleware: [viewer] as const,
      request: { params: idParam, query: planQuery },
      responses: { 200: json(PlanSchema, 'the plan'), ...problems(404, 422) },
    }),
    async (c) => {
      const nb = ctx.notebooks.loaded(c.req.valid('param').id);
      const q = c.req.valid('query');
      const plan = await planRun(nb, { params: parseParamsQuery(q.params), runsDir: ctx.runsDir, noCache: q.no_cache === 'true', state: ctx.state, now: ctx.clock });
      return c.json(plan, 200);
    },
  );
  return app;
}

function parseParamsQuery(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new HttpProblem(422, 'E_REQUEST_INVALID', 'params: not valid JSON', 'pass ?params={"name":"value"} (URL-encoded)');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new HttpProblem(422, 'E_REQUEST_INVALID', 'params: must be a JSON object');
  return raw as Record<string, unknown>;
}
