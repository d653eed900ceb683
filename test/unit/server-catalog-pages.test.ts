/**
 * The templates, metrics and data pages over HTTP (app.request): each renders for a viewer,
 * state-changing forms need their role and the CSRF token, compute needs a runner, and
 * user text comes back escaped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../engine/server/app.js';
import { createServerContext, type ServerContext } from '../../engine/server/context.js';
import { catalogProject, type CatalogProject } from '../helpers/catalog-project.js';

let p: CatalogProject;
let ctx: ServerContext;
let app: ReturnType<typeof createApp>;
const tokens = { viewer: '', runner: '', admin: '' };
const BASE = 'http://127.0.0.1';

beforeAll(() => {
  p = catalogProject();
  ctx = createServerContext(p.dir, { clock: p.clock });
  for (const role of ['viewer', 'runner', 'admin'] as const) tokens[role] = ctx.auth.tokens.create(role, `${role}-user`, p.clock()).secret;
  app = createApp(ctx);
});
afterAll(async () => {
  await ctx.close();
  await p.close();
});

const get = (who: keyof typeof tokens, path: string) => app.request(`${BASE}${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });

async function login(who: keyof typeof tokens): Promise<{ cookie: string; csrf: string }> {
  const res = await app.request(`${BASE}/login`, { method: 'POST', body: new URLSearchParams({ token: tokens[who], next: '/data' }) });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const page = await (await app.request(`${BASE}/data`, { headers: { cookie } })).text();
  return { cookie, csrf: /<meta name="csrf-token" content="([^"]+)"/.exec(page)![1]! };
}

describe('catalog pages', () => {
  it('render for a viewer, with the role-gated forms replaced by a note', async () => {
    for (const [path, says] of [
      ['/templates', /9 ready notebooks|ready notebooks/],
      ['/templates/sales-analysis', /Using a template writes files into the project: it needs the admin role/],
      ['/metrics?q=refund', /Refund rate/],
      ['/metrics/total_revenue', /Compiled SQL/],
      ['/data', /Uploading files needs the admin role/],
      ['/data/tables/orders', /20,000<\/strong> rows/],
    ] as const) {
      const res = await get('viewer', path);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toMatch(says);
    }
    expect((await get('viewer', '/templates/nope')).status).toBe(404);
    expect((await get('viewer', '/data/tables/nope')).status).toBe(404);
    const compute = await get('viewer', '/metrics/compute?metrics=total_revenue');
    expect(compute.status).toBe(403);
    expect(await compute.text()).toMatch(/computing needs the runner role/);
  });

  it('compute shows the long table and a chart for a runner, and errors beside the form', async () => {
    const ok = await (await get('runner', '/metrics/compute?metrics=total_revenue&slices=region&grain=quarterly&from=2026-01-01&to=2026-07-01')).text();
    expect(ok).toMatch(/<img class="compute-chart" alt="Chart of total_revenue" src="data:image\/svg\+xml;base64,/);
    expect(ok).toMatch(/<table class="list data" id="compute-result">/);
    const bad = await (await get('runner', '/metrics/compute?metrics=total_revenue&from=2026-01-01')).text();
    expect(bad).toMatch(/banner-failed[\s\S]*give both from and to/);
    const unknown = await (await get('runner', '/metrics/compute?metrics=%3Cscript%3Ealert(1)%3C%2Fscript%3E')).text();
    expect(unknown).toMatch(/banner-failed[\s\S]*a spec name/);
    const echoed = await (await get('viewer', '/metrics?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E')).text();
    expect(echoed).not.toMatch(/<script>alert/);
    expect(echoed).toMatch(/value="&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
  });

  it('forms that change the project need the admin role and the CSRF token', async () => {
    const runner = await login('runner');
    const use = await app.request(`${BASE}/templates/kpi-scorecard/use`, { method: 'POST', headers: { cookie: runner.cookie }, body: new URLSearchParams({ _csrf: runner.csrf, notebook: 'k' }) });
    expect(use.status).toBe(403);
    const admin = await login('admin');
    const forged = await app.request(`${BASE}/templates/kpi-scorecard/use`, { method: 'POST', headers: { cookie: admin.cookie }, body: new URLSearchParams({ _csrf: 'forged', notebook: 'k' }) });
    expect(forged.status).toBe(403);
    expect(existsSync(join(p.dir, 'notebooks', 'k.yaml'))).toBe(false);
    const form = new FormData();
    form.append('file', new File(['a\n1\n'], 'a.csv'));
    expect((await app.request(`${BASE}/data/upload`, { method: 'POST', headers: { cookie: admin.cookie }, body: form })).status).toBe(403);
    form.append('_csrf', admin.csrf);
    const staged = await app.request(`${BASE}/data/upload`, { method: 'POST', headers: { cookie: admin.cookie }, body: form });
    expect(staged.status).toBe(200);
    const id = /action="\/data\/upload\/([0-9a-f]{32})\/commit"/.exec(await staged.text())![1];
    const badName = await app.request(`${BASE}/data/upload/${id}/commit`, { method: 'POST', headers: { cookie: admin.cookie }, body: new URLSearchParams({ _csrf: admin.csrf, table: '<b>x' }) });
    expect(badName.status).toBe(422);
    expect(await badName.text()).toMatch(/&#39;&lt;b&gt;x&#39; is not a table name|'&lt;b&gt;x' is not a table name/);
    const done = await app.request(`${BASE}/data/upload/${id}/commit`, { method: 'POST', headers: { cookie: admin.cookie }, body: new URLSearchParams({ _csrf: admin.csrf, table: 'from_page' }) });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/data/tables/from_page?created=1');
  });
});
