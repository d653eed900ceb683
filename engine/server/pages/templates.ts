/**
 * /templates: the gallery (a card per template with the first page of its report), a template's
 * page (description, params, cells, the specs it brings) and "use this template" (admins), which
 * writes the notebook as `quire templates use` does and shows its refusals beside the form.
 */
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import type { AppEnv, ServerContext } from '../context.js';
import { QuireError } from '../../util/errors.js';
import { paramDefaultText } from '../../templates/catalog.js';
import { templateDetail, templateIdSchema, templateList, templatePictureFor, useTemplateInProject, type TemplateDetail, type UseTemplateResult } from '../services/templates.js';
import { HttpProblem } from '../problem.js';
import { csrfField, layout, type Html, sendPage } from './layout.js';
import { attempt, errorBanner, hasRole, needRole } from './catalog-parts.js';

const pictureHref = (id: string) => `/templates/${encodeURIComponent(id)}/picture.png`;

function validId(id: string): string {
  if (!templateIdSchema.safeParse(id).success) throw new HttpProblem(404, 'E_TEMPLATE_UNKNOWN', `no template '${id}'`);
  return id;
}

/** The picture's stand-in when the report can't be made (no database, a failed run): says why. */
function placeholderSvg(reason: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const words = reason.split(/\s+/);
  const lines: string[] = [];
  for (const w of words) {
    if (lines.length && lines[lines.length - 1]!.length + w.length < 46) lines[lines.length - 1] += ` ${w}`;
    else lines.push(w);
  }
  const text = lines
    .slice(0, 6)
    .map((l, i) => `<text x="220" y="${250 + i * 22}" text-anchor="middle">${esc(l)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="440" height="622" viewBox="0 0 440 622"><rect width="440" height="622" fill="#f9fafb" stroke="#d0d5dd"/><g font-family="system-ui, sans-serif" font-size="14" fill="#667085"><text x="220" y="210" text-anchor="middle" font-weight="600" fill="#475467">No picture of this report</text>${text}</g></svg>`;
}

function paramsTable(t: TemplateDetail | ReturnType<typeof templateList>[number]): Html {
  if (!t.params.length) return html`<p class="muted">No params.</p>`;
  return html`<table class="list"><thead><tr><th>Param</th><th>Type</th><th>Default</th><th>What it is</th></tr></thead><tbody>
${t.params.map(
  (p) => html`<tr><td><code>${p.name}</code></td><td>${p.type}${p.options ? html`<div class="muted small">one of ${p.options.join(', ')}</div>` : ''}</td>
<td>${p.default === undefined ? html`<span class="muted">required</span>` : html`<code>${Array.isArray(p.default) ? p.default.join(', ') : String(p.default)}</code>`}</td><td>${p.description ?? ''}</td></tr>`,
)}</tbody></table>`;
}

function galleryPage(c: Context<AppEnv>): Html {
  const all = templateList();
  return layout(c, {
    title: 'Templates',
    active: 'templates',
    body: html`<h1>Templates</h1>
<p class="description">${all.length} ready notebooks for the reviews teams run. Each picture is the first page of the template's report, run with its defaults on this project's database.</p>
<div class="gallery">
${all.map(
  (t) => html`<article class="card template-card" data-template="${t.id}">
  <a class="thumb" href="/templates/${t.id}"><img src="${pictureHref(t.id)}" alt="First page of the ${t.title} report" width="440" height="622" loading="lazy"></a>
  <div class="body">
    <h2><a href="/templates/${t.id}">${t.title}</a></h2>
    <p class="description">${t.description}</p>
    <div class="tags">${t.tags.map((g) => html`<span class="tag">${g}</span>`)}</div>
    <p class="muted small">Params: ${t.params.map((p) => html`<code>${paramDefaultText(p)}</code> `)}</p>
  </div>
</article>`,
)}
</div>`,
  });
}

function usedBanner(r: UseTemplateResult): Html {
  return html`<div class="banner banner-ok" role="status"><strong>Created <a href="/notebooks/${r.notebook}">${r.notebook_file}</a></strong>
${r.metrics_file ? html`<div>Metric specs written to <code>${r.metrics_file}</code>: ${r.added.map((a) => `${a.kind} ${a.name}`).join(', ')}</div>` : ''}
${r.kept.length ? html`<div class="muted">Already in the project with the same definition: ${r.kept.map((k) => k.name).join(', ')}</div>` : ''}
${r.overwritten.length ? html`<div>Replaced: ${r.overwritten.join(', ')}</div>` : ''}
<div><a class="button" href="/notebooks/${r.notebook}">Open the notebook</a></div></div>`;
}

function templatePage(c: Context<AppEnv>, t: TemplateDetail, outcome: { used?: UseTemplateResult; error?: QuireError; notebook?: string; force?: boolean } = {}): Html {
  const admin = hasRole(c, 'admin');
  const specs = (kind: string) => t.specs.filter((s) => s.kind === kind);
  return layout(c, {
    title: t.title,
    active: 'templates',
    body: html`<p class="muted"><a href="/templates">Templates</a> / ${t.id}</p>
<h1>${t.title}</h1>
<p class="description">${t.description}</p>
<div class="tags">${t.tags.map((g) => html`<span class="tag">${g}</span>`)}</div>
<div class="template-layout">
  <div>
    <h2>Params</h2>
    ${paramsTable(t)}
    <h2>Use this template</h2>
    <div class="card" id="use">
      ${outcome.used ? usedBanner(outcome.used) : ''}
      ${outcome.error ? errorBanner(outcome.error) : ''}
      ${
        admin
          ? html`<form method="post" action="/templates/${t.id}/use" class="params">
        ${csrfField(c)}
        <div class="field"><label for="notebook">New notebook id</label>
          <input id="notebook" name="notebook" value="${outcome.notebook ?? t.id}" pattern="[a-z][a-z0-9_\\-]*" required>
          <span class="help">written to <code>notebooks/&lt;id&gt;.yaml</code>, with the metric specs it needs in the metrics folder</span></div>
        <div class="field"><label class="check"><input type="checkbox" name="force" value="1"${outcome.force ? ' checked' : ''}> Replace the notebook and the template's spec file if they exist</label></div>
        <div><button type="submit">Use this template</button></div>
      </form>`
          : html`<p class="muted">Using a template writes files into the project: it needs the admin role. From a terminal: <code>quire templates use ${t.id}</code></p>`
      }
    </div>
    <h2>Cells</h2>
    <table class="list"><thead><tr><th>Cell</th><th>Type</th><th>Title</th></tr></thead><tbody>
    ${t.cells.map((cell) => html`<tr><td><code>${cell.id}</code></td><td>${cell.type}</td><td>${cell.title ?? ''}</td></tr>`)}
    </tbody></table>
    <h2>Metrics, slices and segments it uses</h2>
    <dl class="meta">${(['metric', 'slice', 'segment'] as const).map((k) => (specs(k).length ? html`<dt>${k}s</dt><dd>${specs(k).map((s) => html`<code>${s.name}</code> `)}</dd>` : ''))}</dl>
  </div>
  <div><img class="page-picture" src="${pictureHref(t.id)}" alt="First page of the ${t.title} report" width="440" height="622"></div>
</div>`,
  });
}

export function templatePages(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/templates', (c) => sendPage(c, galleryPage(c)));
  app.get('/templates/:id/picture.png', async (c) => {
    const id = validId(c.req.param('id'));
    const got = await attempt(() => templatePictureFor(ctx, id));
    if (got.value) return c.body(new Uint8Array(got.value), 200, { 'content-type': 'image/png', 'cache-control': 'private, max-age=3600' });
    return c.body(placeholderSvg(got.error.message), 200, { 'content-type': 'image/svg+xml; charset=utf-8', 'cache-control': 'no-store' });
  });
  app.get('/templates/:id', async (c) => {
    const got = await attempt(() => templateDetail(validId(c.req.param('id'))));
    if (got.error) throw new HttpProblem(404, got.error.code, got.error.message, got.error.hint);
    return sendPage(c, templatePage(c, got.value));
  });
  app.post('/templates/:id/use', async (c) => {
    needRole(c, 'admin');
    const id = validId(c.req.param('id'));
    const t = await templateDetail(id);
    const body = await c.req.parseBody();
    const notebook = typeof body.notebook === 'string' ? body.notebook.trim() : id;
    const force = body.force === '1';
    const got = await attempt(() =>
      useTemplateInProject(ctx, id, { notebook, force }).catch((err) => {
        if (err instanceof QuireError) throw err;
        // zod's refusal of the notebook id
        throw new QuireError('E_BAD_ARGUMENT', `'${notebook}' is not a valid notebook id`, { hint: 'lowercase letters, digits, - and _, starting with a letter' });
      }),
    );
    if (got.value) ctx.audit.record(c.get('user'), 'template.use', got.value.notebook, { template: id, metrics_file: got.value.metrics_file, overwritten: got.value.overwritten });
    return sendPage(
      c,
      templatePage(c, t, { used: got.value ?? undefined, error: got.error ?? undefined, notebook, force }),
      got.error ? (got.error.code === 'E_TEMPLATE_TARGET_EXISTS' ? 409 : 422) : 200,
    );
  });
  return app;
}
