// Issue 16 at full scale (the test suite runs a smaller one): 3 workers and 2 schedulers as separate
// processes, 200 queued sweep members, a worker holding a run SIGKILLed 20 times (a new one started
// each time). Prints whether every member has exactly one succeeded run and none is lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const BIN = join(import.meta.dirname, '..', 'bin', 'quire.js');
const SERVER = 'postgres://postgres@127.0.0.1:5432';

async function query(url: string, text: string, values?: unknown[]): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
}

export async function run(): Promise<string[]> {
  const name = `quire_chaos_${randomBytes(4).toString('hex')}`;
  await query(`${SERVER}/postgres`, `CREATE DATABASE ${name}`);
  const url = `${SERVER}/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'quire-chaos-'));
  writeFileSync(join(dir, 'quire.yaml'), `queue:\n  url: ${url}\n  lease_seconds: 3\n  attempts: 10\n`);
  writeFileSync(
    join(dir, 'member.yaml'),
    'title: Member\nparams:\n  n: { type: integer, default: 1 }\ncells:\n  - id: t\n    type: query\n    sql: SELECT $n AS n, count(*) AS c FROM range(10000000) r, range(4) s WHERE r.range % 7 = s.range\n',
  );
  writeFileSync(join(dir, 'ticking.yaml'), 'title: Ticking\ncells:\n  - id: t\n    type: query\n    sql: SELECT 1 AS one\nschedules:\n  - name: minutely\n    cron: "* * * * *"\n');
  const env = { ...process.env, NO_COLOR: '1' };
  const start = (args: string[]) => spawn(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: 'ignore' });
  const exited = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.on('exit', () => r())));
  const t0 = performance.now();
  try {
    const members = Array.from({ length: 200 }, (_, i) => i + 1);
    const q = spawn(process.execPath, [BIN, 'run', 'member.yaml', '--queue', '--detach', '--json', '--sweep', `n=${members.join(',')}`], { cwd: dir, env });
    let out = '';
    q.stdout.on('data', (d) => (out += d));
    await exited(q);
    const { batch } = JSON.parse(out) as { batch: string };
    const schedulers = [start(['scheduler', '--rescan', '1']), start(['scheduler', '--rescan', '1'])];
    const workers = [0, 1, 2].map(() => start(['worker', '--exit-when-idle', '--concurrency', '2']));
    const killed = new Set<ChildProcess>();
    // Kills a worker holding a run, 20 times, or until the batch ended (fewer kills are then reported).
    const batchEnded = async () => (await query(url, `SELECT count(*)::int AS n FROM quire.runs WHERE batch_id = $1 AND status IN ('queued', 'running')`, [batch]))[0]!.n === 0;
    let kills = 0;
    for (let k = 0; k < 20 && !(await batchEnded()); k++) {
      for (;;) {
        if (await batchEnded()) break;
        const rows = await query(url, 'SELECT DISTINCT worker_id FROM quire.leases');
        const pids = new Set(rows.map((r) => Number(String(r.worker_id).split(':')[1])));
        const holder = workers.find((w) => !killed.has(w) && pids.has(w.pid!));
        if (holder) {
          holder.kill('SIGKILL');
          killed.add(holder);
          kills++;
          workers.push(start(['worker', '--exit-when-idle', '--concurrency', '2']));
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      await new Promise((r) => setTimeout(r, 1500));
    }
    await Promise.all(workers.map(exited));
    for (const s of schedulers) s.kill('SIGTERM');
    await Promise.all(schedulers.map(exited));
    const index = await query(url, `SELECT params->>'n' AS n, status, attempts FROM quire.runs WHERE batch_id = $1`, [batch]);
    const folders = existsSync(join(dir, 'runs', 'member'))
      ? readdirSync(join(dir, 'runs', 'member'))
          .filter((f) => !f.startsWith('.'))
          .map((f) => JSON.parse(readFileSync(join(dir, 'runs', 'member', f, 'run.json'), 'utf8')))
      : [];
    const succeededByMember = new Map<string, number>();
    for (const m of folders) if (m.status === 'succeeded') succeededByMember.set(String(m.params.n), (succeededByMember.get(String(m.params.n)) ?? 0) + 1);
    const exactlyOnce = members.filter((n) => succeededByMember.get(String(n)) === 1).length;
    const retried = index.filter((r) => Number(r.attempts) > 1).length;
    const ticks = await query(url, `SELECT count(*) AS n, count(DISTINCT trigger->>'scheduled_for') AS distinct_ticks FROM quire.runs WHERE notebook_id = 'ticking'`);
    return [
      `200 members, 3 workers (+${kills} replacements), 2 schedulers, ${kills} SIGKILLs of a worker holding a run: ${exactlyOnce}/200 members with exactly one succeeded run folder, ` +
        `${index.filter((r) => r.status === 'succeeded').length}/200 succeeded in the index, ${retried} retried after a lost worker, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      `the 2 schedulers enqueued ${ticks[0]!.n} runs of a minutely schedule for ${ticks[0]!.distinct_ticks} distinct ticks (must be equal)`,
    ];
  } finally {
    await query(`${SERVER}/postgres`, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
