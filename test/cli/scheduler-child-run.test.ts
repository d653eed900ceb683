import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Scheduler } from '../../engine/schedule/scheduler.js';
import { childProcessRun } from '../../engine/schedule/child-run.js';
import type { RunManifest } from '../../engine/runs/runs.js';
import { readManifestAt } from '../../engine/schedule/runner.js';
import { BIN, TEST_DB } from '../helpers/paths.js';

/** Kills this process's `quire __run-child` children whose command line names `notebook`. */
function killRunChild(notebook: string): number {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  const pids = out
    .split('\n')
    .filter((l) => l.includes('__run-child') && l.includes(notebook))
    .map((l) => Number.parseInt(l.trim(), 10));
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  return pids.length;
}

function runsOf(dir: string, id: string): RunManifest[] {
  const base = join(dir, 'runs', id);
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((d) => !d.startsWith('.'))
    .map((d) => readManifestAt(join(base, d))!)
    .sort((a, b) => String(a.trigger.scheduled_for).localeCompare(String(b.trigger.scheduled_for)));
}

describe('scheduled runs in child processes', () => {
  it('a run whose process dies ends failed with the reason; the scheduler and its other schedules go on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-child-run-'));
    writeFileSync(join(dir, 'quire.yaml'), `timezone: UTC\ndatabase: ${TEST_DB}\n`);
    const schedule = 'schedules:\n  - { name: m, cron: "* * * * *", retries: 0 }\n';
    writeFileSync(join(dir, 'dies.yaml'), `title: Dies\ncells:\n  - id: slow\n    type: query\n    sql: SELECT count(*) AS n FROM range(100000000000) t(i) WHERE hash(i) % 7 = 3\n${schedule}`);
    writeFileSync(join(dir, 'lives.yaml'), `title: Lives\ncells:\n  - id: n\n    type: query\n    sql: SELECT count(*) AS n FROM orders\n${schedule}`);
    let now = Date.parse('2026-03-01T00:00:30Z');
    const lines: string[] = [];
    let kills = 0;
    const scheduler = new Scheduler({
      root: dir,
      runsDir: join(dir, 'runs'),
      projectTimezone: 'UTC',
      clock: () => now,
      rescanMs: 0,
      run: childProcessRun(BIN),
      logger: {
        log: (level, message) => {
          lines.push(`${level} ${message}`);
          // As the OOM killer would: the process running dies.yaml is killed once its run started.
          if (message.startsWith('run-started dies.yaml')) kills += killRunChild('dies.yaml');
        },
      },
    });
    scheduler.start();
    for (const minute of ['01', '02']) {
      now = Date.parse(`2026-03-01T00:${minute}:00.100Z`);
      await scheduler.step();
      await scheduler.settle();
    }
    await scheduler.stop('test', 0);

    expect(kills).toBe(2);
    const died = runsOf(dir, 'dies');
    expect(died.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(died[0]!.error).toMatch(/the run's process ended without finishing \(killed by SIGKILL\)/);
    expect(lines.filter((l) => l.includes('run-gave-up dies.yaml#m'))).toHaveLength(2);
    // Every tick of the other schedule ran and succeeded, in the same scheduler.
    expect(runsOf(dir, 'lives').map((r) => [r.trigger.scheduled_for, r.status])).toEqual([
      ['2026-03-01T00:01:00.000Z', 'succeeded'],
      ['2026-03-01T00:02:00.000Z', 'succeeded'],
    ]);
  });

  it('a notebook the child refuses (bad params) is a failure naming the error, not a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-child-run-'));
    writeFileSync(join(dir, 'quire.yaml'), 'timezone: UTC\n');
    const nb = join(dir, 'p.yaml');
    writeFileSync(nb, 'title: P\nparams:\n  n: { type: integer }\ncells:\n  - id: a\n    type: query\n    sql: SELECT $n AS n\n');
    const run = childProcessRun(BIN);
    await expect(run(nb, { params: { n: 'seven' }, runsDir: join(dir, 'runs') })).rejects.toMatchObject({ code: 'E_PARAM_TYPE' });
    const ok = await run(nb, { params: { n: 7 }, runsDir: join(dir, 'runs') });
    expect(ok.manifest.status).toBe('succeeded');
    expect(ok.manifest.params).toEqual({ n: 7 });
  });
});
