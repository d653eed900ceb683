// Issue 6 speed targets: `quire schedule list` of 1,000 schedules under 2 s; due time → run
// start under 1 s at p99 with 1,000 schedules loaded (real clock, real runs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Scheduler } from '../engine/schedule/scheduler.js';
import { median, ms } from './util.js';

const REPO = join(import.meta.dirname, '..');
const ZONES = ['UTC', 'Europe/Prague', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'];
// M is a minute half an hour away, so that none of these fires while the latency is measured.
const CRONS = ['M 7 1 * *', 'M 2 * * *', 'M 9 * * 1-5', 'M 0 L * *', 'M 6 1 1,4,7,10 *', 'M */6 * * *', 'M 23 * * 0', 'M 12 15 * *', 'M 4 * * 2#1', 'M 8 * * *'];
const M = String((new Date().getUTCMinutes() + 30) % 60);

/** 100 notebooks × 10 schedules; in the first `firing` notebooks one fires every 10 s (staggered: 2 a second). */
function project(firing: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-schedule-'));
  writeFileSync(join(dir, 'quire.yaml'), 'timezone: Europe/Prague\n');
  for (let n = 0; n < 100; n++) {
    const schedules = CRONS.map((cron, i) => {
      const c = n < firing && i === 0 ? `${n % 10}/10 * * * * *` : cron.replace('M', M);
      return `  - { name: s${i}, cron: "${c}", timezone: ${ZONES[(n + i) % ZONES.length]}, missed: once, overlap: queue }\n`;
    });
    writeFileSync(
      join(dir, `nb${String(n).padStart(3, '0')}.yaml`),
      `title: Notebook ${n}\ncells:\n  - id: a\n    type: query\n    sql: SELECT ${n} AS n\nexport: [html]\nschedules:\n${schedules.join('')}`,
    );
  }
  return dir;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

export async function run(): Promise<string[]> {
  const out: string[] = [];

  // 1. quire schedule list, 1,000 schedules, whole process.
  const listDir = project(0);
  const times: number[] = [];
  let count = 0;
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(REPO, 'bin', 'quire.js'), 'schedule', 'list', listDir, '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const t = performance.now() - t0;
    if (r.status !== 0) throw new Error(r.stderr);
    count = JSON.parse(r.stdout).schedules.length;
    if (i) times.push(t);
  }
  out.push(`quire schedule list, ${count} schedules × 3 fire times: ${ms(median(times))} median of 3 (goal < 2,000 ms)`);

  // 2. Due → run start, 1,000 schedules loaded, 20 of them firing every 10 s (2 runs a second), for 30 s.
  //    `late_ms` is logged when the run folder exists: notebook loaded, params resolved, DuckDB open.
  const dir = project(20);
  const late: number[] = [];
  const scheduler = new Scheduler({
    root: dir,
    runsDir: join(dir, 'runs'),
    projectTimezone: 'Europe/Prague',
    concurrency: 4,
    logger: {
      log: (_level, m) => {
        const x = /^run-started .* late_ms=(\d+)/.exec(m);
        if (x) late.push(Number(x[1]));
      },
    },
  });
  scheduler.start();
  const loop = scheduler.loop();
  await new Promise((r) => setTimeout(r, 30_000));
  await scheduler.stop('bench', 10_000);
  await loop;
  out.push(
    `due time → run start, ${Object.keys(scheduler.state.schedules).length} schedules loaded, ${late.length} runs in 30 s: p50 ${ms(percentile(late, 50))}, p99 ${ms(percentile(late, 99))}, max ${ms(Math.max(...late))} (goal p99 < 1,000 ms)`,
  );
  return out;
}
