// Issue 15 speed targets of `quire serve`: with 10,000 runs in the index and one notebook running,
// 50 concurrent clients on the runs list: p99 ≤ 100 ms (measured with the running notebook's DuckDB
// on every core, then on the server's default run threads, the cores but one); a run started over HTTP adds ≤ 50 ms to the
// same run in-process; 100 SSE subscribers on one run all get every event.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { runNotebook } from '../engine/exec/run.js';
import { availableParallelism, loadavg as loadavg1 } from 'node:os';
import { createServerContext, defaultRunThreads, type ServerContext } from '../engine/server/context.js';
import { startServer, type RunningServer } from '../engine/server/serve.js';
import { EngineState } from '../engine/util/state.js';
import { writeFakeRuns } from '../test/helpers/fake-runs.js';
import { benchProject, median, ms, ratio } from './util.js';

const FIXTURE = join(import.meta.dirname, '..', 'test', 'fixtures', 'serve', 'notebooks');

interface LoadResult {
  latency: { p50: number; p99: number };
  requests: { average: number };
  non2xx: number;
}

/** autocannon in its own process: the load generator does not share the server's event loop. */
function load(url: string, connections: number, seconds: number): Promise<LoadResult> {
  const bin = join(import.meta.dirname, '..', 'node_modules', 'autocannon', 'autocannon.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '-c', String(connections), '-d', String(seconds), '-j', url], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
    });
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(text) as LoadResult);
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** Reads a run's SSE stream until its `finished` event; resolves with the time it came and the number of events. */
async function untilFinished(url: string): Promise<{ at: number; events: number }> {
  const res = await fetch(url);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (value) text += decoder.decode(value, { stream: true });
    if (/event: finished/.test(text) || done) {
      await reader.cancel().catch(() => {});
      return { at: performance.now(), events: (text.match(/^event: /gm) ?? []).length };
    }
  }
}

export async function run(): Promise<string[]> {
  const out: string[] = [];
  const dir = await benchProject(20_000);
  mkdirSync(join(dir, 'notebooks'));
  for (const f of ['sales.yaml', 'slow.yaml']) cpSync(join(FIXTURE, f), join(dir, 'notebooks', f));
  writeFileSync(join(dir, 'quire.yaml'), `${readFileSync(join(dir, 'quire.yaml'), 'utf8')}runs_dir: runs\n`);
  writeFakeRuns(join(dir, 'runs'), ['sales', 'churn', 'weekly', 'ops'], 2500);

  const loadavg = () =>
    loadavg1()
      .map((x) => x.toFixed(2))
      .join(' ');
  out.push(`${availableParallelism()} cores; load average (1, 5, 15 min) at the start: ${loadavg()}`);
  // 1. The runs list under load, one notebook running: its DuckDB on every core (as before
  // --run-threads), and on the server's default (the cores but one). Two servers over the same
  // project, measured in turn A B B A, so the machine's other load drifts over both alike.
  const configs: [string, number][] = [
    [`runs on every core (--run-threads ${availableParallelism()})`, availableParallelism()],
    [`runs on the default --run-threads ${defaultRunThreads()}`, defaultRunThreads()],
  ];
  const servers: { ctx: ServerContext; server: RunningServer }[] = [];
  for (const [i, [, runThreads]] of configs.entries()) {
    const ctx = createServerContext(dir, { maxConcurrentRuns: 4, runThreads });
    if (i === 0) {
      const t0 = performance.now();
      ctx.index.refresh(true);
      out.push(`runs index built from 10,000 run folders in ${ms(performance.now() - t0)}`);
      ctx.index.save();
      // The server's own work per request, without the network or the load generator (sequential, in process).
      const { createApp } = await import('../engine/server/app.js');
      const app = createApp(ctx);
      const cost = async (path: string) => {
        for (let i = 0; i < 50; i++) await (await app.request(path)).text();
        const a = performance.now();
        for (let i = 0; i < 500; i++) await (await app.request(path)).text();
        return (performance.now() - a) / 500;
      };
      out.push(
        `server time per request (in process, sequential, mean of 500): favicon ${(await cost('/favicon.ico')).toFixed(2)} ms, /api/v1/runs page ${(await cost('/api/v1/runs?offset=4950&limit=50&notebook=sales')).toFixed(2)} ms, /runs HTML page ${(await cost('/runs?offset=950')).toFixed(2)} ms`,
      );
    }
    servers.push({ ctx, server: await startServer(ctx, { host: '127.0.0.1', port: 0 }) });
  }
  const windows: { base: number; api: number; page: number; load: string }[][] = [[], []];
  try {
    for (const i of [0, 1, 1, 0]) {
      const { ctx, server } = servers[i]!;
      const slow = (await (
        await fetch(`${server.url}/api/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ notebook: process.env.BENCH_RUNNING ?? 'slow' }) })
      ).json()) as { id: string };
      const base = await load(`${server.url}/favicon.ico`, 50, 3);
      const api = await load(`${server.url}/api/v1/runs?offset=4950&limit=50&notebook=sales`, 50, 4);
      const page = await load(`${server.url}/runs?offset=950`, 50, 3);
      if (ctx.runs.get(slow.id)?.status !== 'running') out.push(`(the slow notebook was ${ctx.runs.get(slow.id)?.status}, not running)`);
      windows[i]!.push({ base: base.latency.p99, api: api.latency.p99, page: page.latency.p99, load: loadavg() });
      await fetch(`${server.url}/api/v1/runs/${slow.id}/cancel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      await ctx.runs.get(slow.id)?.done;
    }
  } finally {
    for (const { server } of servers) await server.close();
  }
  const p99 = windows.map((w) => median(w.map((x) => x.api)));
  for (const [i, [label]] of configs.entries()) {
    const w = windows[i]!;
    out.push(`— ${label}, one notebook running, 50 clients, p99 of each window (load average then):`);
    out.push(`  baseline (empty response): ${w.map((x) => `${x.base} ms`).join(', ')}`);
    out.push(`  GET /api/v1/runs (page 100 of one notebook's 2,500 of 10,000 runs): ${w.map((x) => `${x.api} ms (${x.load})`).join(', ')} (target ≤ 100 ms)`);
    out.push(`  GET /runs (HTML page 20 of 10,000): ${w.map((x) => `${x.page} ms`).join(', ')} (target ≤ 100 ms)`);
  }
  out.push(`runs list p99 (median of the windows) with the default run threads: ${ratio(p99[1]!, p99[0]!)} the p99 with runs on every core`);

  const ctx = createServerContext(dir, { maxConcurrentRuns: 4 });
  const server = await startServer(ctx, { host: '127.0.0.1', port: 0 });
  try {
    // 2. The same run over HTTP (POST, then its events until finished) and in-process, alternated.
    const params = { month: '2025-03', region: 'EU' };
    const state = new EngineState();
    const http: number[] = [];
    const inProcess: number[] = [];
    for (let i = 0; i < 7; i++) {
      const a = performance.now();
      await runNotebook(join(dir, 'notebooks', 'sales.yaml'), { params, state, runsDir: ctx.runsDir });
      inProcess.push(performance.now() - a);
      const b = performance.now();
      const started = (await (
        await fetch(`${server.url}/api/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ notebook: 'sales', params }) })
      ).json()) as { id: string };
      const { at } = await untilFinished(`${server.url}/api/v1/runs/${started.id}/events`);
      http.push(at - b);
    }
    await state.close();
    const added = median(http.slice(1)) - median(inProcess.slice(1));
    out.push(
      `sales run, median of 6 (after a warm-up): in-process ${ms(median(inProcess.slice(1)))}, over HTTP (POST → SSE finished) ${ms(median(http.slice(1)))}: ${ms(added)} added (target ≤ 50 ms)`,
    );

    // 3. 100 SSE subscribers on one run.
    const started = (await (
      await fetch(`${server.url}/api/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ notebook: 'sales', params: { region: 'NA' } }) })
    ).json()) as { id: string };
    const subscribers = await Promise.all(Array.from({ length: 100 }, () => untilFinished(`${server.url}/api/v1/runs/${started.id}/events`)));
    const managed = ctx.runs.get(started.id)!;
    const finishedAt = managed.events.history.at(-1)!;
    const counts = new Set(subscribers.map((s) => s.events));
    out.push(
      `100 SSE subscribers on one run: all got 'finished'; events each: ${[...counts].join('/')} (the run sent ${managed.events.history.length}); last one ${ms(Math.max(...subscribers.map((s) => s.at)) - Math.min(...subscribers.map((s) => s.at)))} after the first (${finishedAt.type})`,
    );
  } finally {
    await server.close();
  }
  return out;
}
