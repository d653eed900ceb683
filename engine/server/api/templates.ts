/** /api/v1/templates: the gallery, a template, its report's first-page picture, and `use` (admins). */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv, ServerContext } from '../context.js';
import { requireRole } from '../auth/middleware.js';
import {
  templateDetail,
  templateDetailSchema,
  templateIdSchema,
  templateList,
  templatePictureFor,
  templateSummarySchema,
  useTemplateInputSchema,
  useTemplateInProject,
  useTemplateResultSchema,
} from '../services/templates.js';
import { apiApp } from './api-app.js';
import { withStatus } from './catalog-errors.js';

const problem = { content: { 'application/problem+json': { schema: z.object({ code: z.string(), detail: z.string() }).passthrough() } } };
const idParam = z.object({ id: templateIdSchema });
/** Where a template's picture is served. */
export const pictureUrl = (id: string) => `/api/v1/templates/${encodeURIComponent(id)}/picture.png`;

const listRoute = createRoute({
  method: 'get',
  path: '/templates',
  tags: ['templates'],
  summary: 'The template gallery',
  middleware: [requireRole('viewer')],
  responses: {
    200: { description: 'every template', content: { 'application/json': { schema: z.object({ templates: z.array(templateSummarySchema.extend({ picture: z.string() })) }) } } },
  },
});

const showRoute = createRoute({
  method: 'get',
  path: '/templates/{id}',
  tags: ['templates'],
  summary: 'A template: description, params, cells, the metric specs it uses, its README',
  middleware: [requireRole('viewer')],
  request: { params: idParam },
  responses: {
    200: { description: 'the template', content: { 'application/json': { schema: templateDetailSchema.extend({ picture: z.string() }) } } },
    404: { description: 'no such template', ...problem },
  },
});

const pictureRoute = createRoute({
  method: 'get',
  path: '/templates/{id}/picture.png',
  tags: ['templates'],
  summary: "The first page of the template's report, run with its defaults on the project database (made once, then cached)",
  middleware: [requireRole('viewer')],
  request: { params: idParam },
  responses: {
    200: { description: 'PNG', content: { 'image/png': { schema: z.string().openapi({ format: 'binary' }) } } },
    404: { description: 'no such template', ...problem },
    422: { description: 'the project has no database to run it on', ...problem },
  },
});

const useRoute = createRoute({
  method: 'post',
  path: '/templates/{id}/use',
  tags: ['templates'],
  summary: 'Create notebooks/<notebook>.yaml from the template (and the metric specs it needs), as `quire templates use` does',
  middleware: [requireRole('admin')],
  request: { params: idParam, body: { required: false, content: { 'application/json': { schema: useTemplateInputSchema } } } },
  responses: {
    201: { description: 'created', content: { 'application/json': { schema: useTemplateResultSchema } } },
    404: { description: 'no such template', ...problem },
    409: { description: 'the notebook or spec file exists (send force: true to replace them)', ...problem },
    422: { description: "refused: a spec of the template clashes with the project's", ...problem },
  },
});

export function templatesApi(ctx: ServerContext): OpenAPIHono<AppEnv> {
  const app = apiApp();
  app.openapi(listRoute, (c) => c.json({ templates: templateList().map((t) => ({ ...t, picture: pictureUrl(t.id) })) }, 200));
  app.openapi(showRoute, async (c) => {
    const { id } = c.req.valid('param');
    const t = await withStatus(() => templateDetail(id));
    return c.json({ ...t, picture: pictureUrl(t.id) }, 200);
  });
  app.openapi(pictureRoute, async (c) => {
    const { id } = c.req.valid('param');
    const png = await withStatus(() => templatePictureFor(ctx, id));
    return c.body(new Uint8Array(png), 200, { 'content-type': 'image/png', 'cache-control': 'private, max-age=3600' });
  });
  app.openapi(useRoute, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.header('content-type')?.startsWith('application/json') ? c.req.valid('json') : {};
    const r = await withStatus(() => useTemplateInProject(ctx, id, input ?? {}));
    ctx.audit.record(c.get('user'), 'template.use', r.notebook, { template: r.template, metrics_file: r.metrics_file, overwritten: r.overwritten });
    c.header('location', `/api/v1/notebooks/${encodeURIComponent(r.notebook)}`);
    return c.json(r, 201);
  });
  return app;
}
