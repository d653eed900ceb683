/** Page: the schedules (cron in words, timezone, next 5 fire times, last runs, pause/resume, run now). */
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { AppEnv, ServerContext } from '../context.js';
import { requireRole } from '../auth/middleware.js';
import { pauseSchedule, triggerSchedule } from '../actions.js';
import { scheduleViews } from '../schedules/view.js';
import { badge, csrfField, layout, when, sendPage } from './layout.js';

export function schedulePages(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/schedules', requireRole('viewer'), (c) => {
    const list = scheduleViews(ctx);
    const role = c.get('user').role;
    return sendPage(
      c,
      layout(c, {
        title: 'Schedules',
        active: 'schedules',
        body: html`<h1>Schedules</h1>
<p class="muted">Paused schedules pass over their ticks until resumed (the scheduler of <code>quire serve --scheduler</code> or <code>quire scheduler</code> reads the pause).</p>
<table class="list" data-schedules>
  <thead><tr><th>Schedule</th><th>When</th><th>Next 5 (${list[0]?.timezone ?? 'UTC'})</th><th>Last runs</th><th></th></tr></thead>
  <tbody>
  ${list.map(
    (s) => html`<tr data-schedule="${s.id}">
    <td><a href="/notebooks/${s.notebook_id}"><strong>${s.notebook_id}</strong></a> · ${s.name}<div>${s.paused ? html`${badge('paused')} <span class="muted">by ${s.paused.by}, ${when(s.paused.at)}</span>` : html`<span class="badge badge-succeeded" data-status="active">active</span>`}</div></td>
    <td>${s.description}<div class="muted"><code>${s.cron}</code> · ${s.timezone}</div></td>
    <td><ol class="dag">${s.next.map((n) => html`<li>${n.local}</li>`)}</ol></td>
    <td>${s.last_runs.length ? s.last_runs.map((r) => html`<div><a href="/runs/${r.id}">${badge(r.status)}</a> <span class="muted">${when(r.started_at)}</span></div>`) : html`<span class="muted">none yet</span>`}</td>
    <td class="actions">
      ${role === 'admin' ? html`<form method="post" action="/schedules/${s.id}/${s.paused ? 'resume' : 'pause'}" class="inline">${csrfField(c)}<button class="secondary" data-action="${s.paused ? 'resume' : 'pause'}">${s.paused ? 'Resume' : 'Pause'}</button></form>` : ''}
      ${role !== 'viewer' ? html`<form method="post" action="/schedules/${s.id}/trigger" class="inline">${csrfField(c)}<button data-action="trigger">Run now</button></form>` : ''}
    </td>
  </tr>`,
  )}
  </tbody>
</table>`,
      }),
    );
  });

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/schedules/:id/${action}`, requireRole('admin'), (c) => {
      pauseSchedule(ctx, c.get('user'), c.req.param('id'), action === 'pause');
      return c.redirect('/schedules', 303);
    });
  }
  app.post('/schedules/:id/trigger', requireRole('runner'), async (c) => {
    const run = await triggerSchedule(ctx, c.get('user'), c.req.param('id'));
    return c.redirect(`/runs/${run.id}`, 303);
  });
  return app;
}
