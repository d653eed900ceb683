/**
 * /metrics: the catalog (search words, category filter), a metric's page (definition, the SQL
 * it compiles to) and the ad-hoc compute form (metrics, slices, segments, grain, window,
 * compare) showing the long table and its chart. Computing reads only: a GET form (runners).
 */
import { Hono, type Context } from 'hono';
import { html, raw } from 'hono/html';
import type { AppEnv, ServerContext } from '../context.js';
import { COMPARES, GRAINS } from '../../metrics/specs.js';
import { UserError } from '../../util/errors.js';
import { computeMetrics, computeRequestSchema, metricDetail, metricsCatalog, type ComputeResult, type MetricsCatalog } from '../services/metrics.js';
import { HttpProblem } from '../problem.js';
import { layout, type Html, sendPage } from './layout.js';
import { attempt, dataTable, errorBanner, hasRole } from './catalog-parts.js';
import { computeChartSvgs } from './metric-chart.js';

/** Rows of the long table shown on the page (the API returns up to 5,000). */
const PAGE_ROWS = 500;

const all = (c: Context<AppEnv>, key: string) =>
  (c.req.queries(key) ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);

function selectMany(name: string, label: string, options: { name: string; display_name?: string }[], chosen: string[], size = 6): Html {
  return html`<div class="field"><label for="${name}">${label}</label>
<select id="${name}" name="${name}" multiple size="${Math.min(size, Math.max(2, options.length))}">
${options.map((o) => html`<option value="${o.name}" title="${o.name}"${chosen.includes(o.name) ? raw(' selected') : ''}>${o.display_name ?? o.name}</option>`)}
</select></div>`;
}

function computeForm(c: Context<AppEnv>, catalog: MetricsCatalog, chosen: { metrics: string[]; slices: string[]; segments: string[]; grain: string; from: string; to: string; compare: string }): Html {
  return html`<form method="get" action="/metrics/compute" class="compute" id="compute-form">
  <div class="compute-grid">
    ${selectMany('metrics', 'Metrics', catalog.metrics, chosen.metrics, 8)}
    ${selectMany('slices', 'Slice by', catalog.slices, chosen.slices)}
    ${selectMany('segments', 'Segments (beside all)', catalog.segments, chosen.segments)}
    <div class="compute-time">
      <div class="field"><label for="grain">Grain</label><select id="grain" name="grain">${GRAINS.map((g) => html`<option${g === chosen.grain ? raw(' selected') : ''}>${g}</option>`)}</select></div>
      <div class="field"><label for="from">From (included)</label><input id="from" name="from" type="date" value="${chosen.from}"></div>
      <div class="field"><label for="to">To (not included)</label><input id="to" name="to" type="date" value="${chosen.to}"></div>
      <div class="field"><label for="compare">Compare with</label><select id="compare" name="compare"><option value="">nothing</option>${COMPARES.map((x) => html`<option${x === chosen.compare ? raw(' selected') : ''}>${x}</option>`)}</select></div>
    </div>
  </div>
  <div class="actions"><button type="submit"${hasRole(c, 'runner') ? '' : raw(' disabled')}>Compute</button>${hasRole(c, 'runner') ? '' : html`<span class="muted">computing needs the runner role</span>`}</div>
</form>`;
}

const noChoice = { metrics: [], slices: [], segments: [], grain: 'monthly', from: '', to: '', compare: '' };

function catalogPage(c: Context<AppEnv>, catalog: MetricsCatalog, q: string, category: string): Html {
  return layout(c, {
    title: 'Metrics',
    active: 'metrics',
    body: html`<h1>Metrics</h1>
<p class="description">The project's metric catalog: ${catalog.metrics.length} metric${catalog.metrics.length === 1 ? '' : 's'}${q || category ? ' matching' : ''}, ${catalog.slices.length} slices, ${catalog.segments.length} segments.</p>
${catalog.problems.length ? html`<div class="banner banner-failed"><strong>${catalog.problems.length} spec${catalog.problems.length === 1 ? ' has' : 's have'} problems</strong> (left out): ${catalog.problems.map((p) => p.message).join('; ')}</div>` : ''}
<form method="get" action="/metrics" class="filters">
  <div class="field"><label for="q">Search</label><input id="q" name="q" type="search" value="${q}" placeholder="revenue, churn…"></div>
  <div class="field"><label for="category">Category</label><select id="category" name="category"><option value="">all</option>${catalog.categories.map((x) => html`<option${x === category ? raw(' selected') : ''}>${x}</option>`)}</select></div>
  <button type="submit" class="secondary">Filter</button>
</form>
<table class="list" id="metrics-table"><thead><tr><th>Metric</th><th>Category</th><th>Unit</th><th>How</th><th>What it is</th></tr></thead><tbody>
${catalog.metrics.map(
  (m) => html`<tr><td><a href="/metrics/${m.name}"><strong>${m.display_name ?? m.name}</strong></a><div class="muted small"><code>${m.name}</code></div></td>
<td><a href="/metrics?category=${encodeURIComponent(m.category)}">${m.category}</a></td><td>${m.unit}</td><td>${m.aggregation}${m.source ? html` <span class="muted">over ${m.source}</span>` : ''}</td><td>${m.description ?? ''}</td></tr>`,
)}
${catalog.metrics.length ? '' : html`<tr><td colspan="5" class="muted">No metric matches.</td></tr>`}
</tbody></table>
<div class="cols">
  <div><h2>Slices</h2><ul class="plain">${catalog.slices.map((s) => html`<li><a href="/metrics/${s.name}"><code>${s.name}</code></a> ${s.description ?? s.display_name ?? ''}</li>`)}</ul></div>
  <div><h2>Segments</h2><ul class="plain">${catalog.segments.map((s) => html`<li><a href="/metrics/${s.name}"><code>${s.name}</code></a> ${s.description ?? s.display_name ?? ''}</li>`)}</ul></div>
</div>
<h2>Compute</h2>
<div class="card">${computeForm(c, catalog, noChoice)}</div>`,
  });
}

async function resultBlock(result: ComputeResult): Promise<Html> {
  const charts = await computeChartSvgs(result);
  const shown = result.rows.slice(0, PAGE_ROWS);
  return html`${
    charts.length
      ? html`<div class="charts">${charts.map(
          (ch) =>
            html`<figure class="card chart"><figcaption>${ch.metric}</figcaption><img class="compute-chart" alt="Chart of ${ch.metric}" src="data:image/svg+xml;base64,${Buffer.from(ch.svg).toString('base64')}"></figure>`,
        )}</div>`
      : ''
  }
<p class="muted">${result.row_count} row${result.row_count === 1 ? '' : 's'}${result.row_count > shown.length ? ` (the first ${shown.length} shown)` : ''}</p>
${dataTable(
  result.columns,
  shown.map((r) => result.columns.map((col) => r[col.name])),
  { id: 'compute-result' },
)}
<details><summary>SQL</summary><pre class="sql">${result.sql}</pre></details>`;
}

export function metricPages(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/metrics', async (c) => {
    const q = c.req.query('q') ?? '';
    const category = c.req.query('category') ?? '';
    const got = await attempt(() => metricsCatalog(ctx, { q: q || undefined, category: category || undefined }));
    if (got.error) throw new HttpProblem(422, got.error.code, got.error.message, got.error.hint);
    return sendPage(c, catalogPage(c, got.value, q, category));
  });

  app.get('/metrics/compute', async (c) => {
    const catalog = await metricsCatalog(ctx);
    const chosen = {
      metrics: all(c, 'metrics'),
      slices: all(c, 'slices'),
      segments: all(c, 'segments'),
      grain: c.req.query('grain') || 'all_time',
      from: c.req.query('from') ?? '',
      to: c.req.query('to') ?? '',
      compare: c.req.query('compare') ?? '',
    };
    let outcome: Html = html``;
    if (chosen.metrics.length) {
      if (!hasRole(c, 'runner')) throw new HttpProblem(403, 'E_FORBIDDEN', `computing needs the runner role; ${c.get('user').name} is a ${c.get('user').role}`);
      const parsed = computeRequestSchema.safeParse({ ...chosen, from: chosen.from || undefined, to: chosen.to || undefined, compare: chosen.compare || undefined });
      const got = parsed.success
        ? await attempt(() => computeMetrics(ctx, parsed.data))
        : { value: null, error: new UserError('E_REQUEST_INVALID', parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')) };
      outcome = got.error ? errorBanner(got.error) : await resultBlock(got.value!);
    }
    return sendPage(
      c,
      layout(c, {
        title: 'Compute metrics',
        active: 'metrics',
        body: html`<p class="muted"><a href="/metrics">Metrics</a> / compute</p><h1>Compute metrics</h1>
<p class="description">Metrics without a notebook: the long table of the metric engine, as <code>quire metrics compute</code> prints it.</p>
<div class="card">${computeForm(c, catalog, chosen)}</div>
<div id="compute-outcome">${outcome}</div>`,
      }),
    );
  });

  app.get('/metrics/:name', async (c) => {
    const got = await attempt(() => metricDetail(ctx, c.req.param('name')));
    if (got.error) throw new HttpProblem(404, got.error.code, got.error.message, got.error.hint);
    const d = got.value;
    const catalog = d.kind === 'metric' ? await metricsCatalog(ctx) : null;
    return sendPage(
      c,
      layout(c, {
        title: d.name,
        active: 'metrics',
        body: html`<p class="muted"><a href="/metrics">Metrics</a> / ${d.name}</p>
<h1>${String(d.definition.display_name ?? d.name)} <span class="muted small">${d.kind}</span></h1>
${d.definition.description ? html`<p class="description">${String(d.definition.description)}</p>` : ''}
<div class="cols">
  <div class="card"><h2>Definition</h2><dl class="meta">${Object.entries(d.definition).map(
    ([k, v]) => html`<dt>${k}</dt><dd>${typeof v === 'string' ? html`<code>${v}</code>` : html`<code>${JSON.stringify(v)}</code>`}</dd>`,
  )}<dt>defined in</dt><dd><code>${d.defined_at}</code></dd></dl></div>
  ${
    catalog
      ? html`<div class="card"><h2>Compute it</h2>${computeForm(c, catalog, { ...noChoice, metrics: [d.name] })}</div>`
      : html`<div class="card"><h2>Use it</h2><p>Pick it under “${d.kind === 'slice' ? 'Slice by' : 'Segments'}” on <a href="/metrics/compute">the compute page</a>, or in a metric cell's <code>${d.kind}s:</code>.</p></div>`
  }
</div>
${d.sql ? html`<h2>Compiled SQL</h2><p class="muted">${d.scans.map((s) => `${s.source}: ${s.metrics.join(', ')} (${s.strategy})`).join(' · ')}</p><pre class="sql" id="metric-sql">${d.sql}</pre>` : ''}`,
      }),
    );
  });
  return app;
}
