/** The server's project-database lock: reads share it, a write waits for them and goes before later reads; runs read, upload commits write. */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_LOCK, ReadWriteLock } from '../../engine/server/services/database-lock.js';
import { createServerContext } from '../../engine/server/context.js';
import { commitUpload, stageUpload } from '../../engine/server/services/uploads.js';
import type { ManagedRun } from '../../engine/server/runs/run-manager.js';
import type { RunEventType } from '../../engine/server/runs/events.js';
import { catalogProject } from '../helpers/catalog-project.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
}

describe('ReadWriteLock', () => {
  it('lets reads share, makes a write wait for them, and serves a waiting write before later reads', async () => {
    const lock = new ReadWriteLock();
    const log: string[] = [];
    const first = gate();
    const second = gate();
    const r1 = lock.read(async () => {
      log.push('r1 start');
      await first.opened;
      log.push('r1 end');
    });
    const r2 = lock.read(async () => {
      log.push('r2 start');
      await second.opened;
      log.push('r2 end');
    });
    const w = lock.write(async () => {
      log.push('write');
    });
    const r3 = lock.read(async () => {
      log.push('r3');
    });
    await Promise.resolve();
    expect(log).toEqual(['r1 start', 'r2 start']); // both reads in; the write and the later read wait
    first.open();
    await r1;
    expect(log).not.toContain('write');
    second.open();
    await Promise.all([r2, w, r3]);
    expect(log).toEqual(['r1 start', 'r2 start', 'r1 end', 'r2 end', 'write', 'r3']);
  });

  it('releases the lock when the work throws', async () => {
    const lock = new ReadWriteLock();
    await expect(
      lock.write(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(lock.read(async () => 'read after')).resolves.toBe('read after');
  });
});

const csv = (text: string) => new TextEncoder().encode(text);

/** Polls `ok` until true, bounded (a wait on state, not on time). */
async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; !ok(); i++) {
    if (i > 2000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const when = (run: ManagedRun, type: RunEventType, log: string[], entry: string) =>
  run.events.subscribe((e) => {
    if (e.type === type) log.push(entry);
  });

describe("the server's in-process runs and upload commits", () => {
  it('a commit waits for the runs in progress to end, and a run waits for a commit in progress', async () => {
    const p = catalogProject();
    writeFileSync(
      join(p.dir, 'notebooks', 'slow.yaml'),
      'id: slow\ntitle: Slow\ncells:\n  - id: n\n    type: query\n    sql: SELECT count(*) AS n FROM orders, range(100000000000) t(i) WHERE hash(i) % 7 = 3\n',
    );
    writeFileSync(join(p.dir, 'notebooks', 'quick.yaml'), 'id: quick\ntitle: Quick\ncells:\n  - id: n\n    type: query\n    sql: SELECT count(*) AS n FROM orders\n');
    const ctx = createServerContext(p.dir, { localUser: 'tester' });
    const lock = ctx.state.get(DATABASE_LOCK);
    try {
      const log: string[] = [];
      const first = await stageUpload(ctx, { filename: 'a.csv', data: csv('a\n1\n') });
      const slow = await ctx.runs.submit({ nb: ctx.notebooks.loaded('slow'), params: {}, startedBy: 'tester' });
      when(slow, 'finished', log, 'run ended');
      await until('the slow run to start', () => slow.events.history.some((e) => e.type === 'cell-started'));
      const commit = commitUpload(ctx, first.id, { table: 'after_run' }).then(() => log.push('commit'));
      await until('the commit to wait for the lock', () => lock.waiting === 1);
      expect(log).toEqual([]);
      await ctx.runs.cancel(slow.id, 'test over');
      await commit;
      expect(log).toEqual(['run ended', 'commit']);

      const order: string[] = [];
      const second = await stageUpload(ctx, { filename: 'b.csv', data: csv('b\n2\n') });
      let open!: () => void;
      const gate = new Promise<void>((r) => {
        open = r;
      });
      let entered!: () => void;
      const inside = new Promise<void>((r) => {
        entered = r;
      });
      const committing = commitUpload(
        ctx,
        second.id,
        { table: 'before_run' },
        {
          beforeCommit: async () => {
            entered();
            await gate;
            order.push('commit');
          },
        },
      );
      await inside;
      const quick = await ctx.runs.submit({ nb: ctx.notebooks.loaded('quick'), params: {}, startedBy: 'tester' });
      when(quick, 'started', order, 'run started');
      await until('the run to wait for the lock', () => lock.waiting === 1);
      expect(quick.events.history.map((e) => e.type)).toEqual(['queued']);
      open();
      await committing;
      await quick.done;
      expect(order).toEqual(['commit', 'run started']);
      expect(quick.status).toBe('succeeded');
    } finally {
      await ctx.close();
      await p.close();
    }
  }, 60_000);
});
