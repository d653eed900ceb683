import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { Scheduler, type SchedulerOptions } from '../../engine/schedule/scheduler.js';
import { createRunDir, listRuns, PROCESS_GONE } from '../../engine/runs/runs.js';

const NOTEBOOK = 'title: Tick\ncells:\n  - id: a\n    type: query\n    sql: SELECT 1 AS x\nschedules:\n  - { name: every-minute, cron: "* * * * *" }\n';

function boot(dir: string, clock: () => number, lines: string[], extra: Partial<SchedulerOptions> = {}): Scheduler {
  const s = new Scheduler({
    root: dir,
    runsDir: join(dir, 'runs'),
    projectTimezone: 'UTC',
    clock,
    logger: { log: (level, m) => lines.push(`${level} ${m}`) },
    rescanMs: 0,
    random: () => 0.5,
    ...extra,
  });
  s.start();
  return s;
}

describe('scheduler state.json damaged item by item', () => {
  it('skips a damaged schedule, queue item and outbox entry with a warning each, and keeps scheduling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-state-'));
    writeFileSync(join(dir, 'quire.yaml'), 'timezone: UTC\n');
    writeFileSync(join(dir, 'tick.yaml'), NOTEBOOK);
    let now = Date.parse('2026-03-01T00:00:30Z');
    const lines: string[] = [];
    let s = boot(dir, () => now, lines);
    await s.step();
    await s.stop('test', 0);

    const file = join(dir, 'runs', '.scheduler', 'state.json');
    const state = JSON.parse(readFileSync(file, 'utf8'));
    state.schedules['gone.yaml#x'] = { ...state.schedules['tick.yaml#every-minute'], next_due: 'not a date' };
    const good = {
      key: 'tick.yaml#every-minute',
      notebook_id: 'tick',
      schedule: 'every-minute',
      scheduled_for: '2026-03-01T00:00:00.000Z',
      run_id: '20260301-000000Z-abcdef',
      status: 'queued',
      failures: 0,
      interruptions: 0,
      not_before: null,
      queued_at: '2026-03-01T00:00:00.000Z',
      started_at: null,
      last_error: null,
    };
    state.queue.push({ ...good, notebook_id: '../../etc', run_id: 'x', scheduled_for: '2026-02-28T00:00:00.000Z' }, { ...good, failures: 'many', scheduled_for: '2026-02-27T00:00:00.000Z' }, good);
    state.outbox.push('../../../tmp', 42);
    writeFileSync(file, JSON.stringify(state));

    s = boot(dir, () => now, lines);
    const damaged = lines.filter((l) => l.includes('state-damaged'));
    expect(damaged).toHaveLength(5);
    expect(damaged.join('\n')).toMatch(/schedule "gone\.yaml#x" is damaged \(next_due/);
    expect(damaged.join('\n')).toMatch(/queue item \d \(tick\.yaml#every-minute\) is damaged \(notebook_id/);
    expect(damaged.join('\n')).toMatch(/queue item \d \(tick\.yaml#every-minute\) is damaged \(failures/);
    expect(s.state.queue).toHaveLength(1);
    now = Date.parse('2026-03-01T00:01:01Z');
    await s.step();
    await s.settle();
    await s.step();
    await s.stop('test', 0);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.schedules['tick.yaml#every-minute'].last).toMatchObject({ status: 'succeeded' });
  });

  it('a run its dead process left, already shown as failed by `runs list`, is re-run as interrupted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-state-'));
    writeFileSync(join(dir, 'quire.yaml'), 'timezone: UTC\n');
    writeFileSync(join(dir, 'tick.yaml'), NOTEBOOK);
    let now = Date.parse('2026-03-01T00:00:30Z');
    const lines: string[] = [];
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    // The first scheduler's process "dies" mid-run: its run.json stays `running`, naming a dead pid.
    const dying: SchedulerOptions['run'] = async (_nb, opts) => {
      const notebook = { id: 'tick', path: 'tick.yaml', sha256: '' };
      const started_at = new Date(opts.now!()).toISOString();
      createRunDir(opts.runsDir!, 'tick', opts.runId!, {
        id: opts.runId!,
        notebook,
        title: 'Tick',
        status: 'running',
        trigger: opts.trigger!,
        cells: [],
        params: {},
        param_types: {},
        started_at,
        finished_at: null,
        error: null,
        exports: {},
        log: 'run.log',
        process: { pid: dead, host: hostname() },
      });
      return new Promise<never>(() => {});
    };
    const first = boot(dir, () => now, lines, { run: dying });
    now = Date.parse('2026-03-01T00:01:00.100Z');
    await first.step();
    await new Promise((r) => setImmediate(r));
    expect(listRuns(join(dir, 'runs'))[0].manifest).toMatchObject({ status: 'failed', error: PROCESS_GONE });

    now = Date.parse('2026-03-01T00:01:05Z');
    const second = boot(dir, () => now, lines);
    await second.step();
    await second.settle();
    await second.step();
    await second.stop('test', 0);
    expect(lines.filter((l) => l.includes('run-interrupted'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('run-adopted'))).toHaveLength(0);
    expect(listRuns(join(dir, 'runs')).map((r) => r.manifest.status)).toEqual(['succeeded']);
  });
});
