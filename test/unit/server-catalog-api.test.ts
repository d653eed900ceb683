/**
 * The templates, metrics, tables and uploads routes over HTTP (app.request): every route for each
 * role (401 without a token, 403 below its role), CSRF refusals of cookie requests, bad input as
 * problem+json, malformed uploads, and the OpenAPI document describing them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { createApp } from '../../engine/server/app.js';
import { createServerContext, type ServerContext } from '../../engine/server/context.js';
import { catalogProject, type CatalogProject } from '../helpers/catalog-project.js';
import { TEST_DB_ORDERS } from '../helpers/paths.js';

let p: CatalogProject;
let ctx: ServerContext;
let app: ReturnType<typeof createApp>;
const tokens: Record<'viewer' | 'runner' | 'admin', string> = { viewer: '', runner: '', admin: '' };

beforeAll(() => {
  p = catalogProject();
  ctx = createServerContext(p.dir, { clock: p.clock, maxUploadBytes: 64 * 1024 });
  for (const role of ['viewer', 'runner', 'admin'] as const) tokens[role] = ctx.auth.tokens.create(role, role, p.clock()).secret;
  app = createApp(ctx);
});
afterAll(async () => {
  await ctx.close();
  await p.close();
});

type Who = keyof typeof tokens | null;
const BASE = 'http://127.0.0.1';
function call(who: Who, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const h: Record<string, string> = { ...headers };
  if (who) h.authorization = `Bearer ${tokens[who]}`;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    h['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  return app.request(`${BASE}${path}`, { method, headers: h, body: payload });
}

const form = (name: string, content: BlobPart) => {
  const f = new FormData();
  f.append('file', new File([content], name));
  return f;
};

async function problem(res: Response, status: number, code: string) {
  expect(res.status, await res.clone().text()).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  const body = (await res.json()) as { code: string; detail: string; hint?: string; errors?: { field: string | null; code: string; hint: string | null }[] };
  expect(body.code).toBe(code);
  return body;
}

describe('roles on every catalog route', () => {
  const routes: Array<[string, string, unknown, Who]> = [
    ['GET', '/api/v1/templates', undefined, 'viewer'],
    ['GET', '/api/v1/templates/kpi-scorecard', undefined, 'viewer'],
    ['GET', '/api/v1/templates/kpi-scorecard/picture.png', undefined, 'viewer'],
    ['POST', '/api/v1/templates/kpi-scorecard/use', { notebook: 'kpis' }, 'admin'],
    ['GET', '/api/v1/metrics', undefined, 'viewer'],
    ['GET', '/api/v1/metrics/total_revenue', undefined, 'viewer'],
    ['POST', '/api/v1/metrics/compute', { metrics: ['total_revenue'] }, 'runner'],
    ['GET', '/api/v1/tables', undefined, 'viewer'],
    ['GET', '/api/v1/tables/orders', undefined, 'viewer'],
    ['POST', '/api/v1/uploads', 'FORM', 'admin'],
    ['GET', `/api/v1/uploads/${'0'.repeat(32)}`, undefined, 'admin'],
    ['POST', `/api/v1/uploads/${'0'.repeat(32)}/commit`, { table: 'x' }, 'admin'],
  ];
  const below = { viewer: [], runner: ['viewer'], admin: ['viewer', 'runner'] } as const;

  it('answers 401 without a token and 403 below the route role', async () => {
    for (const [method, path, body, min] of routes) {
      const b = () => (body === 'FORM' ? form('a.csv', 'a\n1\n') : body);
      await problem(await call(null, method, path, b()), 401, 'E_AUTH_REQUIRED');
      for (const weaker of below[min as keyof typeof below]) {
        const body403 = await problem(await call(weaker, method, path, b()), 403, 'E_FORBIDDEN');
        expect(body403.detail).toMatch(new RegExp(`needs the ${min} role`));
      }
    }
  });

  it('refuses a cookie request without the CSRF token', async () => {
    const login = await app.request(`${BASE}/login`, { method: 'POST', body: new URLSearchParams({ token: tokens.admin, next: '/data' }) });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    await problem(await call(null, 'POST', '/api/v1/uploads', form('a.csv', 'a\n1\n'), { cookie }), 403, 'E_CSRF');
    await problem(await call(null, 'POST', '/api/v1/templates/kpi-scorecard/use', {}, { cookie }), 403, 'E_CSRF');
    await problem(await call(null, 'POST', '/api/v1/metrics/compute', { metrics: ['total_revenue'] }, { cookie, 'x-csrf-token': 'forged' }), 403, 'E_CSRF');
    expect(existsSync(join(p.dir, 'notebooks', 'kpi-scorecard.yaml'))).toBe(false);
  });
});

describe('templates API', () => {
  it('lists the gallery and shows a template, with its picture URL', async () => {
    const list = await (await call('viewer', 'GET', '/api/v1/templates')).json();
    expect(list.templates.find((t: any) => t.id === 'sales-analysis')).toMatchObject({ picture: '/api/v1/templates/sales-analysis/picture.png' });
    const one = await (await call('viewer', 'GET', '/api/v1/templates/sales-analysis')).json();
    expect(one.specs.length).toBeGreaterThan(0);
    const missing = await problem(await call('viewer', 'GET', '/api/v1/templates/sales-analysys'), 404, 'E_TEMPLATE_UNKNOWN');
    expect(missing.detail).toMatch(/did you mean 'sales-analysis'/);
    await problem(await call('viewer', 'GET', '/api/v1/templates/..%2F..%2Fetc'), 422, 'E_REQUEST_INVALID');
  });

  it('uses a template (201, Location, audit), then refuses to overwrite it (409)', async () => {
    const res = await call('admin', 'POST', '/api/v1/templates/saas-metrics/use', {});
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/api/v1/notebooks/saas-metrics');
    const r = await res.json();
    expect(r).toMatchObject({ template: 'saas-metrics', notebook: 'saas-metrics', notebook_file: join('notebooks', 'saas-metrics.yaml') });
    expect(existsSync(join(p.dir, 'notebooks', 'saas-metrics.yaml'))).toBe(true);
    const audit = readFileSync(ctx.audit.file, 'utf8');
    expect(audit).toMatch(/"user":"admin","role":"admin","action":"template.use","target":"saas-metrics"/);
    const again = await problem(await call('admin', 'POST', '/api/v1/templates/saas-metrics/use', {}), 409, 'E_TEMPLATE_TARGET_EXISTS');
    expect(again.hint).toMatch(/force/);
    await problem(await call('admin', 'POST', '/api/v1/templates/saas-metrics/use', { notebook: '../../x' }), 422, 'E_REQUEST_INVALID');
  });
});

describe('metrics API', () => {
  it('lists, searches and filters the catalog; shows a definition with its SQL', async () => {
    const all = await (await call('viewer', 'GET', '/api/v1/metrics')).json();
    expect(all.categories).toContain('revenue');
    const found = await (await call('viewer', 'GET', '/api/v1/metrics?q=order&category=revenue')).json();
    expect(found.metrics.map((m: any) => m.name)).toContain('order_count');
    expect(found.metrics.every((m: any) => m.category === 'revenue')).toBe(true);
    await problem(await call('viewer', 'GET', '/api/v1/metrics?category=revnue'), 422, 'E_BAD_ARGUMENT');
    const show = await (await call('viewer', 'GET', '/api/v1/metrics/order_count')).json();
    expect(show.sql).toMatch(/SELECT/);
    await problem(await call('viewer', 'GET', '/api/v1/metrics/order_cnt'), 404, 'E_METRIC_UNKNOWN');
  });

  it('computes for a runner; bad requests are 422 with one entry per field', async () => {
    const res = await call('runner', 'POST', '/api/v1/metrics/compute', { metrics: ['order_count'], grain: 'monthly', from: '2026-01-01', to: '2026-03-01' });
    expect(res.status).toBe(200);
    const r = await res.json();
    expect(r.rows.map((x: any) => x.period_start_date).sort()).toEqual(['2026-01-01', '2026-02-01']);
    const bad = await problem(await call('runner', 'POST', '/api/v1/metrics/compute', { metrics: [], grain: 'hourly' }), 422, 'E_REQUEST_INVALID');
    expect((bad as any).errors.map((e: any) => e.field).sort()).toEqual(['grain', 'metrics']);
    const unknown = await problem(await call('runner', 'POST', '/api/v1/metrics/compute', { metrics: ['total_revenu'] }), 422, 'E_METRIC_UNKNOWN');
    expect(unknown.detail).toMatch(/did you mean 'total_revenue'/);
  });
});

describe('tables and uploads API', () => {
  it('lists tables and previews one with a bound limit', async () => {
    const list = await (await call('viewer', 'GET', '/api/v1/tables')).json();
    expect(list.tables.find((t: any) => t.name === 'orders').row_count).toBe(TEST_DB_ORDERS);
    const one = await (await call('viewer', 'GET', '/api/v1/tables/orders?limit=2')).json();
    expect(one.preview.rows).toHaveLength(2);
    await problem(await call('viewer', 'GET', '/api/v1/tables/orders?limit=0'), 422, 'E_REQUEST_INVALID');
    await problem(await call('viewer', 'GET', '/api/v1/tables/nope'), 404, 'E_TABLE_UNKNOWN');
  });

  it('stages a CSV (201, inferred types), commits it into a new table (201), refuses the name again (409)', async () => {
    const res = await call('admin', 'POST', '/api/v1/uploads', form('targets.csv', 'region,target\nEU,100.5\nUS,200\n'));
    expect(res.status).toBe(201);
    const staged = await res.json();
    expect(staged.columns).toEqual([
      { name: 'region', type: 'VARCHAR' },
      { name: 'target', type: 'DOUBLE' },
    ]);
    expect((await call('admin', 'GET', `/api/v1/uploads/${staged.id}`)).status).toBe(200);
    const commit = await call('admin', 'POST', `/api/v1/uploads/${staged.id}/commit`, { table: 'targets' });
    expect(commit.status).toBe(201);
    expect(commit.headers.get('location')).toBe('/api/v1/tables/targets');
    expect((await (await call('viewer', 'GET', '/api/v1/tables/targets')).json()).row_count).toBe(2);
    const again = await (await call('admin', 'POST', '/api/v1/uploads', form('t2.csv', 'a\n1\n'))).json();
    expect(again.suggested_table).toBe('t2');
    const taken = await problem(await call('admin', 'POST', `/api/v1/uploads/${again.id}/commit`, { table: 'targets' }), 409, 'E_TABLE_EXISTS');
    expect(taken.errors).toEqual([expect.objectContaining({ field: 'table', code: 'E_TABLE_EXISTS', hint: expect.stringContaining("'targets_2' is free") })]);
    const clash = await (await call('admin', 'POST', '/api/v1/uploads', form('targets.csv', 'a\n1\n'))).json();
    expect(clash.suggested_table).toBe('targets_2');
    await problem(await call('admin', 'POST', `/api/v1/uploads/${again.id}/commit`, { table: 'drop table' }), 422, 'E_REQUEST_INVALID');
    await problem(await call('admin', 'POST', `/api/v1/uploads/${'f'.repeat(32)}/commit`, { table: 'ok' }), 404, 'E_UPLOAD_UNKNOWN');
    expect(readFileSync(ctx.audit.file, 'utf8')).toMatch(/"action":"upload.commit","target":"targets"/);
  });

  it('refuses malformed uploads: a bad CSV row named, a corrupt XLSX, a file too large, no file', async () => {
    const bad = await problem(await call('admin', 'POST', '/api/v1/uploads', form('bad.csv', 'a,b\n1,2\n3\n')), 422, 'E_UPLOAD_BAD_ROW');
    expect(bad.detail).toMatch(/line 3, column b/);
    await problem(await call('admin', 'POST', '/api/v1/uploads', form('broken.xlsx', new Uint8Array([0x50, 0x4b, 3, 4, 9, 9, 9, 9]))), 422, 'E_UPLOAD_CORRUPT');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('S').addRows([['a'], [1], [2, 'stray']]);
    const cell = await problem(await call('admin', 'POST', '/api/v1/uploads', form('w.xlsx', new Uint8Array(await wb.xlsx.writeBuffer()))), 422, 'E_UPLOAD_BAD_CELL');
    expect(cell.detail).toMatch(/row 3, column B/);
    await problem(await call('admin', 'POST', '/api/v1/uploads', form('big.csv', `a\n${'123456789\n'.repeat(8000)}`)), 413, 'E_TOO_LARGE');
    const none = await problem(await call('admin', 'POST', '/api/v1/uploads', new FormData()), 422, 'E_REQUEST_INVALID');
    expect((none as any).errors[0].field).toBe('file');
    await problem(await call('admin', 'POST', '/api/v1/uploads', form('notes.txt', 'hello')), 422, 'E_UPLOAD_FORMAT');
  });
});

describe('OpenAPI', () => {
  it('documents every catalog route', async () => {
    const doc = await (await app.request(`${BASE}/api/v1/openapi.json`)).json();
    for (const [path, method] of [
      ['/templates', 'get'],
      ['/templates/{id}', 'get'],
      ['/templates/{id}/picture.png', 'get'],
      ['/templates/{id}/use', 'post'],
      ['/metrics', 'get'],
      ['/metrics/{name}', 'get'],
      ['/metrics/compute', 'post'],
      ['/tables', 'get'],
      ['/tables/{name}', 'get'],
      ['/uploads', 'post'],
      ['/uploads/{id}', 'get'],
      ['/uploads/{id}/commit', 'post'],
    ]) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    expect(doc.paths['/metrics/compute'].post.requestBody.content['application/json'].schema.properties.grain.enum).toContain('monthly');
  });
});
