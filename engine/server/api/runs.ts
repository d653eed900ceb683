/** /api/v1/runs: start (202 + Location), list (filters, pagination), status, events (SSE), artifacts, rerun, cancel. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { cancelRun, rerun, startRun } from '../actions.js';
import type { RunIndexEntry } from '../../runs/index-file.js';
import type { AppEnv, ServerContext } from '../context.js';
import { requireRole } from '../auth/middleware.js';
import { findRunView, runJson } from '../runs/lookup.js';
import { ARTIFACT_NAMES, readArtifact } from '../runs/artifacts.js';
import type { ManagedRun } from '../runs/run-manager.js';
import type { RunEvent } from '../runs/events.js';
import { apiApp } from './api-app.js';
import { OWN_CSP } from '../own-csp.js';
import { json, ParamsSchema, problems, RunSummarySchema, safeId } from './schemas.js';

const idParam = z.object({ id: safeId.openapi({ param: { name: 'id', in: 'path' }, example: '20261203-060000Z-1a2b3c' }) });

const StartSchema = z
  .object({
    notebook: z.string().min(1).openapi({ example: 'monthly-review' }),
    params: ParamsSchema.optional(),
  })
  .openapi('StartRun');

const StartedSchema = z.object({ id: z.string(), notebook: z.string(), status: z.string(), queue_position: z.number().nullable(), url: z.string(), events: z.string() }).openapi('RunStarted');

const RunSchema = z
  .looseObject({ id: z.string(), status: z.string(), queue_position: z.number().nullable() })
  .openapi('Run', { description: 'the run.json fields, with the status (queued ones too) and the place in the queue' });

const RunPageSchema = z.object({ total: z.number(), offset: z.number(), limit: z.number(), runs: z.array(RunSummarySchema), queued: z.array(RunSummarySchema) }).openapi('RunPage');

const listQuery = z.object({
  notebook: z.string().optional(),
  status: z.enum(['queued', 'running', 'succeeded', 'partial', 'failed', 'cancelled']).optional(),
  started_by: z.string().optional(),
  from: z.string().date().or(z.string().datetime()).optional().openapi({ description: 'started at or after (date or date-time)' }),
  to: z.string().date().or(z.string().datetime()).optional().openapi({ description: 'started on or before (date or date-time)' }),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function summaryOfManaged(r: ManagedRun): z.infer<typeof RunSummarySchema> {
  return {
    id: r.id,
    notebook: r.notebookId,
    title: r.title,
    status: r.status,
    started_at: null,
    finished_at: null,
    started_by: r.startedBy,
    trigger: r.trigger.kind,
    schedule: r.trigger.schedule,
    params: r.params,
    error: r.error,
  };
}

/** A run of the runs index; a run still queued or running takes its status from the run service (the queue's index in PostgreSQL, with a queue). */
export const summaryOfEntry = ({ mtime: _m, ...e }: RunIndexEntry, live?: ManagedRun) => (live && (live.status === 'queued' || live.status === 'running') ? { ...e, status: live.status } : e);

const started = (r: ManagedRun, queuePosition: number | null) => ({
  id: r.id,
  notebook: r.notebookId,
  status: r.status,
  queue_position: queuePosition,
  url: `/api/v1/runs/${r.id}`,
  events: `/api/v1/runs/${r.id}/events`,
});

export function runsApi(ctx: ServerContext): OpenAPIHono<AppEnv> {
  const app = apiApp();
  const viewer = requireRole('viewer');
  const runner = requireRole('runner');
  const position = (id: string) => {
    const i = ctx.runs.queued.findIndex((r) => r.id === id);
    return i >= 0 ? i + 1 : null;
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/runs',
      tags: ['runs'],
      summary: 'start a run (queued when the server runs its limit already)',
      middleware: [runner] as const,
      request: { body: { content: { 'application/json': { schema: StartSchema } }, required: true } },
      responses: { 202: { ...json(StartedSchema, 'accepted: the run is queued or running'), headers: { Location: { schema: { type: 'string' } } } }, ...problems(404, 413, 422) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const run = await startRun(ctx, c.get('user'), body.notebook, body.params ?? {});
      c.header('Location', `/api/v1/runs/${run.id}`);
      return c.json(started(run, position(run.id)), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/runs',
      tags: ['runs'],
      summary: 'runs, newest first, filtered and paginated (from the runs index)',
      middleware: [viewer] as const,
      request: { query: listQuery },
      responses: { 200: json(RunPageSchema, 'a page of runs'), ...problems(422) },
    }),
    (c) => {
      const q = c.req.valid('query');
      const page = ctx.index.query({ notebook: q.notebook, status: q.status, startedBy: q.started_by, from: q.from, to: q.to }, q.offset, q.limit);
      const queued = ctx.runs.queued.filter((r) => (!q.notebook || r.notebookId === q.notebook) && (!q.status || q.status === 'queued') && (!q.started_by || r.startedBy === q.started_by));
      return c.json({ ...page, runs: page.runs.map((e) => summaryOfEntry(e, ctx.runs.get(e.id))), queued: queued.map(summaryOfManaged) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/runs/{id}',
      tags: ['runs'],
      summary: 'a run: its run.json fields and status',
      middleware: [viewer] as const,
      request: { params: idParam },
      responses: { 200: json(RunSchema, 'the run'), ...problems(404) },
    }),
    (c) => c.json(runJson(findRunView(ctx, c.req.valid('param').id), ctx.runs) as z.infer<typeof RunSchema>, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/runs/{id}/events',
      tags: ['runs'],
      summary: 'the events of a run as Server-Sent Events: the history, then live ones until it finishes',
      middleware: [viewer] as const,
      request: { params: idParam },
      responses: { 200: { description: 'text/event-stream of queued, started, cell-started, cell-finished, finished', content: { 'text/event-stream': { schema: z.string() } } }, ...problems(404) },
    }),
    (c) => {
      const view = findRunView(ctx, c.req.valid('param').id);
      return streamSSE(c, async (stream) => {
        const send = (e: RunEvent) => stream.writeSSE({ id: String(e.seq), event: e.type, data: JSON.stringify(e.data) });
        const live = view.managed?.events;
        if (!live) {
          // A run this server no longer holds (or never started): its events from run.json.
          for (const e of eventsOfManifest(view)) await send(e);
          return;
        }
        const pending: RunEvent[] = [];
        let wake: (() => void) | null = null;
        const unsubscribe = live.subscribe((e) => {
          pending.push(e);
          wake?.();
        });
        stream.onAbort(() => {
          unsubscribe();
          wake?.();
        });
        for (;;) {
          while (pending.length) {
            const e = pending.shift()!;
            await send(e);
            if (e.type === 'finished') {
              unsubscribe();
              return;
            }
          }
          if (stream.aborted || stream.closed) return;
          await new Promise<void>((r) => {
            wake = r;
          });
          wake = null;
        }
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/runs/{id}/artifacts/{name}',
      tags: ['runs'],
      summary: 'a file of the run: report.html, report.pdf, report.xlsx (a missing format is rendered on demand), run.log, run.json',
      middleware: [viewer] as const,
      request: { params: idParam.extend({ name: z.enum(ARTIFACT_NAMES as [string, ...string[]]).openapi({ param: { name: 'name', in: 'path' } }) }) },
      responses: { 200: { description: 'the file' }, ...problems(404, 409) },
    }),
    async (c) => {
      const { id, name } = c.req.valid('param');
      const a = await readArtifact(findRunView(ctx, id), name, ctx);
      const headers: Record<string, string> = { 'content-type': a.type, 'x-content-type-options': 'nosniff' };
      if (name === 'report.html') {
        // The report runs only its own hashed inline scripts (its <meta> CSP); opened directly it is sandboxed too.
        headers[OWN_CSP] = "sandbox allow-scripts allow-popups; default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; frame-ancestors 'self'";
      } else if (name !== 'run.log' && name !== 'run.json') {
        headers['content-disposition'] = `attachment; filename="${id}-${name}"`;
      }
      return c.body(a.body, 200, headers);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/runs/{id}/rerun',
      tags: ['runs'],
      summary: "run the notebook again with this run's params, overriding those given",
      middleware: [runner] as const,
      request: { params: idParam, body: { content: { 'application/json': { schema: z.object({ params: ParamsSchema.optional() }) } }, required: false } },
      responses: { 202: { ...json(StartedSchema, 'accepted'), headers: { Location: { schema: { type: 'string' } } } }, ...problems(404, 409, 422) },
    }),
    async (c) => {
      const overrides = (await c.req.json().catch(() => ({}))) as { params?: Record<string, unknown> };
      const run = await rerun(ctx, c.get('user'), c.req.valid('param').id, overrides.params ?? {});
      c.header('Location', `/api/v1/runs/${run.id}`);
      return c.json(started(run, position(run.id)), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/runs/{id}/cancel',
      tags: ['runs'],
      summary: 'cancel a queued run (it never starts) or stop a running one (it ends failed, interrupted)',
      middleware: [runner] as const,
      request: { params: idParam },
      responses: { 202: json(z.object({ id: z.string(), status: z.string() }), 'cancelling'), ...problems(404, 409) },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      return c.json({ id, status: await cancelRun(ctx, c.get('user'), id) }, 202);
    },
  );
  return app;
}

/** The events a finished run would have sent, rebuilt from its run.json. */
function eventsOfManifest(view: ReturnType<typeof findRunView>): RunEvent[] {
  const m = view.manifest;
  if (!m) return [];
  const out: RunEvent[] = [];
  const push = (type: RunEvent['type'], at: string, data: Record<string, unknown>) => out.push({ seq: out.length + 1, type, at, data });
  push('started', m.started_at, { id: m.id });
  for (const cell of m.cells)
    push('cell-finished', m.finished_at ?? m.started_at, {
      cell: cell.id,
      status: cell.status,
      duration_ms: cell.duration_ms,
      rows: cell.rows,
      cache_hit: cell.cache_hit,
      error: cell.error?.message ?? null,
    });
  if (m.status !== 'running') push('finished', m.finished_at ?? m.started_at, { id: m.id, status: m.status, error: m.error, exports: m.exports });
  return out;
}
