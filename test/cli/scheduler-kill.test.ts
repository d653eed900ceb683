// A real scheduler process on a 1-second schedule, SIGKILLed at random points 20 times and
// restarted: every scheduled time gets exactly one run, none is lost (missed: all), none doubled.
// Kill points are chosen by what the process has logged, not by sleeping.
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/paths.js';

/** A run that started on time (under a second late): a tick that came due while the process was up. */
const ON_TIME = /run-started .*scheduled_for=(\S+) .*late_ms=\d{1,3}$/;

interface Started {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<number | null>;
  /** Resolves with the first line this process logs from now on that passes `match`. */
  line: (match: (l: string) => boolean) => Promise<string>;
}

function startScheduler(dir: string, log: string[]): Started {
  const child = spawn(process.execPath, [BIN, 'scheduler', '.', '--rescan', '1', '--drain', '5', '--retry-backoff', '0.2'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  let buffer = '';
  const waiters = new Set<(l: string) => void>();
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  const onData = (d: Buffer) => {
    buffer += d;
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const l of lines) {
      log.push(l);
      if (l.includes('scheduler-started')) resolveReady();
      for (const w of [...waiters]) w(l);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const line = (match: (l: string) => boolean) =>
    new Promise<string>((resolve) => {
      const w = (l: string) => {
        if (!match(l)) return;
        waiters.delete(w);
        resolve(l);
      };
      waiters.add(w);
    });
  return { child, ready, exited, line };
}

describe('scheduler process killed at random points', () => {
  it('20 SIGKILLs and restarts: every scheduled time has exactly one run, none lost, no duplicates', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-kill-'));
    writeFileSync(join(dir, 'quire.yaml'), 'timezone: UTC\n');
    writeFileSync(
      join(dir, 'tick.yaml'),
      'title: Tick\ncells:\n  - id: a\n    type: query\n    sql: SELECT 42 AS answer\nschedules:\n  - { name: every-second, cron: "* * * * * *", missed: all, overlap: queue }\n',
    );
    const log: string[] = [];
    // A seeded generator: the kill points vary across the range but the test is repeatable.
    let seed = 20261121;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let lastTick = '';
    for (let i = 0; i < 20; i++) {
      const p = startScheduler(dir, log);
      // Killed once a tick newer than the last kill's came due while it was up (so every cycle
      // moves the schedule on), either mid-run (at the run's start) or between runs (right after
      // it succeeded). A cut-off run taken up again at once also starts under a second late: not new.
      const midRun = random() < 0.5;
      let tick: string | null = null;
      const killPoint = p.line((l) => {
        if (tick === null) {
          const at = ON_TIME.exec(l)?.[1];
          if (at && at > lastTick) tick = lastTick = at;
        } else if (l.includes('run-succeeded') && l.includes(`scheduled_for=${tick} `)) return true;
        return tick !== null && midRun;
      });
      await p.ready;
      await killPoint;
      p.child.kill('SIGKILL');
      await p.exited;
    }
    // A last start runs until the backlog is worked off, then stops cleanly on SIGTERM.
    const last = startScheduler(dir, log);
    // It has caught up when a run starts on time (runs of one schedule go one at a time).
    const onTime = last.line((l) => (ON_TIME.exec(l)?.[1] ?? '') > lastTick);
    await last.ready;
    await onTime;
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);

    const state = JSON.parse(readFileSync(join(dir, 'runs', '.scheduler', 'state.json'), 'utf8'));
    const schedule = state.schedules['tick.yaml#every-second'];
    const first = Date.parse(log.find((l) => l.includes('schedule-added'))!.match(/next=(\S+)/)![1]!);
    const lastTaken = Date.parse(schedule.next_due) - 1000;
    const base = join(dir, 'runs', 'tick');
    const runs = readdirSync(base)
      .filter((d) => !d.startsWith('.'))
      .map((d) => JSON.parse(readFileSync(join(base, d, 'run.json'), 'utf8')));
    const times = runs.map((m) => Date.parse(m.trigger.scheduled_for)).sort((a, b) => a - b);
    const expected: number[] = [];
    for (let t = first; t <= lastTaken; t += 1000) expected.push(t);
    // Runs still queued at the last stop are in state and will run at the next start; none may be missing otherwise.
    const queued = state.queue.map((q: { scheduled_for: string }) => Date.parse(q.scheduled_for));
    expect(new Set(times).size).toBe(times.length); // no duplicates
    expect([...times, ...queued].sort((a, b) => a - b)).toEqual(expected); // none lost
    expect(expected.length).toBeGreaterThan(20);
    for (const m of runs) expect(m.status).toBe('succeeded');
    // Kills that cut a run short left an attempt aside, never a second run of that tick.
    const aside = existsSync(join(base, '.attempts')) ? readdirSync(join(base, '.attempts')).length : 0;
    expect(aside).toBe(log.filter((l) => l.includes('run-interrupted')).length);
    expect(log.filter((l) => l.includes('scheduler-started'))).toHaveLength(21);
  });
});
