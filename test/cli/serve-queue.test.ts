import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../engine/server/app.js';
import { createServerContext, type ServerContext } from '../../engine/server/context.js';
import { BOSS_SCHEMA } from '../../engine/queue/queue.js';
import { fixtureProject, quire, quireAsync } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

// `quire serve` over a project with `queue:`: the server (in process) enqueues, real `quire worker`
// processes run, on the real PostgreSQL. Waits are on what the server or the index says, bounded.
let db: TestDatabase;
let root: string;
let ctx: ServerContext;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  db = await createTestDatabase();
  root = fixtureProject('serve');
  appendFileSync(join(root, 'quire.yaml'), `queue:\n  url: ${db.url}\n  lease_seconds: 5\n`);
  ctx = createServerContext(root, { localUser: 'tester' });
  app = createApp(ctx);
  await ctx.runs.ready();
});

afterAll(async () => {
  await ctx?.close();
  await db?.drop();
});

const json = async (res: Response | Promise<Response>) => (await (await res).json()) as any;
const post = (path: string, body: unknown = {}) => app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null || p.signalCode !== null ? r(p.exitCode) : p.on('exit', (code) => r(code))));
const worker = () => quireAsync(['worker', '--exit-when-idle', '--concurrency', '1'], root);

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, limitMs = 60_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The event types of a run's SSE stream, read until it ends (after `finished`). */
async function eventStream(id: string): Promise<{ types: string[]; text: string }> {
  const text = await (await app.request(`/api/v1/runs/${id}/events`)).text();
  return { types: [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]!), text };
}

describe('quire serve with a queue', () => {
  it('enqueues a run started over HTTP; it is queued until a worker takes it, and its events stream queued → started → cells → finished', async () => {
    const res = await post('/api/v1/runs', { notebook: 'sales', params: { month: '2025-03', region: 'EU' } });
    expect(res.status).toBe(202);
    const { id } = await json(res);
    const [row] = await db.sql('SELECT status, started_by, notebook_path, trigger FROM quire.runs WHERE run_id = $1', [id]);
    expect(row).toMatchObject({ status: 'queued', started_by: 'tester', notebook_path: 'notebooks/sales.yaml', trigger: { kind: 'api', queued: true } });
    expect(await json(app.request(`/api/v1/runs/${id}`))).toMatchObject({ id, status: 'queued', queue_position: 1, started_by: 'tester' });
    expect((await json(app.request('/api/v1/runs'))).queued.map((r: any) => [r.id, r.title])).toEqual([[id, 'Sales — 2025-03']]);

    const stream = eventStream(id); // subscribed while queued: it sees the whole run live
    const w = worker();
    const { types, text } = await stream;
    expect(types[0]).toBe('queued');
    expect(types).toContain('started');
    expect(types.indexOf('started')).toBeLessThan(types.indexOf('cell-started'));
    expect(types.filter((t) => t === 'cell-finished')).toHaveLength(2);
    expect(types.at(-1)).toBe('finished');
    expect(text).toMatch(/"status":"succeeded"/);
    expect(await exited(w)).toBe(0);

    const run = await json(app.request(`/api/v1/runs/${id}`));
    expect(run).toMatchObject({ id, status: 'succeeded', started_by: 'tester', trigger: { kind: 'api', worker: expect.any(String), attempt: 1 }, params: { month: '2025-03', region: 'EU' } });
    const onDisk = JSON.parse(readFileSync(join(root, 'runs', 'sales', id, 'run.json'), 'utf8'));
    expect(onDisk).toMatchObject({ status: 'succeeded', started_by: 'tester' });
    const page = await json(app.request('/api/v1/runs?notebook=sales'));
    expect(page.runs.find((r: any) => r.id === id)).toMatchObject({ status: 'succeeded', started_by: 'tester' });
    expect(page.queued).toEqual([]);
    const html = await (await app.request(`/runs/${id}`)).text();
    expect(html).toContain('data-status="succeeded"');
    expect(html).toContain(`/api/v1/runs/${id}/artifacts/report.html`);
  }, 90_000);

  it('cancels a queued run (its job too, no worker runs it) and stops a running one through its worker', async () => {
    const queued = (await json(post('/api/v1/runs', { notebook: 'sales', params: { month: '2025-03' } }))).id;
    expect(await json(post(`/api/v1/runs/${queued}/cancel`))).toEqual({ id: queued, status: 'cancelled' });
    const [job] = await db.sql(`SELECT j.state FROM ${BOSS_SCHEMA}.job j JOIN quire.runs r ON r.job_id = j.id WHERE r.run_id = $1`, [queued]);
    expect(job).toEqual({ state: 'cancelled' });
    expect(await json(app.request(`/api/v1/runs/${queued}`))).toMatchObject({ status: 'cancelled', error: expect.stringMatching(/a cancel from tester/) });
    expect(await json(post(`/api/v1/runs/${queued}/cancel`))).toMatchObject({ status: 409, code: 'E_RUN_NOT_ACTIVE' });

    const slow = (await json(post('/api/v1/runs', { notebook: 'slow' }))).id;
    const w = worker();
    await until('the slow run to be running', () => ctx.runs.get(slow)?.status === 'running');
    expect(await json(post(`/api/v1/runs/${slow}/cancel`))).toEqual({ id: slow, status: 'running' });
    await ctx.runs.get(slow)!.done;
    expect(ctx.runs.get(slow)).toMatchObject({ status: 'failed' });
    expect(await exited(w)).toBe(0);
    const rows = await db.sql('SELECT run_id, status, cancel_requested FROM quire.runs WHERE run_id = ANY($1) ORDER BY enqueued_at', [[queued, slow]]);
    expect(rows.map((r) => r.status)).toEqual(['cancelled', 'failed']);
    const m = JSON.parse(readFileSync(join(root, 'runs', 'slow', slow, 'run.json'), 'utf8'));
    expect(m.status).toBe('failed');
    expect(JSON.stringify(m)).toMatch(/a cancel from tester/);
    // The queued one never got a folder: no worker ran it.
    expect(() => readFileSync(join(root, 'runs', 'sales', queued, 'run.json'))).toThrow();
  }, 90_000);

  it('reruns and "run now" go to the queue; runs enqueued elsewhere are listed and followed', async () => {
    const [done] = await db.sql(`SELECT run_id FROM quire.runs WHERE status = 'succeeded' LIMIT 1`);
    const again = await post(`/api/v1/runs/${done!.run_id}/rerun`, { params: { region: 'NA' } });
    expect(again.status).toBe(202);
    const now = await post('/api/v1/schedules/sales.monthly/trigger');
    expect(now.status).toBe(202);
    const ids = [(await json(again)).id, (await json(now)).id];
    const rows = await db.sql(`SELECT status, trigger->>'kind' AS kind, trigger->>'schedule' AS schedule, params FROM quire.runs WHERE run_id = ANY($1) ORDER BY trigger->>'kind' DESC`, [ids]);
    expect(rows).toEqual([
      { status: 'queued', kind: 'rerun', schedule: null, params: expect.objectContaining({ region: 'NA', month: '2025-03' }) },
      { status: 'queued', kind: 'api', schedule: 'monthly', params: { month: 'previous_month' } },
    ]);

    const cli = quire(['run', 'notebooks/sales.yaml', '--queue', '--detach', '--json', '-p', 'region=APAC'], root);
    expect(cli.stderr).toBe('');
    const [elsewhere] = JSON.parse(cli.stdout).runs as string[];
    await until('the server to follow the run queued by the CLI', () => ctx.runs.get(elsewhere!));
    expect(await json(app.request(`/api/v1/runs/${elsewhere}`))).toMatchObject({ status: 'queued', queue_position: 3, started_by: '(cli)' });
    expect((await json(app.request('/api/v1/runs'))).queued.map((r: any) => r.id)).toEqual([...ids, elsewhere]);
    expect(await (await app.request('/runs')).text()).toContain(elsewhere);

    const w = worker();
    await Promise.all([...ids, elsewhere!].map((id) => ctx.runs.get(id)!.done));
    expect(await exited(w)).toBe(0);
    expect([...ids, elsewhere!].map((id) => ctx.runs.get(id)!.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  }, 120_000);
});
