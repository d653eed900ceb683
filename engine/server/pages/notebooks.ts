/** Pages: the notebooks list, and a notebook (params form, DAG, plan, Run with live progress). */
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { planRun, type RunPlan } from '../../exec/plan-run.js';
import { QuireError, ValidationErrors } from '../../util/errors.js';
import type { AppEnv, ServerContext } from '../context.js';
import { requireRole } from '../auth/middleware.js';
import { startRun } from '../actions.js';
import { fieldError, problemOf, problemResponse, type FieldError } from '../problem.js';
import { listNotebooks, nextRuns, summarize } from '../notebooks/summary.js';
import { dagOrder } from '../notebooks/dag-order.js';
import { badge, layout, when, type Html, sendPage } from './layout.js';
import { formParams, paramsForm } from './params-form.js';
import { progressPanel } from './progress.js';

export const wantsJson = (c: Context) => (c.req.header('accept') ?? '').includes('application/json');

/** A form action's failure: JSON (for app.js) or null (the page renders it). */
export function formFailure(c: Context<AppEnv>, err: unknown): Response | FieldError[] {
  if (wantsJson(c)) return problemResponse(c, problemOf(err));
  if (err instanceof ValidationErrors) return err.errors.map(fieldError);
  if (err instanceof QuireError) return [fieldError(err)];
  throw err;
}

export function notebookPages(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/notebooks', requireRole('viewer'), (c) => {
    const list = listNotebooks(ctx.notebooks);
    return sendPage(
      c,
      layout(c, {
        title: 'Notebooks',
        active: 'notebooks',
        body: html`<h1>Notebooks</h1>
<p class="muted">${list.length} notebook${list.length === 1 ? '' : 's'} in ${ctx.root}</p>
<table class="list" data-notebooks>
  <thead><tr><th>Notebook</th><th>Tags</th><th>Last run</th><th>Next scheduled</th></tr></thead>
  <tbody>
  ${list.map(
    (n) => html`<tr>
    <td><a href="/notebooks/${n.id}"><strong>${n.title}</strong></a>${n.valid ? '' : html` ${badge('failed')}`}<div class="muted">${n.description ?? ''}</div><code class="muted">${n.path}</code></td>
    <td><div class="tags">${n.tags.map((t) => html`<span class="tag">${t}</span>`)}</div></td>
    <td>${n.lastRun ? html`<a href="/runs/${n.lastRun.id}">${badge(n.lastRun.status)}</a><div class="muted">${when(n.lastRun.started_at)}</div>` : html`<span class="muted">never run</span>`}</td>
    <td>${n.nextRun ? when(n.nextRun) : html`<span class="muted">not scheduled</span>`}</td>
  </tr>`,
  )}
  </tbody>
</table>`,
      }),
    );
  });

  const notebookPage = async (c: Context<AppEnv>, id: string, values: Record<string, string>, errors: FieldError[] = []): Promise<Html> => {
    const e = ctx.notebooks.get(id);
    const schedules = ctx.notebooks.schedules(1).filter((s) => s.notebook_id === e.id);
    const summary = summarize(ctx.notebooks, e, nextRuns(schedules));
    const fields = e.nb ? ctx.notebooks.paramFields(e.nb) : [];
    let plan: RunPlan | null = null;
    let planError: string | null = null;
    if (e.nb && !e.problems.length) {
      try {
        plan = await planRun(e.nb, { params: values, fromCli: true, runsDir: ctx.runsDir, state: ctx.state, now: ctx.clock });
      } catch (err) {
        if (!(err instanceof QuireError)) throw err;
        planError = err instanceof ValidationErrors ? err.errors.map((x) => x.message).join('; ') : err.message;
        if (!errors.length && err instanceof ValidationErrors) errors = err.errors.map(fieldError);
      }
    }
    const cells = dagOrder(
      (e.nb?.cells ?? []).map((cell) => ({ id: cell.spec.id, title: cell.spec.title ?? null, type: cell.spec.type })),
      plan?.levels ?? [],
    );
    // A run of this notebook going on now (from this page, another person or the scheduler) is shown live.
    const live = [...ctx.runs.running, ...ctx.runs.queued].find((r) => r.notebookId === e.id) ?? null;
    const action = new Map(plan?.cells.map((x) => [x.id, x]) ?? []);
    const level = new Map(plan?.levels.flatMap((ids, i) => ids.map((x) => [x, i + 1] as const)) ?? []);
    return layout(c, {
      title: summary.title,
      active: 'notebooks',
      body: html`<p class="muted"><a href="/notebooks">Notebooks</a> / ${e.id}</p>
<h1>${summary.title}</h1>
<p class="description">${summary.description ?? ''}</p>
<div class="tags">${summary.tags.map((t) => html`<span class="tag">${t}</span>`)}</div>
<p class="muted"><code>${e.rel}</code> · last run ${summary.lastRun ? html`<a href="/runs/${summary.lastRun.id}">${badge(summary.lastRun.status)}</a> ${when(summary.lastRun.started_at)}` : 'never'} · next scheduled ${summary.nextRun ? when(summary.nextRun) : 'not scheduled'}</p>
${e.problems.length ? html`<div class="banner banner-failed">${e.problems.map((p) => html`<div><strong>${p.code}</strong> ${p.message}</div>`)}</div>` : ''}
<div class="cols">
  <div class="card">
    <h2>Params</h2>
    ${paramsForm(c, { action: `/notebooks/${e.id}/run`, api: '/api/v1/runs', fields, values, errors, submit: 'Run', disabled: !e.nb || e.problems.length > 0 || c.get('user').role === 'viewer' })}
    ${c.get('user').role === 'viewer' ? html`<p class="muted">Viewers can't start runs.</p>` : ''}
  </div>
  <div class="card">
    <h2>DAG and plan</h2>
    ${planError ? html`<p class="banner banner-failed">${planError}</p>` : ''}
    <ol class="dag" data-dag>
      ${cells.map((cell) => {
        const a = action.get(cell.id);
        const ups = plan?.upstream[cell.id] ?? [];
        return html`<li><span class="level">L${level.get(cell.id) ?? '?'}</span> <code>${cell.id}</code> <span class="muted">${cell.type}</span>${ups.length ? html` <span class="deps">← ${ups.join(', ')}</span>` : ''} ${a ? html`<span class="badge badge-${a.action === 'cache' ? 'succeeded' : 'none'}" title="${a.reason}">${a.action === 'cache' ? 'cache' : 'run'}</span>` : ''}</li>`;
      })}
    </ol>
    ${plan ? html`<p class="muted">${plan.cells.filter((x) => x.action === 'cache').length} of ${plan.cells.length} cells from the cache (plan for the params shown).</p>` : ''}
  </div>
</div>
${
  live
    ? html`<div data-progress-slot>${progressPanel({ id: live.id, status: live.status }, cells)}</div>`
    : html`<div data-progress-slot hidden>${progressPanel({ id: '', status: 'queued' }, cells)}</div>`
}`,
    });
  };

  app.get('/notebooks/:id', requireRole('viewer'), async (c) => {
    const id = c.req.param('id');
    const e = ctx.notebooks.get(id);
    const fields = e.nb ? ctx.notebooks.paramFields(e.nb) : [];
    return sendPage(c, await notebookPage(c, id, formParams(c.req.query(), fields)));
  });

  app.post('/notebooks/:id/run', requireRole('runner'), async (c) => {
    const id = c.req.param('id');
    const e = ctx.notebooks.get(id);
    const values = formParams(await c.req.parseBody(), e.nb ? ctx.notebooks.paramFields(e.nb) : []);
    try {
      const run = await startRun(ctx, c.get('user'), id, values, true);
      if (wantsJson(c)) return c.json({ id: run.id, status: run.status, url: `/runs/${run.id}`, events: `/api/v1/runs/${run.id}/events` }, 202);
      return c.redirect(`/runs/${run.id}`, 303);
    } catch (err) {
      const failure = formFailure(c, err);
      if (failure instanceof Response) return failure;
      return sendPage(c, await notebookPage(c, id, values, failure), 422);
    }
  });
  return app;
}
