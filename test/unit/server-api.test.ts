import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServerContext } from '../../engine/server/context.js';
import { cookieOf, testServer, type TestServer } from '../helpers/server.js';
import { fixtureProject } from '../helpers/cli.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const json = async (res: Response) => (await res.json()) as any;

async function finished(s: TestServer, id: string) {
  await s.ctx.runs.get(id)?.done;
  return json(await s.req(`/api/v1/runs/${id}`, { token: s.tokens.admin }));
}

describe('quire serve API: notebooks', () => {
  it('lists the notebooks with title, tags, last run and next scheduled time; shows one with resolved defaults', async () => {
    server = testServer();
    const list = await json(await server.req('/api/v1/notebooks'));
    expect(list.map((n: any) => n.id).sort()).toEqual(['sales', 'slow']);
    const sales = list.find((n: any) => n.id === 'sales');
    expect(sales).toMatchObject({ title: 'Sales — 2025-03', tags: ['finance', 'test'], lastRun: null, nextRun: '2025-05-01T07:00:00.000Z', valid: true });
    const one = await json(await server.req('/api/v1/notebooks/sales'));
    expect(one.params.find((p: any) => p.name === 'month')).toMatchObject({ type: 'month', default: 'previous_month', resolved_default: '2025-03' });
    expect(one.params.find((p: any) => p.name === 'region').options).toEqual(['all', 'NA', 'EU', 'APAC', 'LATAM']);
    expect(one.cells.map((c: any) => c.id)).toEqual(['by_region', 'chart']);
    expect(one.schedules[0]).toMatchObject({ name: 'monthly', cron: '0 7 1 * *' });
    expect(one.schedules[0].next).toHaveLength(5);
  });

  it('validates and plans a notebook', async () => {
    server = testServer();
    expect(await json(await server.req('/api/v1/notebooks/sales/validate', { method: 'POST', json: {} }))).toEqual({ valid: true, errors: [] });
    const plan = await json(await server.req(`/api/v1/notebooks/sales/plan?params=${encodeURIComponent('{"region":"EU"}')}`));
    expect(plan.params).toMatchObject({ month: '2025-03', region: 'EU' });
    expect(plan.cells.map((c: any) => [c.id, c.action])).toEqual([
      ['by_region', 'run'],
      ['chart', 'run'],
    ]);
    const bad = await server.req(`/api/v1/notebooks/sales/plan?params=${encodeURIComponent('{"region":"XX"}')}`);
    expect(bad.status).toBe(422);
    expect((await json(bad)).errors[0]).toMatchObject({ field: 'region', code: 'E_PARAM_OPTION' });
  });

  it('answers unknown and traversing notebook ids with 404 problem+json', async () => {
    server = testServer();
    for (const id of ['nope', '..%2F..%2Fetc%2Fpasswd', '..', 'sales%00']) {
      const res = await server.req(`/api/v1/notebooks/${id}`);
      expect(res.status, id).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(['E_NOTEBOOK_NOT_FOUND', 'E_NOT_FOUND']).toContain((await json(res)).code);
    }
  });
});

describe('quire serve API: runs', () => {
  it('starts a run (202 + Location), records who started it in the same run.json as quire run, streams its events and serves its report', async () => {
    server = testServer({ tokens: true });
    const res = await server.req('/api/v1/runs', { json: { notebook: 'sales', params: { month: '2025-03', region: 'EU' } }, token: server.tokens.runner });
    expect(res.status).toBe(202);
    const started = await json(res);
    expect(res.headers.get('location')).toBe(`/api/v1/runs/${started.id}`);
    const run = await finished(server, started.id);
    expect(run).toMatchObject({ id: started.id, status: 'succeeded', started_by: 'runner-user', trigger: { kind: 'api' }, params: { month: '2025-03', region: 'EU' } });
    const onDisk = JSON.parse(readFileSync(join(server.root, 'runs', 'sales', started.id, 'run.json'), 'utf8'));
    expect(onDisk.started_by).toBe('runner-user');
    expect(onDisk.cells.map((c: any) => c.status)).toEqual(['succeeded', 'succeeded']);

    // A late subscriber gets the whole history, ending with `finished`.
    const events = await (await server.req(`/api/v1/runs/${started.id}/events`, { token: server.tokens.viewer })).text();
    const types = [...events.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(types[0]).toBe('queued');
    expect(types).toContain('cell-started');
    expect(types.filter((t) => t === 'cell-finished')).toHaveLength(2);
    expect(types.at(-1)).toBe('finished');

    const report = await server.req(`/api/v1/runs/${started.id}/artifacts/report.html`, { token: server.tokens.viewer });
    expect(report.status).toBe(200);
    expect(report.headers.get('content-security-policy')).toMatch(/^sandbox allow-scripts/);
    expect(await report.text()).toContain('Sales — 2025-03');

    const audit = readFileSync(join(server.root, '.quire', 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit).toContainEqual(expect.objectContaining({ user: 'runner-user', role: 'runner', action: 'run.start', target: started.id }));
  });

  it('refuses bad params with field-level errors, and a bad body per field', async () => {
    server = testServer();
    const res = await server.req('/api/v1/runs', { json: { notebook: 'sales', params: { month: '2025-13', region: 'XX', colour: 'red' } } });
    expect(res.status).toBe(422);
    const p = await json(res);
    const byField = Object.fromEntries(p.errors.map((e: any) => [e.field, e.code]));
    expect(byField).toEqual({ month: 'E_PARAM_TYPE', region: 'E_PARAM_OPTION', colour: 'E_PARAM_UNKNOWN' });
    const body = await server.req('/api/v1/runs', { json: { params: [] } });
    expect(body.status).toBe(422);
    expect((await json(body)).errors.map((e: any) => e.field).sort()).toEqual(['notebook', 'params']);
    expect((await server.req('/api/v1/runs', { json: { notebook: 'nope' } })).status).toBe(404);
    expect(existsSync(join(server.root, 'runs', 'sales'))).toBe(false);
  });

  it('renders a missing format on demand, reruns with the earlier params, and refuses traversal in ids and artifact names', async () => {
    server = testServer();
    const first = await json(await server.req('/api/v1/runs', { json: { notebook: 'sales', params: { region: 'EU' } } }));
    await finished(server, first.id);
    const xlsx = await server.req(`/api/v1/runs/${first.id}/artifacts/report.xlsx`);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    expect(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    expect(JSON.parse(readFileSync(join(server.root, 'runs', 'sales', first.id, 'run.json'), 'utf8')).exports.xlsx).toBe('report.xlsx');

    const again = await json(await server.req(`/api/v1/runs/${first.id}/rerun`, { json: { params: { region: 'NA' } } }));
    const rerun = await finished(server, again.id);
    expect(rerun).toMatchObject({ status: 'succeeded', params: { month: '2025-03', region: 'NA' }, trigger: { kind: 'rerun' } });

    for (const path of [
      `/api/v1/runs/..%2F..%2Fetc%2Fpasswd`,
      `/api/v1/runs/${first.id}/artifacts/..%2F..%2Fquire.yaml`,
      `/api/v1/runs/${first.id}/artifacts/outputs.json`,
      `/api/v1/runs/..%2Fsales/artifacts/report.html`,
      '/assets/..%2F..%2F..%2Fpackage.json',
    ]) {
      const res = await server.req(path);
      expect([404, 422], path).toContain(res.status);
      expect(await res.text()).not.toContain('"version"');
    }
  });

  it('queues runs beyond the limit (position visible), cancels a queued one and stops a running one', async () => {
    server = testServer({ maxConcurrentRuns: 1 });
    const slow = await json(await server.req('/api/v1/runs', { json: { notebook: 'slow' } }));
    const queued = await json(await server.req('/api/v1/runs', { json: { notebook: 'sales' } }));
    expect(queued).toMatchObject({ status: 'queued', queue_position: 1 });
    expect(await json(await server.req(`/api/v1/runs/${queued.id}`))).toMatchObject({ status: 'queued', queue_position: 1 });
    const list = await json(await server.req('/api/v1/runs'));
    expect(list.queued.map((r: any) => r.id)).toEqual([queued.id]);

    expect((await server.req(`/api/v1/runs/${queued.id}/cancel`, { method: 'POST', json: {} })).status).toBe(202);
    expect(await json(await server.req(`/api/v1/runs/${queued.id}`))).toMatchObject({ status: 'cancelled' });
    expect(existsSync(join(server.root, 'runs', 'sales', queued.id))).toBe(false);

    // Stop the slow one once its long cell runs.
    await new Promise<void>((resolve) => server!.ctx.runs.get(slow.id)!.events.subscribe((e) => e.type === 'cell-started' && e.data.cell === 'slow' && resolve()));
    expect((await server.req(`/api/v1/runs/${slow.id}/cancel`, { method: 'POST', json: {} })).status).toBe(202);
    const stopped = await finished(server, slow.id);
    expect(stopped.status).toBe('failed');
    expect(stopped.error).toMatch(/interrupted/);
    expect((await server.req(`/api/v1/runs/${slow.id}/cancel`, { method: 'POST', json: {} })).status).toBe(409);
  });

  it('limits the request size', async () => {
    server = testServer({ maxBodyBytes: 10_000 });
    const res = await server.req('/api/v1/runs', { json: { notebook: 'sales', params: { region: 'x'.repeat(20_000) } } });
    expect(res.status).toBe(413);
    expect((await json(res)).code).toBe('E_TOO_LARGE');
  });
});

describe('quire serve API: auth, roles and CSRF', () => {
  it('needs a token once tokens exist: 401 without or with a bad one; each role gets what it may', async () => {
    server = testServer({ tokens: true });
    const { viewer, runner, admin } = server.tokens;
    expect((await server.req('/api/v1/notebooks')).status).toBe(401);
    expect((await server.req('/api/v1/notebooks', { token: 'qt_00000000_nope' })).status).toBe(401);
    expect((await server.req('/notebooks')).headers.get('location')).toBe('/login?next=%2Fnotebooks');
    const cases: [string, string, unknown, Record<string, number>][] = [
      ['GET', '/api/v1/notebooks', undefined, { viewer: 200, runner: 200, admin: 200 }],
      ['GET', '/api/v1/runs', undefined, { viewer: 200, runner: 200, admin: 200 }],
      ['GET', '/api/v1/schedules', undefined, { viewer: 200, runner: 200, admin: 200 }],
      ['POST', '/api/v1/runs', { notebook: 'sales', params: { month: 'bad' } }, { viewer: 403, runner: 422, admin: 422 }],
      ['POST', '/api/v1/runs/20250101-000000Z-abcdef/cancel', {}, { viewer: 403, runner: 404, admin: 404 }],
      ['POST', '/api/v1/runs/20250101-000000Z-abcdef/rerun', {}, { viewer: 403, runner: 404, admin: 404 }],
      ['POST', '/api/v1/schedules/sales.monthly/pause', {}, { viewer: 403, runner: 403, admin: 200 }],
      ['POST', '/api/v1/schedules/sales.monthly/resume', {}, { viewer: 403, runner: 403, admin: 200 }],
      ['POST', '/api/v1/schedules/nope.monthly/trigger', {}, { viewer: 403, runner: 404, admin: 404 }],
    ];
    for (const [method, path, body, want] of cases) {
      for (const [role, token] of Object.entries({ viewer, runner, admin })) {
        const res = await server.req(path, { method, json: body, token });
        expect(res.status, `${role} ${method} ${path}`).toBe(want[role]);
      }
    }
  });

  it('logs in with a token for an HttpOnly SameSite=Strict cookie; cookie requests need the CSRF token, Bearer ones not', async () => {
    server = testServer({ tokens: true });
    const bad = await server.req('/login', { form: { token: 'qt_12345678_wrong', next: '/runs' } });
    expect(bad.status).toBe(401);
    const login = await server.req('/login', { form: { token: server.tokens.runner!, next: '//evil.example/x' } });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/notebooks'); // no open redirect
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/);
    expect(login.headers.get('set-cookie')).toMatch(/SameSite=Strict/);
    const cookie = cookieOf(login);
    const page = await (await server.req('/notebooks', { cookie })).text();
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(page)![1];
    expect(csrf.length).toBeGreaterThan(20);

    const start = { notebook: 'sales', params: { month: 'bad' } }; // 422 once past CSRF: nothing runs
    expect((await server.req('/api/v1/runs', { json: start, cookie })).status).toBe(403);
    expect((await server.req('/api/v1/runs', { json: start, cookie, headers: { 'x-csrf-token': 'x'.repeat(43) } })).status).toBe(403);
    expect((await server.req('/api/v1/runs', { json: start, cookie, headers: { 'x-csrf-token': csrf } })).status).toBe(422);
    expect((await server.req('/api/v1/runs', { json: start, token: server.tokens.runner })).status).toBe(422);
    // A cross-site form post carries no cookie (SameSite) and no token: refused before anything happens.
    expect((await server.req('/api/v1/schedules/sales.monthly/pause', { form: { x: '1' } })).status).toBe(401);
    // Revoking the token ends its sessions at once.
    server.ctx.auth.tokens.revoke('runner-user');
    expect((await server.req('/api/v1/notebooks', { cookie })).status).toBe(401);
  });

  it('on 127.0.0.1 without tokens the local user is admin, yet cross-site forms are refused; other hosts refuse to start without tokens', async () => {
    server = testServer();
    expect((await server.req('/api/v1/schedules/sales.monthly/pause', { form: { _csrf: 'guess' } })).status).toBe(403);
    expect((await server.req('/api/v1/schedules/sales.monthly/pause', { method: 'POST', headers: { 'content-type': 'text/plain' }, json: undefined })).status).toBe(403);
    expect((await server.req('/api/v1/notebooks', { headers: { host: 'attacker.example' } })).status).toBe(403);
    const paused = await server.req('/api/v1/schedules/sales.monthly/pause', { method: 'POST', json: {} });
    expect(paused.status).toBe(200);
    expect((await json(paused)).paused).toMatchObject({ by: 'tester' });
    expect(() => createServerContext(fixtureProject('serve'), { host: '0.0.0.0' })).toThrow(/refusing to serve on 0\.0\.0\.0 without authentication/);
  });
});

describe('quire serve API: schedules and the OpenAPI document', () => {
  it('lists schedules in words with 5 fire times; pause is stored for the scheduler; trigger runs now', async () => {
    server = testServer();
    const [s] = await json(await server.req('/api/v1/schedules'));
    expect(s).toMatchObject({ id: 'sales.monthly', timezone: 'UTC', paused: null });
    expect(s.description).toMatch(/07:00.*day 1 of the month/);
    expect(s.next.map((n: any) => n.utc)).toEqual(['2025-05-01T07:00:00.000Z', '2025-06-01T07:00:00.000Z', '2025-07-01T07:00:00.000Z', '2025-08-01T07:00:00.000Z', '2025-09-01T07:00:00.000Z']);
    await server.req('/api/v1/schedules/sales.monthly/pause', { method: 'POST', json: {} });
    const stored = JSON.parse(readFileSync(join(server.root, 'runs', '.scheduler', 'paused.json'), 'utf8'));
    expect(Object.keys(stored)).toEqual(['notebooks/sales.yaml#monthly']);
    const t = await server.req('/api/v1/schedules/sales.monthly/trigger', { method: 'POST', json: {} });
    expect(t.status).toBe(202);
    const run = await finished(server, (await json(t)).id);
    expect(run).toMatchObject({ status: 'succeeded', trigger: { kind: 'api', schedule: 'monthly' }, params: { month: '2025-03' } });
    const [after] = await json(await server.req('/api/v1/schedules'));
    expect(after.last_runs.map((r: any) => r.id)).toEqual([run.id]);
    expect(after.paused).toMatchObject({ by: 'tester' });
    expect((await server.req('/api/v1/schedules/sales.monthly/resume', { method: 'POST', json: {} })).status).toBe(200);
    expect(JSON.parse(readFileSync(join(server.root, 'runs', '.scheduler', 'paused.json'), 'utf8'))).toEqual({});
  });

  it('describes every route in OpenAPI 3.1 from the same schemas', async () => {
    server = testServer();
    const doc = await json(await server.req('/api/v1/openapi.json'));
    expect(doc.openapi).toBe('3.1.0');
    for (const p of [
      '/notebooks',
      '/notebooks/{id}',
      '/notebooks/{id}/validate',
      '/notebooks/{id}/plan',
      '/runs',
      '/runs/{id}',
      '/runs/{id}/events',
      '/runs/{id}/artifacts/{name}',
      '/runs/{id}/rerun',
      '/runs/{id}/cancel',
      '/schedules',
      '/schedules/{id}/pause',
      '/schedules/{id}/resume',
      '/schedules/{id}/trigger',
    ]) {
      expect(Object.keys(doc.paths), p).toContain(p);
    }
    expect(doc.components.schemas.StartRun.required).toContain('notebook');
    expect(doc.paths['/runs'].post.responses['422'].content['application/problem+json']).toBeDefined();
  });
});
