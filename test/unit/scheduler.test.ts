import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Scheduler, type SchedulerOptions } from '../../engine/schedule/scheduler.js';
import { runNotebook, type RunOptions } from '../../engine/exec/run.js';
import { runManifestSchema, type RunManifest } from '../../engine/runs/runs.js';
import { createRunDir } from '../../engine/runs/runs.js';
import type { Notebook } from '../../engine/notebook/load.js';

const T0 = Date.parse('2026-03-01T00:00:30Z');

function project(notebooks: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-scheduler-'));
  writeFileSync(join(dir, 'quire.yaml'), 'timezone: UTC\n');
  for (const [name, text] of Object.entries(notebooks)) writeFileSync(join(dir, name), text);
  return dir;
}

function notebook(schedule: string, sql = 'SELECT 1 AS x', extra = ''): string {
  return `title: Tick\nparams:\n  day: { type: date, default: today }\ncells:\n  - id: a\n    type: query\n    sql: ${sql}\n${extra}schedules:\n${schedule}`;
}

/** Resolves `done` after `tick()` was called n times: waits for the code under test, not for time. */
function countdown(n: number) {
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return { done, tick: () => --n === 0 && resolve() };
}

/** The scheduler's runner, telling the test once a run's folder exists (the run is going). */
function startedRun(onStarted: () => void) {
  return (nb: string | Notebook, opts: RunOptions) =>
    runNotebook(nb, {
      ...opts,
      onStart: (info) => {
        opts.onStart?.(info);
        onStarted();
      },
    });
}

class Harness {
  now: number;
  lines: string[] = [];
  scheduler!: Scheduler;
  private waiters = new Set<() => void>();
  constructor(
    readonly dir: string,
    readonly extra: Partial<SchedulerOptions> = {},
    start = T0,
  ) {
    this.now = start;
    this.boot();
  }
  boot() {
    this.scheduler = new Scheduler({
      root: this.dir,
      runsDir: join(this.dir, 'runs'),
      projectTimezone: 'UTC',
      clock: () => this.now,
      logger: {
        log: (level, m) => {
          this.lines.push(`${level} ${m}`);
          for (const w of [...this.waiters]) w();
        },
      },
      rescanMs: 0,
      random: () => 0.5,
      ...this.extra,
    });
    this.scheduler.start();
    return this;
  }
  async at(iso: string | number) {
    this.now = typeof iso === 'number' ? iso : Date.parse(iso);
    // Step until nothing more can start at this instant (ticks of one schedule run one by one).
    for (let i = 0; i < 200; i++) {
      await this.scheduler.step();
      if (!this.scheduler.running) break;
      await this.scheduler.settle();
    }
    await this.scheduler.step();
    await this.scheduler.settle();
  }
  runs(nb = 'tick'): RunManifest[] {
    const base = join(this.dir, 'runs', nb);
    if (!existsSync(base)) return [];
    return readdirSync(base)
      .filter((d) => !d.startsWith('.'))
      .map((d) => runManifestSchema.parse(JSON.parse(readFileSync(join(base, d, 'run.json'), 'utf8'))))
      .sort((a, b) => String(a.trigger.scheduled_for).localeCompare(String(b.trigger.scheduled_for)));
  }
  events(name: string) {
    return this.lines.filter((l) => l.split(' ')[1] === name);
  }
  /** Resolves once the scheduler has logged `name` `count` times. */
  logged(name: string, count = 1): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.events(name).length < count) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
      check();
    });
  }
}

describe('scheduler (injected clock)', () => {
  it('takes due ticks from the stored next time: one run per scheduled time, its identity in run.json', async () => {
    const h = new Harness(project({ 'tick.yaml': notebook('  - { name: every-minute, cron: "* * * * *" }\n') }));
    expect(h.scheduler.state.schedules['tick.yaml#every-minute']!.next_due).toBe('2026-03-01T00:01:00.000Z');
    await h.at('2026-03-01T00:00:59Z');
    expect(h.runs()).toHaveLength(0);
    await h.at('2026-03-01T00:01:00.200Z');
    await h.at('2026-03-01T00:01:30Z');
    const [run] = h.runs();
    expect(h.runs()).toHaveLength(1);
    expect(run!.status).toBe('succeeded');
    expect(run!.trigger).toEqual({ kind: 'schedule', schedule: 'every-minute', scheduled_for: '2026-03-01T00:01:00.000Z', attempt: 1 });
    expect(run!.id).toMatch(/^20260301-000100Z-[0-9a-f]{6}$/);
    expect(run!.params.day).toBe('2026-03-01');
    // A restart at the same moment does not take the tick again.
    await h.scheduler.stop('test', 0);
    h.boot();
    await h.at('2026-03-01T00:01:40Z');
    expect(h.runs()).toHaveLength(1);
    const state = JSON.parse(readFileSync(join(h.dir, 'runs', '.scheduler', 'state.json'), 'utf8'));
    expect(state.schedules['tick.yaml#every-minute'].next_due).toBe('2026-03-01T00:02:00.000Z');
    expect(state.schedules['tick.yaml#every-minute'].last).toMatchObject({ scheduled_for: '2026-03-01T00:01:00.000Z', status: 'succeeded' });
    expect(h.events('run-started')).toHaveLength(1);
  });

  it('after a downtime: missed=all runs every tick, once runs the newest, skip runs none; each logs the miss', async () => {
    const dir = project({
      'all.yaml': notebook('  - { name: h, cron: "0 * * * *", missed: all }\n').replace('title: Tick', 'id: tick-all\ntitle: Tick'),
      'once.yaml': notebook('  - { name: h, cron: "0 * * * *", missed: once }\n').replace('title: Tick', 'id: tick-once\ntitle: Tick'),
      'skip.yaml': notebook('  - { name: h, cron: "0 * * * *", missed: skip }\n').replace('title: Tick', 'id: tick-skip\ntitle: Tick'),
    });
    const h = new Harness(dir);
    await h.scheduler.stop('down', 0);
    h.now = Date.parse('2026-03-01T05:10:00Z'); // down from 00:00:30 to 05:10: ticks 01:00 … 05:00 missed
    h.boot();
    await h.at(h.now);
    expect(h.runs('tick-all').map((r) => r.trigger.scheduled_for)).toEqual(['01', '02', '03', '04', '05'].map((x) => `2026-03-01T${x}:00:00.000Z`));
    expect(h.runs('tick-once').map((r) => r.trigger.scheduled_for)).toEqual(['2026-03-01T05:00:00.000Z']);
    expect(h.runs('tick-skip')).toEqual([]);
    const missed = h.events('ticks-missed');
    expect(missed).toHaveLength(3);
    expect(missed.find((l) => l.includes('skip.yaml'))).toMatch(/count=5 from=2026-03-01T01:00:00.000Z to=2026-03-01T05:00:00.000Z missed=skip running=0/);
    // Back on time: the next tick runs under every policy.
    await h.at('2026-03-01T06:00:00.100Z');
    expect(h.runs('tick-skip').map((r) => r.trigger.scheduled_for)).toEqual(['2026-03-01T06:00:00.000Z']);
  });

  it('missed=all is capped at the newest 100 ticks, and says how many it dropped', async () => {
    const h = new Harness(project({ 'tick.yaml': notebook('  - { name: s, cron: "* * * * *", missed: all }\n') }), { missedCap: 3, concurrency: 1 });
    await h.at(T0 + 10 * 60_000);
    expect(h.runs().map((r) => r.trigger.scheduled_for)).toEqual(['2026-03-01T00:08:00.000Z', '2026-03-01T00:09:00.000Z', '2026-03-01T00:10:00.000Z']);
    expect(h.events('ticks-missed')[0]).toMatch(/count=9 .* running=3 dropped=7/);
  });

  it('a failed run is retried with backoff, then recorded as failed; the schedule goes on', async () => {
    const dir = project({ 'tick.yaml': notebook('  - { name: m, cron: "*/10 * * * *", retries: 2 }\n', 'SELECT * FROM missing_table') });
    const h = new Harness(dir, { retryBackoff: { baseMs: 60_000, maxMs: 600_000 } });
    await h.at('2026-03-01T00:10:00Z');
    const q = () => h.scheduler.state.queue[0]!;
    expect(q()).toMatchObject({ status: 'waiting', failures: 1, not_before: '2026-03-01T00:10:45.000Z' }); // 60 s × (0.5 + 0.5/2)
    await h.at('2026-03-01T00:10:44Z');
    expect(q().failures).toBe(1);
    await h.at('2026-03-01T00:10:45Z');
    expect(q()).toMatchObject({ status: 'waiting', failures: 2, not_before: '2026-03-01T00:12:15.000Z' }); // 120 s × 0.75
    await h.at('2026-03-01T00:12:15Z');
    expect(h.scheduler.state.queue).toEqual([]);
    expect(h.scheduler.state.schedules['tick.yaml#m']!.last).toMatchObject({ scheduled_for: '2026-03-01T00:10:00.000Z', status: 'failed' });
    expect(h.events('run-failed')).toHaveLength(2);
    expect(h.events('run-gave-up')[0]).toMatch(/failures=3 .*missing_table/);
    // One folder for the tick (the last attempt); the earlier attempts are kept aside.
    expect(h.runs().map((r) => [r.status, r.trigger.attempt])).toEqual([['failed', 3]]);
    expect(readdirSync(join(dir, 'runs', 'tick', '.attempts'))).toHaveLength(2);
    // The schedule goes on with its next tick.
    await h.at('2026-03-01T00:20:00Z');
    expect(h.runs().map((r) => r.trigger.scheduled_for)).toEqual(['2026-03-01T00:10:00.000Z', '2026-03-01T00:20:00.000Z']);
  });

  it('overlap: skip does not start a tick while the previous run goes on; queue runs it after', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const atGate = countdown(2);
    const slow = async (nb: string | Notebook, opts: RunOptions) => {
      const r = await runNotebook(nb, opts);
      if (r.manifest.trigger.scheduled_for === '2026-03-01T00:01:00.000Z') {
        atGate.tick();
        await gate;
      }
      return r;
    };
    const dir = project({
      'skip.yaml': notebook('  - { name: s, cron: "* * * * *", overlap: skip }\n').replace('title: Tick', 'id: tick-skip\ntitle: Tick'),
      'queue.yaml': notebook('  - { name: s, cron: "* * * * *", overlap: queue }\n').replace('title: Tick', 'id: tick-queue\ntitle: Tick'),
    });
    const h = new Harness(dir, { run: slow });
    h.now = Date.parse('2026-03-01T00:01:00.100Z');
    await h.scheduler.step();
    await atGate.done;
    h.now = Date.parse('2026-03-01T00:02:00.100Z');
    await h.scheduler.step();
    expect(h.events('overlap-skipped')).toHaveLength(1);
    expect(h.events('overlap-skipped')[0]).toMatch(/skip\.yaml#s scheduled_for=2026-03-01T00:02:00.000Z/);
    expect(h.scheduler.state.queue.filter((i) => i.key === 'queue.yaml#s').map((i) => i.status)).toEqual(['running', 'queued']);
    release();
    await h.at('2026-03-01T00:02:01Z');
    expect(h.runs('tick-skip').map((r) => r.trigger.scheduled_for)).toEqual(['2026-03-01T00:01:00.000Z']);
    expect(h.runs('tick-queue').map((r) => r.trigger.scheduled_for)).toEqual(['2026-03-01T00:01:00.000Z', '2026-03-01T00:02:00.000Z']);
  });

  it('after a crash: a finished run is adopted (not re-run), a cut-off run is re-run', async () => {
    const dir = project({
      'done.yaml': notebook('  - { name: s, cron: "* * * * *" }\n').replace('title: Tick', 'id: tick-done\ntitle: Tick'),
      'cut.yaml': notebook('  - { name: s, cron: "* * * * *" }\n').replace('title: Tick', 'id: tick-cut\ntitle: Tick'),
    });
    // The first process dies: `done` finished its run but never recorded it; `cut` was mid-run.
    const died = countdown(2);
    const dying = async (nb: string | Notebook, opts: RunOptions) => {
      if ((nb as Notebook).id === 'tick-done') await runNotebook(nb, opts);
      else {
        const started_at = new Date(opts.now!()).toISOString();
        const notebook = { id: 'tick-cut', path: 'cut.yaml', sha256: '' };
        createRunDir(opts.runsDir!, 'tick-cut', opts.runId!, {
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
        });
      }
      died.tick();
      return new Promise<never>(() => {});
    };
    const h = new Harness(dir, { run: dying });
    h.now = Date.parse('2026-03-01T00:01:00.100Z');
    await h.scheduler.step();
    await died.done;
    expect(h.scheduler.state.queue.map((i) => i.status)).toEqual(['running', 'running']);
    // Restart (the lock holder is this same process, so the new scheduler may take over).
    const h2 = new Harness(dir, {}, Date.parse('2026-03-01T00:01:05Z'));
    await h2.at('2026-03-01T00:01:05Z');
    expect(h2.events('run-adopted')).toHaveLength(1);
    expect(h2.events('run-interrupted')).toHaveLength(1);
    expect(h2.runs('tick-done').map((r) => [r.trigger.scheduled_for, r.status])).toEqual([['2026-03-01T00:01:00.000Z', 'succeeded']]);
    expect(h2.runs('tick-cut').map((r) => [r.trigger.scheduled_for, r.status, r.trigger.attempt])).toEqual([['2026-03-01T00:01:00.000Z', 'succeeded', 2]]);
    const aside = readdirSync(join(dir, 'runs', 'tick-cut', '.attempts'));
    expect(aside).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(dir, 'runs', 'tick-cut', '.attempts', aside[0]!, 'run.json'), 'utf8'))).toMatchObject({
      status: 'failed',
      error: 'interrupted: the scheduler stopped during the run',
    });
    expect(h2.events('run-started')).toHaveLength(1); // only the cut-off one ran again
    expect(h2.scheduler.state.queue).toEqual([]);
  });

  it('picks up added, changed and removed notebooks without a restart', async () => {
    const dir = project({});
    const h = new Harness(dir);
    writeFileSync(join(dir, 'tick.yaml'), notebook('  - { name: s, cron: "0 * * * *" }\n'));
    await h.at(T0 + 1000);
    expect(h.events('schedule-added')[0]).toMatch(/tick\.yaml#s cron="0 \* \* \* \*" tz=UTC next=2026-03-01T01:00:00.000Z/);
    writeFileSync(join(dir, 'tick.yaml'), `${notebook('  - { name: s, cron: "30 * * * *", timezone: Asia/Kolkata }\n')}# changed\n`);
    await h.at(T0 + 2000);
    expect(h.events('schedule-changed')[0]).toMatch(/cron="30 \* \* \* \*" tz=Asia\/Kolkata next=2026-03-01T01:00:00.000Z/); // :30 in +05:30
    writeFileSync(join(dir, 'tick.yaml'), 'title: Tick\ncells: [ { id: a, type: query, sql: SELECT 1 } ]\nschedules:\n  - { name: s, cron: "61 * * * *" }\n');
    await h.at(T0 + 3000);
    expect(h.events('schedule-invalid')[0]).toMatch(/tick\.yaml: schedule 's': invalid cron expression '61/);
    expect(h.events('schedule-paused')).toHaveLength(1);
    expect(h.scheduler.state.schedules['tick.yaml#s']).toBeDefined();
    rmSync(join(dir, 'tick.yaml'));
    await h.at(T0 + 4000);
    expect(h.events('schedule-removed')[0]).toMatch(/tick\.yaml#s/);
    expect(h.scheduler.state.schedules).toEqual({});
  });

  it('stop() takes no new work and marks a run still going after the drain time interrupted', async () => {
    const dir = project({ 'tick.yaml': notebook('  - { name: s, cron: "* * * * *" }\n', 'SELECT count(*) AS n FROM range(100000000000) t(i) WHERE hash(i) % 7 = 3') });
    const started = countdown(1);
    const h = new Harness(dir, { run: startedRun(started.tick) });
    h.now = Date.parse('2026-03-01T00:01:00.100Z');
    await h.scheduler.step();
    await started.done;
    expect(h.scheduler.running).toBe(1);
    // No drain time: the run (a query that would take hours) is aborted at once.
    await h.scheduler.stop('SIGTERM', 0);
    expect(h.scheduler.running).toBe(0);
    const [run] = h.runs();
    expect(run).toMatchObject({ status: 'failed', error: 'interrupted by SIGTERM' });
    expect(h.scheduler.state.queue[0]).toMatchObject({ status: 'queued', interruptions: 1 });
    expect(h.events('run-interrupted')).toHaveLength(1);
    expect(h.events('scheduler-stopped')).toHaveLength(1);
    const saved = JSON.parse(readFileSync(join(dir, 'runs', '.scheduler', 'state.json'), 'utf8'));
    expect(saved.queue[0]).toMatchObject({ scheduled_for: '2026-03-01T00:01:00.000Z', status: 'queued' });
    expect(existsSync(join(dir, 'runs', '.scheduler', 'lock'))).toBe(false);
  });

  it('stop() lets a run that finishes within the drain time finish, and starts nothing new', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const started = countdown(1);
    const held = async (nb: string | Notebook, opts: RunOptions) => {
      const r = await startedRun(started.tick)(nb, opts);
      await gate;
      return r;
    };
    const h = new Harness(project({ 'tick.yaml': notebook('  - { name: s, cron: "* * * * *" }\n') }), { run: held });
    h.now = Date.parse('2026-03-01T00:01:00.100Z');
    await h.scheduler.step();
    await started.done;
    // The drain time is far longer than the test may take: the run ends because it finishes.
    const stopped = h.scheduler.stop('SIGTERM', 3_600_000);
    h.now = Date.parse('2026-03-01T00:02:00.100Z');
    await h.scheduler.step();
    release();
    await stopped;
    expect(h.runs().map((r) => [r.trigger.scheduled_for, r.status])).toEqual([['2026-03-01T00:01:00.000Z', 'succeeded']]);
    expect(h.events('run-interrupted')).toHaveLength(0);
    expect(h.events('run-started')).toHaveLength(1);
    expect(h.scheduler.state.schedules['tick.yaml#s']!.last).toMatchObject({ scheduled_for: '2026-03-01T00:01:00.000Z', status: 'succeeded' });
    expect(existsSync(join(h.dir, 'runs', '.scheduler', 'lock'))).toBe(false);
  });
});

describe('scheduler with a stalled stretch and its wake-up loop (fake clock)', () => {
  it('10 s without a step on a 1-s schedule: counts follow `missed`, and the miss is logged', async () => {
    const mk = (id: string, missed: string) =>
      notebook(`  - { name: s, cron: "* * * * * *", missed: ${missed}, overlap: queue }\n`)
        .replace('title: Tick', `id: ${id}\ntitle: Tick`)
        .replace('params:\n  day: { type: date, default: today }\n', '');
    const h = new Harness(project({ 'all.yaml': mk('b-all', 'all'), 'once.yaml': mk('b-once', 'once'), 'skip.yaml': mk('b-skip', 'skip') }), { concurrency: 6 });
    for (let t = 1; t <= 2; t++) await h.at(T0 + t * 1000);
    // The event loop is blocked from here: nothing steps until the clock has moved 10.5 s on.
    const blockStart = h.now;
    await h.at(blockStart + 10_500);
    const blockEnd = h.now;
    for (let t = 1; t <= 4; t++) await h.at(blockEnd + t * 1000);
    const ticks = (id: string) => h.runs(id).map((m) => Date.parse(m.trigger.scheduled_for!));
    // Ticks that came due while blocked, except the newest (which is on time when the loop wakes).
    const inside = (ts: number[]) => ts.filter((t) => t > blockStart + 1000 && t < blockEnd - 1000).length;
    const all = ticks('b-all');
    expect(inside(all)).toBeGreaterThanOrEqual(7);
    expect(new Set(all).size).toBe(all.length);
    const sorted = [...all].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBe(1000); // none lost
    expect(sorted).toHaveLength(16);
    expect(inside(ticks('b-once'))).toBe(0);
    expect(inside(ticks('b-skip'))).toBe(0);
    expect(ticks('b-once').length).toBeLessThan(all.length - 6);
    const missed = h.events('ticks-missed');
    for (const id of ['all', 'once', 'skip']) expect(missed.some((l) => l.includes(`${id}.yaml#s`) && /count=(9|1\d)/.test(l))).toBe(true);
  });

  it('loop() sleeps until kicked, steps at the clock it is given, and ends on stop()', async () => {
    const dir = project({});
    const h = new Harness(dir, { rescanMs: 1000 });
    const loop = h.scheduler.loop();
    writeFileSync(join(dir, 'tick.yaml'), notebook('  - { name: s, cron: "0 * * * *" }\n'));
    h.now = T0 + 5000;
    h.scheduler.kick();
    await h.logged('schedule-added');
    expect(h.runs()).toHaveLength(0);
    h.now = Date.parse('2026-03-01T01:00:00.100Z');
    h.scheduler.kick();
    await h.logged('run-succeeded');
    await h.scheduler.stop('test', 0);
    await loop;
    expect(h.runs().map((r) => [r.trigger.scheduled_for, r.status])).toEqual([['2026-03-01T01:00:00.000Z', 'succeeded']]);
    expect(h.scheduler.state.schedules['tick.yaml#s']!.next_due).toBe('2026-03-01T02:00:00.000Z');
  });
});
