/** /api/v1/schedules: list; pause, resume (stored, honoured by the scheduler) and trigger (run now). */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { pauseSchedule, triggerSchedule } from '../actions.js';
import type { AppEnv, ServerContext } from '../context.js';
import { requireRole } from '../auth/middleware.js';
import { scheduleViews, type findSchedule } from '../schedules/view.js';
import { apiApp } from './api-app.js';
import { json, problems, RunSummarySchema } from './schemas.js';
import { summaryOfEntry } from './runs.js';

const ScheduleSchema = z
  .object({
    id: z.string().openapi({ example: 'monthly-review.monthly' }),
    key: z.string(),
    notebook: z.string(),
    notebook_id: z.string(),
    name: z.string(),
    cron: z.string(),
    description: z.string(),
    timezone: z.string(),
    next: z.array(z.object({ local: z.string(), utc: z.string() })),
    paused: z.object({ by: z.string(), at: z.string() }).nullable(),
    last_runs: z.array(RunSummarySchema),
  })
  .openapi('Schedule');

const idParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'monthly-review.monthly' }) });

export function schedulesApi(ctx: ServerContext): OpenAPIHono<AppEnv> {
  const app = apiApp();
  const toJson = (v: ReturnType<typeof findSchedule>) => ({ ...v, last_runs: v.last_runs.map((e) => summaryOfEntry(e)) });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/schedules',
      tags: ['schedules'],
      summary: 'every schedule: cron in words, timezone, next 5 fire times, paused, last runs',
      middleware: [requireRole('viewer')] as const,
      responses: { 200: json(z.array(ScheduleSchema), 'schedules'), ...problems() },
    }),
    (c) => c.json(scheduleViews(ctx).map(toJson), 200),
  );

  for (const action of ['pause', 'resume'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/schedules/{id}/${action}`,
        tags: ['schedules'],
        summary: action === 'pause' ? 'pause a schedule: its ticks are passed over until it is resumed' : 'resume a paused schedule',
        middleware: [requireRole('admin')] as const,
        request: { params: idParam },
        responses: { 200: json(ScheduleSchema, 'the schedule'), ...problems(404) },
      }),
      (c) => c.json(toJson(pauseSchedule(ctx, c.get('user'), c.req.valid('param').id, action === 'pause')), 200),
    );
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/schedules/{id}/trigger',
      tags: ['schedules'],
      summary: "run a schedule's notebook now, with the schedule's params",
      middleware: [requireRole('runner')] as const,
      request: { params: idParam },
      responses: {
        202: { ...json(z.object({ id: z.string(), notebook: z.string(), status: z.string(), url: z.string() }), 'accepted'), headers: { Location: { schema: { type: 'string' } } } },
        ...problems(404, 422),
      },
    }),
    async (c) => {
      const run = await triggerSchedule(ctx, c.get('user'), c.req.valid('param').id);
      c.header('Location', `/api/v1/runs/${run.id}`);
      return c.json({ id: run.id, notebook: run.notebookId, status: run.status, url: `/api/v1/runs/${run.id}` }, 202);
    },
  );
  return app;
}
