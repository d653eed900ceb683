/** /api/v1/metrics: the catalog (search, category), a metric's definition and SQL, and ad-hoc compute (runners). */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv, ServerContext } from '../context.js';
import { requireRole } from '../auth/middleware.js';
import { computeMetrics, computeRequestSchema, computeResultSchema, metricDetail, metricDetailSchema, metricsCatalog, metricsCatalogSchema, metricsQuerySchema } from '../services/metrics.js';
import { apiApp } from './api-app.js';
import { withStatus } from './catalog-errors.js';

const problem = { content: { 'application/problem+json': { schema: z.object({ code: z.string(), detail: z.string() }).passthrough() } } };

const listRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['metrics'],
  summary: 'The metric catalog: metrics matching every word of q, of a category; all slices and segments',
  middleware: [requireRole('viewer')],
  request: { query: metricsQuerySchema },
  responses: {
    200: { description: 'the catalog', content: { 'application/json': { schema: metricsCatalogSchema } } },
    422: { description: 'unknown category', ...problem },
  },
});

const showRoute = createRoute({
  method: 'get',
  path: '/metrics/{name}',
  tags: ['metrics'],
  summary: 'A metric, slice or segment: its definition, and the SQL a metric compiles to',
  middleware: [requireRole('viewer')],
  request: { params: z.object({ name: z.string().max(100) }) },
  responses: {
    200: { description: 'the spec', content: { 'application/json': { schema: metricDetailSchema } } },
    404: { description: 'no such spec', ...problem },
  },
});

const computeRoute = createRoute({
  method: 'post',
  path: '/metrics/compute',
  tags: ['metrics'],
  summary: 'Compute metrics without a notebook: the long table (shared/spec/metrics-format.md)',
  middleware: [requireRole('runner')],
  request: { body: { required: true, content: { 'application/json': { schema: computeRequestSchema } } } },
  responses: {
    200: { description: 'the long table (at most 5,000 rows; `truncated` says when there were more)', content: { 'application/json': { schema: computeResultSchema } } },
    422: { description: 'unknown names, a bad window, a metric without a time column...', ...problem },
  },
});

export function metricsApi(ctx: ServerContext): OpenAPIHono<AppEnv> {
  const app = apiApp();
  app.openapi(listRoute, async (c) => c.json(await metricsCatalog(ctx, c.req.valid('query')), 200));
  app.openapi(showRoute, async (c) => c.json(await withStatus(() => metricDetail(ctx, c.req.valid('param').name)), 200));
  app.openapi(computeRoute, async (c) => c.json(await computeMetrics(ctx, c.req.valid('json')), 200));
  return app;
}
