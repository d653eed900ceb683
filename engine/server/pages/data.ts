/**
 * /data: the project database's tables (row counts, column types), a table's page with a preview,
 * and uploading a file into a new table (admins): choose a file → its inferred columns and first
 * rows are shown → name the table and commit. Refusals are shown beside the form.
 */
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import type { AppEnv, ServerContext } from '../context.js';
import { FieldInputError, type QuireError, UserError } from '../../util/errors.js';
import { listTables, tableDetail, type TablesList } from '../services/tables.js';
import { commitUpload, stagedUpload, stageUpload, type StagedUpload } from '../services/uploads.js';
import { HttpProblem } from '../problem.js';
import { csrfField, layout, type Html, sendPage } from './layout.js';
import { attempt, dataTable, errorBanner, hasRole, needRole } from './catalog-parts.js';

const mb = (bytes: number) => (bytes < 1048576 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1048576).toFixed(1)} MB`);

function uploadForm(c: Context<AppEnv>, ctx: ServerContext, error?: QuireError): Html {
  return html`<div class="card" id="upload">
  <h2>Upload a file into a new table</h2>
  ${error ? errorBanner(error) : ''}
  <form method="post" action="/data/upload" enctype="multipart/form-data" class="params">
    ${csrfField(c)}
    <div class="field"><label for="file">CSV, XLSX or Parquet file</label>
      <input id="file" name="file" type="file" accept=".csv,.tsv,.xlsx,.parquet" required>
      <span class="help">The first row (of the first sheet) names the columns. Up to ${mb(ctx.limits.uploadBytes)}. The types are inferred over every row and shown before anything is loaded.</span></div>
    <div><button type="submit">Upload and check</button></div>
  </form>
</div>`;
}

function tablesPage(c: Context<AppEnv>, ctx: ServerContext, list: TablesList, error?: QuireError): Html {
  return layout(c, {
    title: 'Data',
    active: 'data',
    body: html`<h1>Data</h1>
<p class="description">${list.database ? html`The tables of <code>${list.database}</code>, the project database.` : html`The project has no database file yet (<code>database:</code> in quire.yaml).`}</p>
<table class="list" id="tables"><thead><tr><th>Table</th><th class="num">Rows</th><th>Columns</th></tr></thead><tbody>
${list.tables.map(
  (t) => html`<tr data-table="${t.name}"><td><a href="/data/tables/${encodeURIComponent(t.name)}"><strong>${t.name}</strong></a>${t.kind === 'view' ? html` <span class="tag">view</span>` : ''}</td>
<td class="num">${t.row_count === null ? '—' : t.row_count.toLocaleString('en-US')}</td>
<td class="columns">${t.columns.map((col) => html`<span class="chip"><span class="chip-k">${col.name}</span><span class="chip-v">${col.type}</span></span>`)}</td></tr>`,
)}
${list.tables.length ? '' : html`<tr><td colspan="3" class="muted">No tables.</td></tr>`}
</tbody></table>
${hasRole(c, 'admin') ? uploadForm(c, ctx, error) : html`<p class="muted">Uploading files needs the admin role.</p>`}`,
  });
}

function stagedPage(c: Context<AppEnv>, s: StagedUpload, opts: { table?: string; error?: QuireError } = {}): Html {
  // A refusal of the name is shown beside the name; any other above the form.
  const onTable = opts.error instanceof FieldInputError && opts.error.field === 'table' ? opts.error : null;
  return layout(c, {
    title: `Upload ${s.filename}`,
    active: 'data',
    body: html`<p class="muted"><a href="/data">Data</a> / upload</p>
<h1>Check the upload</h1>
<p class="description"><strong>${s.filename}</strong> (${s.format.toUpperCase()}${s.sheet ? `, sheet ${s.sheet}` : ''}, ${mb(s.size)}): <strong id="staged-rows">${s.row_count.toLocaleString('en-US')}</strong> rows. Nothing is loaded yet.</p>
<h2>Columns and the types inferred</h2>
<table class="list" id="staged-columns"><thead><tr><th>Column</th><th>Type</th></tr></thead><tbody>
${s.columns.map((col) => html`<tr><td><code>${col.name}</code></td><td>${col.type}</td></tr>`)}
</tbody></table>
<h2>First rows</h2>
${dataTable(s.columns, s.preview, { types: true })}
<div class="card" id="commit">
  <h2>Create the table</h2>
  ${opts.error && !onTable ? errorBanner(opts.error) : ''}
  <form method="post" action="/data/upload/${s.id}/commit" class="params">
    ${csrfField(c)}
    <div class="field${onTable ? ' invalid' : ''}"><label for="table">New table name</label><input id="table" name="table" value="${opts.table ?? s.suggested_table}" required${onTable ? html` aria-invalid="true" aria-describedby="table-error"` : ''}>
      ${onTable ? html`<span class="error" id="table-error" data-error-for="table" role="alert"><strong>${onTable.code}</strong> ${onTable.message}${onTable.hint ? ` — ${onTable.hint}` : ''}</span>` : ''}
      <span class="help">letters, digits and _; an existing table is never replaced</span></div>
    <div class="actions"><button type="submit">Create table</button><a href="/data" class="button secondary">Cancel</a></div>
  </form>
</div>`,
  });
}

export function dataPages(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/data', async (c) => sendPage(c, tablesPage(c, ctx, await listTables(ctx))));

  app.get('/data/tables/:name', async (c) => {
    const name = c.req.param('name');
    const got = await attempt(() => tableDetail(ctx, name, { limit: 50 }));
    if (got.error) throw new HttpProblem(404, got.error.code, got.error.message, got.error.hint);
    const t = got.value;
    const created = c.req.query('created') === '1';
    return sendPage(
      c,
      layout(c, {
        title: t.name,
        active: 'data',
        body: html`<p class="muted"><a href="/data">Data</a> / ${t.name}</p>
${created ? html`<div class="banner banner-ok" role="status">Table <strong>${t.name}</strong> created: ${(t.row_count ?? 0).toLocaleString('en-US')} rows.</div>` : ''}
<h1>${t.name}</h1>
<p class="description">${t.kind === 'view' ? 'A view' : html`<strong id="row-count">${(t.row_count ?? 0).toLocaleString('en-US')}</strong> rows`}, ${t.columns.length} columns.</p>
<h2>Columns</h2>
<div class="columns">${t.columns.map((col) => html`<span class="chip"><span class="chip-k">${col.name}</span><span class="chip-v">${col.type}</span></span>`)}</div>
<h2>First ${Math.min(t.preview.limit, t.preview.rows.length)} rows</h2>
${dataTable(t.columns, t.preview.rows, { id: 'preview' })}`,
      }),
    );
  });

  app.post('/data/upload', async (c) => {
    needRole(c, 'admin');
    const body = await c.req.parseBody();
    const file = body.file;
    const got = await attempt(async () => {
      if (!(file instanceof File) || !file.name) throw new UserError('E_UPLOAD_NO_FILE', 'choose a file to upload', { hint: 'a CSV, XLSX or Parquet file' });
      return stageUpload(ctx, { filename: file.name, data: new Uint8Array(await file.arrayBuffer()) }, { maxBytes: ctx.limits.uploadBytes });
    });
    if (got.error) return sendPage(c, tablesPage(c, ctx, await listTables(ctx), got.error), got.error.code === 'E_UPLOAD_TOO_LARGE' ? 413 : 422);
    ctx.audit.record(c.get('user'), 'upload.stage', got.value.id, { filename: got.value.filename, size: got.value.size, rows: got.value.row_count });
    return sendPage(c, stagedPage(c, got.value));
  });

  app.post('/data/upload/:id/commit', async (c) => {
    needRole(c, 'admin');
    const id = c.req.param('id');
    const staged = await attempt(async () => stagedUpload(ctx, id));
    if (staged.error) return sendPage(c, tablesPage(c, ctx, await listTables(ctx), staged.error), 404);
    const body = await c.req.parseBody();
    const table = typeof body.table === 'string' ? body.table.trim() : '';
    const got = await attempt(() => commitUpload(ctx, id, { table }));
    if (got.error) return sendPage(c, stagedPage(c, staged.value, { table, error: got.error }), got.error.code === 'E_TABLE_EXISTS' ? 409 : got.error.kind === 'operational' ? 503 : 422);
    ctx.audit.record(c.get('user'), 'upload.commit', got.value.table, { upload: id, rows: got.value.row_count });
    return c.redirect(`/data/tables/${encodeURIComponent(got.value.table)}?created=1`, 303);
  });
  return app;
}
