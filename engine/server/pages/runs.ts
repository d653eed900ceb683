/** Pages: the runs list (filters, pagination) and a run (report, params, provenance, log, timings, downloads, delivery, rerun, cancel). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { readRecord } from '../../deliver/record.js';
import { EXPORTERS } from '../../export/index.js';
import type { AppEnv, ServerContext } from '../context.js';
import { requireRole } from '../auth/middleware.js';
import { cancelRun, rerun } from '../actions.js';
import type { FieldError } from '../problem.js';
import { findRunView, type RunView } from '../runs/lookup.js';
import { badge, csrfField, layout, when, type Html, sendPage } from './layout.js';
import { formFailure, wantsJson } from './notebooks.js';
import { formParams, paramsForm } from './params-form.js';
import { progressPanel } from './progress.js';

const STATUSES = ['running', 'succeeded', 'partial', 'failed'];
const PAGE = 50;

const chips = (params: Record<string, unknown>) =>
  html`${Object.entries(params)
    .filter(([k]) => !/_(start|end)$/.test(k))
    .map(([k, v]) => html`<span class="chip"><span class="chip-k">${k}</span><span class="chip-v">${Array.isArray(v) ? v.join(',') : String(v)}</span></span>`)}`;

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '';
  const all = readFileSync(file, 'utf8').split('\n');
  return all.slice(-lines).join('\n');
}

export function runPages(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const listCache = new Map<string, Html>();

  app.get('/runs', requireRole('viewer'), (c) => {
    const q = c.req.query();
    const offset = Math.max(0, Number.parseInt(q.offset ?? '0', 10) || 0);
    const filter = {
      notebook: q.notebook || undefined,
      status: q.status || undefined,
      startedBy: q.started_by || undefined,
      from: /^\d{4}-\d{2}-\d{2}$/.test(q.from ?? '') ? q.from : undefined,
      to: /^\d{4}-\d{2}-\d{2}$/.test(q.to ?? '') ? q.to : undefined,
    };
    const page = ctx.index.query(filter, offset, PAGE);
    const queued = ctx.runs.queued;
    // A queued or running run's status from the run service (the queue's index, with a queue), the others' from their run.json.
    const live = (id: string) => {
      const s = ctx.runs.get(id)?.status;
      return s === 'queued' || s === 'running' ? s : undefined;
    };
    // The list is the same while the index and the live statuses are: rendered once, not per request.
    const key = JSON.stringify([q, ctx.index.generation, queued.map((r) => r.id), page.runs.map((r) => live(r.id) ?? '')]);
    let list = listCache.get(key);
    if (!list) {
      list = renderList();
      if (listCache.size >= 32) listCache.delete(listCache.keys().next().value as string);
      listCache.set(key, list);
    }
    return sendPage(c, layout(c, { title: 'Runs', active: 'runs', body: list }));

    function renderList(): Html {
      const link = (o: number) => `/runs?${new URLSearchParams({ ...Object.fromEntries(Object.entries(q).filter(([k, v]) => k !== 'offset' && v)), offset: String(o) })}`;
      // From the runs index, not the notebook catalog: re-reading the project's notebooks on a busy page stalls every request.
      const notebooks = ctx.index.notebookIds();
      return html`<h1>Runs</h1>
<form class="filters" method="get" action="/runs">
  <div class="field"><label for="f-nb">Notebook</label><select id="f-nb" name="notebook"><option value="">all</option>${notebooks.map((n) => html`<option ${n === filter.notebook ? 'selected' : ''}>${n}</option>`)}</select></div>
  <div class="field"><label for="f-st">Status</label><select id="f-st" name="status"><option value="">all</option>${STATUSES.map((s) => html`<option ${s === filter.status ? 'selected' : ''}>${s}</option>`)}</select></div>
  <div class="field"><label for="f-by">Started by</label><input id="f-by" name="started_by" value="${filter.startedBy ?? ''}"></div>
  <div class="field"><label for="f-from">From</label><input id="f-from" type="date" name="from" value="${filter.from ?? ''}"></div>
  <div class="field"><label for="f-to">To</label><input id="f-to" type="date" name="to" value="${filter.to ?? ''}"></div>
  <button type="submit" class="secondary">Filter</button>
</form>
${queued.length ? html`<h2>Queued</h2><table class="list"><tbody>${queued.map((r, i) => html`<tr><td>${i + 1}</td><td><a href="/runs/${r.id}">${r.id}</a></td><td>${r.title}</td><td>${badge('queued')}</td><td>${r.startedBy}</td></tr>`)}</tbody></table><h2>Runs</h2>` : ''}
<table class="list" data-runs>
  <thead><tr><th>Run</th><th>Notebook</th><th>Status</th><th>Started</th><th>Params</th><th>Started by</th></tr></thead>
  <tbody>
  ${page.runs.map(
    (r) => html`<tr>
    <td><a href="/runs/${r.id}"><code>${r.id}</code></a><div class="muted">${r.title}</div></td>
    <td><a href="/notebooks/${r.notebook}">${r.notebook}</a></td>
    <td>${badge(live(r.id) ?? r.status)}</td>
    <td>${when(r.started_at)}<div class="muted">${r.trigger}${r.schedule ? ` · ${r.schedule}` : ''}</div></td>
    <td>${chips(r.params)}</td>
    <td>${r.started_by ?? html`<span class="muted">—</span>`}</td>
  </tr>`,
  )}
  </tbody>
</table>
<div class="pager">
  ${offset > 0 ? html`<a href="${link(Math.max(0, offset - PAGE))}">← Newer</a>` : ''}
  <span class="muted">${page.total ? `${offset + 1}–${Math.min(offset + PAGE, page.total)} of ${page.total}` : 'no runs'}</span>
  ${offset + PAGE < page.total ? html`<a href="${link(offset + PAGE)}">Older →</a>` : ''}
</div>`;
    }
  });

  const runPage = (c: Context<AppEnv>, view: RunView, errors: FieldError[] = [], values?: Record<string, unknown>): Html => {
    const m = view.manifest;
    const managed = view.managed;
    const title = m?.title ?? managed?.title ?? view.id;
    const params = m?.params ?? managed?.params ?? {};
    const entry = ctx.notebooks.all().find((n) => n.id === view.notebookId);
    const fields = entry?.nb ? ctx.notebooks.paramFields(entry.nb) : [];
    const active = view.status === 'running' || view.status === 'queued';
    const role = c.get('user').role;
    const delivery = view.dir ? readRecord(view.dir) : null;
    const cellsDone = new Map((m?.cells ?? []).map((x) => [x.id, x.status]));
    const cells = (entry?.nb?.cells ?? []).map((x) => ({ id: x.spec.id, title: x.spec.title ?? null, state: cellsDone.get(x.spec.id) }));
    const api = `/api/v1/runs/${view.id}`;
    return layout(c, {
      title,
      active: 'runs',
      body: html`<p class="muted"><a href="/runs">Runs</a> / <a href="/notebooks/${view.notebookId}">${view.notebookId}</a> / ${view.id}</p>
<h1>${title}</h1>
<div class="actions"><span data-run-status>${badge(view.status)}</span> <code>${view.id}</code>
  ${active && role !== 'viewer' && !managed?.followed ? html`<form method="post" action="/runs/${view.id}/cancel" class="inline">${csrfField(c)}<button class="secondary" data-cancel>Cancel</button></form>` : ''}</div>
${m?.error || managed?.error ? html`<div class="banner banner-failed">${m?.error ?? managed?.error}</div>` : ''}
<div class="params">${chips(params)}</div>
${active ? progressPanel({ id: view.id, status: view.status }, cells) : ''}
${
  m && Object.hasOwn(m.exports, 'html')
    ? html`<h2>Report</h2><iframe class="report" sandbox="allow-scripts allow-popups" src="${api}/artifacts/report.html" title="report of ${view.id}"></iframe>`
    : ''
}
<div class="cols">
  <div class="card">
    <h2>Downloads</h2>
    ${
      m && !active
        ? html`<ul>${EXPORTERS.map((e) => html`<li><a href="${api}/artifacts/${e.file}" data-download="${e.format}">${e.file}</a> ${Object.hasOwn(m.exports, e.format) ? '' : html`<span class="muted">(rendered on demand)</span>`}</li>`)}
      <li><a href="${api}/artifacts/run.log">run.log</a></li><li><a href="${api}/artifacts/run.json">run.json</a></li></ul>`
        : html`<p class="muted">When the run ends.</p>`
    }
    <h2>Provenance</h2>
    <dl class="meta">
      <dt>notebook</dt><dd><code>${m?.notebook.path ?? view.notebookId}</code></dd>
      ${m ? html`<dt>sha256</dt><dd><code>${m.notebook.sha256.slice(0, 16)}…</code></dd>` : ''}
      <dt>started by</dt><dd>${m?.started_by ?? managed?.startedBy ?? '—'}</dd>
      <dt>trigger</dt><dd>${m?.trigger.kind ?? managed?.trigger.kind}${m?.trigger.schedule ? ` · ${m.trigger.schedule}` : ''}${m?.trigger.scheduled_for ? ` for ${when(m.trigger.scheduled_for)}` : ''}</dd>
      <dt>started</dt><dd>${when(m?.started_at ?? managed?.queuedAt)}</dd>
      <dt>finished</dt><dd>${when(m?.finished_at)}</dd>
      ${m?.process ? html`<dt>process</dt><dd>${m.process.pid} on ${m.process.host}</dd>` : ''}
    </dl>
    <h2>Delivery</h2>
    ${
      delivery
        ? html`<p>${badge(delivery.status)} ${delivery.held ? delivery.held.reason : ''}</p><table class="list"><tbody>${delivery.entries.map((d) => html`<tr><td>${d.recipient}</td><td>${badge(d.state === 'sent' ? 'succeeded' : d.state === 'failed' ? 'failed' : 'running')} ${d.state}</td><td class="muted">${d.error ?? when(d.sent_at)}</td></tr>`)}</tbody></table>`
        : html`<p class="muted">Not emailed.</p>`
    }
  </div>
  <div class="card">
    <h2>Rerun</h2>
    ${
      m && fields.length >= 0 && role !== 'viewer'
        ? paramsForm(c, { action: `/runs/${view.id}/rerun`, api: `${api}/rerun`, fields, values: values ?? params, errors, submit: 'Rerun' })
        : html`<p class="muted">${role === 'viewer' ? "Viewers can't start runs." : 'When the run has started.'}</p>`
    }
  </div>
</div>
${
  m
    ? html`<h2>Cell timings</h2>
<table class="list" data-cells><thead><tr><th>Cell</th><th>Status</th><th>Time</th><th>Rows</th><th>Cache</th><th>Error or warning</th></tr></thead><tbody>
${m.cells.map((x) => html`<tr><td><code>${x.id}</code> <span class="muted">${x.title ?? ''}</span></td><td>${badge(x.status)}</td><td class="num">${x.duration_ms === null ? '—' : `${x.duration_ms} ms`}</td><td class="num">${x.rows ?? '—'}</td><td>${x.cache_hit ? 'hit' : ''}</td><td>${x.error ? html`<strong>${x.error.code}</strong> ${x.error.message}` : x.warnings?.length ? x.warnings.map((w) => html`${badge('warning')} <strong>${w.code}</strong> ${w.message} `) : (x.skipped_reason ?? '')}</td></tr>`)}
</tbody></table>
<h2>Log</h2>
<pre class="log">${view.dir ? tail(join(view.dir, m.log), 200) : ''}</pre>`
    : ''
}`,
    });
  };

  app.get('/runs/:id', requireRole('viewer'), (c) => sendPage(c, runPage(c, findRunView(ctx, c.req.param('id')))));

  app.post('/runs/:id/rerun', requireRole('runner'), async (c) => {
    const view = findRunView(ctx, c.req.param('id'));
    const entry = ctx.notebooks.get(view.notebookId);
    const values = formParams(await c.req.parseBody(), entry.nb ? ctx.notebooks.paramFields(entry.nb) : []);
    try {
      const run = await rerun(ctx, c.get('user'), view.id, values, true);
      if (wantsJson(c)) return c.json({ id: run.id, status: run.status, url: `/runs/${run.id}`, events: `/api/v1/runs/${run.id}/events` }, 202);
      return c.redirect(`/runs/${run.id}`, 303);
    } catch (err) {
      const failure = formFailure(c, err);
      if (failure instanceof Response) return failure;
      return sendPage(c, runPage(c, view, failure, values), 422);
    }
  });

  app.post('/runs/:id/cancel', requireRole('runner'), async (c) => {
    const id = c.req.param('id');
    await cancelRun(ctx, c.get('user'), id);
    return c.redirect(`/runs/${id}`, 303);
  });
  return app;
}
