// Issue 16: what the queue costs. Workers are real `quire worker` processes on the machine's
// PostgreSQL (a fresh database, dropped after).
//  - enqueue → start latency of an idle worker (p50, p99 over 60 runs, one at a time);
//  - 500 one-cell runs through 2 workers vs the same sweep in-process with --concurrency 2;
//  - an idle worker's CPU over 10 s.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadNotebook } from '../engine/index.js';
import { parseSweeps, runSweep } from '../engine/exec/sweep.js';
import { RunQueue } from '../engine/queue/queue.js';
import { enqueueBatch } from '../engine/queue/batch.js';
import { ms, ratio, time } from './util.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'quire.js');
const SERVER = 'postgres://postgres@127.0.0.1:5432';

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await c.connect();
  await c.query(sql);
  await c.end();
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

export async function run(): Promise<string[]> {
  const name = `quire_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = `${SERVER}/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-queue-'));
  // biome-ignore lint/suspicious/noTemplateCurlyInString: quire.yaml's ${VAR} syntax
  writeFileSync(join(dir, 'quire.yaml'), 'queue:\n  url: ${QUIRE_QUEUE_URL}\n');
  writeFileSync(join(dir, 'one.yaml'), 'title: One\nparams:\n  n: { type: integer, default: 1 }\ncells:\n  - id: t\n    type: query\n    sql: SELECT $n AS n\nexport: [html]\n');
  process.env.QUIRE_QUEUE_URL = url;
  const env = { ...process.env, NO_COLOR: '1' };
  // BENCH_WORKER_LOG=<file>: the workers' logs (appended), to see why a figure is off.
  const logFd = process.env.BENCH_WORKER_LOG ? openSync(process.env.BENCH_WORKER_LOG, 'a') : 'ignore';
  const worker = (args: string[] = []) => spawn(process.execPath, [BIN, 'worker', ...args], { cwd: dir, env, stdio: ['ignore', logFd, logFd] });
  const exited = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null ? r() : p.on('exit', () => r())));
  const queue = await RunQueue.open({ url, leaseSeconds: 30, attempts: 3 });
  const nb = loadNotebook(join(dir, 'one.yaml'));
  const lines: string[] = [];
  try {
    // Latency: one idle worker, runs enqueued one at a time.
    const idle = worker(['--concurrency', '1']);
    const ended = async (runId: string) => {
      for (;;) {
        const r = await queue.pool.query(`SELECT status FROM quire.runs WHERE run_id = $1 AND status IN ('succeeded', 'failed')`, [runId]);
        if (r.rowCount) return;
        await new Promise((res) => setTimeout(res, 5));
      }
    };
    for (let i = 0; i < 65; i++) {
      const { runIds } = await enqueueBatch(queue, nb, [{ n: String(i) }], { now: new Date(), trigger: { kind: 'cli', schedule: null, scheduled_for: null } });
      await ended(runIds[0]!);
    }
    const lat = await queue.pool.query<{ ms: number }>(`SELECT extract(epoch FROM started_at - enqueued_at) * 1000 AS ms FROM quire.runs ORDER BY enqueued_at OFFSET 5`);
    const xs = lat.rows.map((r) => Number(r.ms));
    lines.push(`enqueue → start, idle worker (${xs.length} runs): p50 ${xs.length ? pct(xs, 50).toFixed(1) : '?'} ms, p99 ${pct(xs, 99).toFixed(1)} ms (goal p50 ≤ 50 ms, p99 ≤ 250 ms)`);

    // Idle CPU: the same worker with nothing to do for 10 s.
    const cpu0 = await cpuTicks(idle.pid!);
    await new Promise((r) => setTimeout(r, 10_000));
    const cpu1 = await cpuTicks(idle.pid!);
    const idlePct = ((cpu1 - cpu0) / 100 / 10) * 100;
    lines.push(`idle worker CPU over 10 s: ${idlePct.toFixed(2)}% of a core (goal ≤ 1%)`);
    idle.kill('SIGTERM');
    await exited(idle);

    // Throughput: N one-cell runs through 2 workers vs in-process --concurrency 2. Workers are
    // long-lived services, so the headline figure starts the clock with both already up and idle
    // (enqueue → last run ended); a second batch of batch-mode workers started cold is shown too.
    const N = 500;
    const members = Array.from({ length: N }, (_, i) => ({ n: String(i) }));
    const axes = parseSweeps([`n=${members.map((m) => m.n).join(',')}`]);
    const inProcess = await time(() => runSweep(nb, { axes, base: {}, concurrency: 2, run: { exports: ['html'] } }));
    const allEnded = async (n: number) => {
      for (;;) {
        const r = await queue.pool.query<{ n: string }>(`SELECT count(*) AS n FROM quire.runs WHERE status IN ('succeeded', 'failed')`);
        if (Number(r.rows[0]!.n) >= n) return;
        await new Promise((res) => setTimeout(res, 20));
      }
    };
    const before = Number((await queue.pool.query<{ n: string }>(`SELECT count(*) AS n FROM quire.runs`)).rows[0]!.n);
    const warm = [worker(['--concurrency', '1']), worker(['--concurrency', '1'])];
    for (;;) {
      const r = await queue.pool.query<{ n: string }>('SELECT count(*) AS n FROM quire.workers');
      if (Number(r.rows[0]!.n) >= 2) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    const trigger = { kind: 'sweep', schedule: null, scheduled_for: null } as const;
    const queued = await time(async () => {
      await enqueueBatch(queue, nb, members, { now: new Date(), trigger });
      await allEnded(before + N);
    });
    for (const w of warm) w.kill('SIGTERM');
    await Promise.all(warm.map(exited));
    const cold = await time(async () => {
      await enqueueBatch(queue, nb, members, { now: new Date(), trigger });
      const ws = [worker(['--concurrency', '1', '--exit-when-idle']), worker(['--concurrency', '1', '--exit-when-idle'])];
      await Promise.all(ws.map(exited));
    });
    lines.push(
      `${N} one-cell runs: through 2 running workers ${ms(queued)}, in-process sweep --concurrency 2 ${ms(inProcess)} → throughput ratio ${ratio(inProcess, queued)} (goal ≥ 0.8)`,
      `  the same through 2 workers started cold with --exit-when-idle (start and exit included): ${ms(cold)} → ${ratio(inProcess, cold)}`,
    );
  } finally {
    await queue.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  return lines;
}

/** utime + stime of a process, in clock ticks (100 a second on Linux). */
async function cpuTicks(pid: number): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
