import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Scheduler } from '../../engine/schedule/scheduler.js';
import { setPaused } from '../../engine/schedule/paused.js';

describe('a schedule paused by a person (quire serve)', () => {
  it('passes over its ticks while paused (not kept for later) and runs again once resumed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-pause-'));
    writeFileSync(join(dir, 'quire.yaml'), 'timezone: UTC\n');
    writeFileSync(join(dir, 'tick.yaml'), 'title: Tick\ncells:\n  - id: a\n    type: query\n    sql: SELECT 1 AS x\nschedules:\n  - { name: every-minute, cron: "* * * * *", missed: all }\n');
    const runsDir = join(dir, 'runs');
    let now = Date.parse('2026-03-01T00:00:30Z');
    const lines: string[] = [];
    const scheduler = new Scheduler({ root: dir, runsDir, projectTimezone: 'UTC', clock: () => now, rescanMs: 0, logger: { log: (_l, m) => lines.push(m) } });
    scheduler.start();
    const at = async (iso: string) => {
      now = Date.parse(iso);
      await scheduler.step();
      await scheduler.settle();
    };
    const runs = () => (existsSync(join(runsDir, 'tick')) ? readdirSync(join(runsDir, 'tick')).filter((d) => !d.startsWith('.')) : []);

    setPaused(runsDir, 'tick.yaml#every-minute', { by: 'ana', at: '2026-03-01T00:00:40Z' });
    await at('2026-03-01T00:01:00.200Z');
    await at('2026-03-01T00:02:00.200Z');
    expect(runs()).toEqual([]);
    expect(lines.filter((l) => l.startsWith('tick-paused'))).toHaveLength(2);
    expect(scheduler.state.schedules['tick.yaml#every-minute']!.next_due).toBe('2026-03-01T00:03:00.000Z');

    setPaused(runsDir, 'tick.yaml#every-minute', null);
    await at('2026-03-01T00:03:00.200Z');
    // Only the tick after the resume: missed: all does not bring back the paused ones.
    expect(runs()).toHaveLength(1);
    expect(runs()[0]).toMatch(/^20260301-000300Z-/);
    await scheduler.stop('test', 0);
  });
});
