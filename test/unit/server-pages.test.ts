import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cookieOf, testServer, type TestServer } from '../helpers/server.js';
import { fakeManifest } from '../helpers/fake-runs.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** Logs in with a role's token; returns the cookie and the page's CSRF token. */
async function login(s: TestServer, role: 'viewer' | 'runner' | 'admin') {
  const cookie = cookieOf(await s.req('/login', { form: { token: s.tokens[role]!, next: '/notebooks' } }));
  const page = await (await s.req('/notebooks/sales', { cookie })).text();
  return { cookie, csrf: /name="csrf-token" content="([^"]+)"/.exec(page)![1]! };
}

describe('quire serve pages', () => {
  it('a form without script: bad params come back as the page with the message beside the field (422); good ones redirect to the run', async () => {
    server = testServer({ tokens: true });
    const { cookie, csrf } = await login(server, 'runner');
    const bad = await server.req('/notebooks/sales/run', { form: { _csrf: csrf, month: '2025-13', region: 'EU' }, cookie });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toMatch(/<div class="field invalid" data-field="month">[\s\S]*?<span class="error" data-error-for="month">param &quot;month&quot; expects/);
    expect(html).toContain('value="2025-13"'); // what was typed is kept
    const good = await server.req('/notebooks/sales/run', { form: { _csrf: csrf, month: '2025-03', region: 'EU' }, cookie });
    expect(good.status).toBe(303);
    const runId = good.headers.get('location')!.replace('/runs/', '');
    await server.ctx.runs.get(runId)!.done;
    const page = await (await server.req(`/runs/${runId}`, { cookie })).text();
    expect(page).toContain('<iframe class="report" sandbox="allow-scripts allow-popups"');
    expect(page).toContain('started by</dt><dd>runner-user');
  });

  it("a run's page shows a cell's warning (an expect: with on_fail: warn) beside its timing, escaped", async () => {
    server = testServer({ tokens: true });
    const { cookie } = await login(server, 'viewer');
    const warning = { code: 'E_EXPECT_ROWS', message: 'cell <b>orders</b> returned 0 rows; it expects rows > 0', location: 'sales.yaml:9:21', snippet: null, hint: 'relax it' };
    const m = fakeManifest('sales', 1, {
      cells: [{ id: 'orders', type: 'query', title: null, status: 'succeeded', duration_ms: 3, rows: 0, cache_hit: false, error: null, warnings: [warning] }],
    });
    const dir = join(server.root, 'runs', 'sales', m.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'run.json'), JSON.stringify(m));
    writeFileSync(join(dir, 'run.log'), '');
    const page = await (await server.req(`/runs/${m.id}`, { cookie })).text();
    const row = /<tr><td><code>orders<\/code>[\s\S]*?<\/tr>/.exec(page)![0];
    expect(row).toContain(
      '<span class="badge badge-warning" data-status="warning">warning</span> <strong>E_EXPECT_ROWS</strong> cell &lt;b&gt;orders&lt;/b&gt; returned 0 rows; it expects rows &gt; 0',
    );
  });

  it('pages enforce roles and CSRF too, and escape what they show', async () => {
    server = testServer({ tokens: true });
    const viewer = await login(server, 'viewer');
    const runner = await login(server, 'runner');
    const forbidden = await server.req('/notebooks/sales/run', { form: { _csrf: viewer.csrf, region: 'EU' }, cookie: viewer.cookie });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toContain('text/html');
    expect(await forbidden.text()).toContain('E_FORBIDDEN');
    expect((await server.req('/schedules/sales.monthly/pause', { form: { _csrf: runner.csrf }, cookie: runner.cookie })).status).toBe(403);
    expect((await server.req('/notebooks/sales/run', { form: { region: 'EU' }, cookie: runner.cookie })).status).toBe(403); // no CSRF token
    expect((await server.req('/notebooks/sales/run', { form: { _csrf: viewer.csrf, region: 'EU' }, cookie: runner.cookie })).status).toBe(403); // another session's
    const page = await (await server.req(`/notebooks/sales?region=${encodeURIComponent('<script>alert(1)</script>')}`, { cookie: viewer.cookie })).text();
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const res = await server.req('/notebooks', { cookie: viewer.cookie });
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).not.toMatch(/<script>(?!<\/script>)/);
  });

  it('the notebook page lists the DAG in run order (level, then file order) and every page shows an edit of the file at once', async () => {
    server = testServer();
    const file = join(server.root, 'notebooks', 'sales.yaml');
    const head = readFileSync(file, 'utf8').split('cells:\n')[0];
    const cell = (id: string, sql: string) => `  - id: ${id}\n    type: query\n    sql: ${sql}\n`;
    // Written downstream first: the page must not show them in file order.
    const cells = [
      cell('share', 'SELECT region, revenue / (SELECT r FROM total) AS share FROM by_region'),
      cell('total', 'SELECT sum(revenue) AS r FROM by_region'),
      cell('by_region', "SELECT 'EU' AS region, 1.0 AS revenue"),
      cell('orders_n', 'SELECT count(*) AS n FROM orders'),
    ];
    writeFileSync(file, `${head}cells:\n${cells.join('')}`);
    const dag = async () => {
      const page = await (await server!.req('/notebooks/sales')).text();
      const list = /<ol class="dag" data-dag>([\s\S]*?)<\/ol>/.exec(page)![1]!;
      return [...list.matchAll(/<span class="level">(L\d)<\/span> <code>([a-z_]+)<\/code>/g)].map((m) => `${m[1]} ${m[2]}`);
    };
    expect(await dag()).toEqual(['L1 by_region', 'L1 orders_n', 'L2 total', 'L3 share']);
    expect(await (await server.req('/notebooks')).text()).toContain('Sales — 2025-03');

    // Edited on disk: the next requests show the new cell and title (no list kept from before).
    writeFileSync(file, `${head.replace('title: "Sales', 'title: "Revenue')}cells:\n${cells.join('')}${cell('top', 'SELECT * FROM share ORDER BY share DESC LIMIT 1')}`);
    const list = await (await server.req('/notebooks')).text();
    expect(list).toContain('Revenue — 2025-03');
    expect(list).not.toContain('Sales — 2025-03');
    expect(await dag()).toEqual(['L1 by_region', 'L1 orders_n', 'L2 total', 'L3 share', 'L4 top']);
    expect((await (await server.req('/api/v1/notebooks/sales')).json()).title).toBe('Revenue — 2025-03');
  });
});

describe('the runs page', () => {
  it('is rendered again when the runs change (its list is kept only while the index and the live statuses are the same)', async () => {
    server = testServer();
    const start = async () => {
      const res = await server!.req('/api/v1/runs', { json: { notebook: 'sales', params: { region: 'EU' } } });
      expect(res.status).toBe(202);
      return ((await res.json()) as { id: string }).id;
    };
    const first = await start();
    await server.ctx.runs.get(first)!.done;
    const before = await (await server.req('/runs')).text();
    expect(before).toContain(first);
    const table = (page: string) => /<table class="list" data-runs>[\s\S]*?<\/table>/.exec(page)![0];
    expect(table(await (await server.req('/runs')).text())).toBe(table(before));
    const second = await start();
    await server.ctx.runs.get(second)!.done;
    const after = await (await server.req('/runs')).text();
    expect(after).toContain(second);
    expect(after).toMatch(new RegExp(`${second}[\\s\\S]*?data-status="succeeded"`));
  });
});
