/** /api/v1/tables and /api/v1/uploads: the project database's tables (viewers), and loading a file into a new one (admins). */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv, ServerContext } from '../context.js';
import { requireRole } from '../auth/middleware.js';
import { HttpProblem } from '../problem.js';
import { listTables, previewQuerySchema, tableDetail, tableDetailSchema, tablesListSchema } from '../services/tables.js';
import { commitInputSchema, commitUpload, committedUploadSchema, stagedUpload, stagedUploadSchema, stageUpload, uploadIdSchema } from '../services/uploads.js';
import { apiApp } from './api-app.js';
import { withStatus } from './catalog-errors.js';

const problem = { content: { 'application/problem+json': { schema: z.object({ code: z.string(), detail: z.string() }).passthrough() } } };

const listRoute = createRoute({
  method: 'get',
  path: '/tables',
  tags: ['data'],
  summary: "The project database's tables and views: row counts and column types",
  middleware: [requireRole('viewer')],
  responses: { 200: { description: 'the tables', content: { 'application/json': { schema: tablesListSchema } } } },
});

const showRoute = createRoute({
  method: 'get',
  path: '/tables/{name}',
  tags: ['data'],
  summary: 'A table: columns, row count and its first rows',
  middleware: [requireRole('viewer')],
  request: { params: z.object({ name: z.string().max(200) }), query: previewQuerySchema },
  responses: {
    200: { description: 'the table', content: { 'application/json': { schema: tableDetailSchema } } },
    404: { description: 'no such table', ...problem },
  },
});

const uploadRoute = createRoute({
  method: 'post',
  path: '/uploads',
  tags: ['data'],
  summary: 'Stage a CSV, XLSX or Parquet file: its columns are inferred over every row; nothing is loaded until the upload is committed',
  middleware: [requireRole('admin')],
  request: {
    body: {
      required: true,
      content: { 'multipart/form-data': { schema: z.object({ file: z.any().openapi({ type: 'string', format: 'binary' }) }) } },
    },
  },
  responses: {
    201: { description: 'staged: the inferred columns, row count, a preview and the upload id', content: { 'application/json': { schema: stagedUploadSchema } } },
    413: { description: 'the file is over the upload limit', ...problem },
    422: { description: 'a bad row or cell (named), a damaged file, an unknown format', ...problem },
  },
});

const stagedRoute = createRoute({
  method: 'get',
  path: '/uploads/{id}',
  tags: ['data'],
  summary: 'A staged upload',
  middleware: [requireRole('admin')],
  request: { params: z.object({ id: uploadIdSchema }) },
  responses: {
    200: { description: 'the staged upload', content: { 'application/json': { schema: stagedUploadSchema } } },
    404: { description: 'no such upload (committed, expired or lost with a restart)', ...problem },
  },
});

const commitRoute = createRoute({
  method: 'post',
  path: '/uploads/{id}/commit',
  tags: ['data'],
  summary: 'Create a NEW table from a staged upload, in one transaction (never replacing a table)',
  middleware: [requireRole('admin')],
  request: { params: z.object({ id: uploadIdSchema }), body: { required: true, content: { 'application/json': { schema: commitInputSchema } } } },
  responses: {
    201: { description: 'the table was created', content: { 'application/json': { schema: committedUploadSchema } } },
    404: { description: 'no such upload', ...problem },
    409: { description: 'a table of that name exists', ...problem },
    503: { description: 'the database is open for writing elsewhere', ...problem },
  },
});

export function tablesApi(ctx: ServerContext): OpenAPIHono<AppEnv> {
  const app = apiApp();
  app.openapi(listRoute, async (c) => c.json(await listTables(ctx), 200));
  app.openapi(showRoute, async (c) => c.json(await withStatus(() => tableDetail(ctx, c.req.valid('param').name, c.req.valid('query'))), 200));
  app.openapi(uploadRoute, async (c) => {
    const body = await c.req.parseBody();
    const file = body.file;
    if (!(file instanceof File)) throw new HttpProblem(422, 'E_UPLOAD_NO_FILE', 'send the file as the multipart field `file`', 'curl -F file=@sales.csv ...');
    const staged = await stageUpload(ctx, { filename: file.name, data: new Uint8Array(await file.arrayBuffer()) }, { maxBytes: ctx.limits.uploadBytes });
    ctx.audit.record(c.get('user'), 'upload.stage', staged.id, { filename: staged.filename, size: staged.size, rows: staged.row_count });
    c.header('location', `/api/v1/uploads/${staged.id}`);
    return c.json(staged, 201);
  });
  app.openapi(stagedRoute, async (c) => c.json(await withStatus(() => stagedUpload(ctx, c.req.valid('param').id)), 200));
  app.openapi(commitRoute, async (c) => {
    const { id } = c.req.valid('param');
    const done = await withStatus(() => commitUpload(ctx, id, c.req.valid('json')));
    ctx.audit.record(c.get('user'), 'upload.commit', done.table, { upload: id, rows: done.row_count });
    c.header('location', `/api/v1/tables/${encodeURIComponent(done.table)}`);
    return c.json(done, 201);
  });
  return app;
}
