/** The server's project-database lock: reads share it, a write waits for them and goes before later reads. */
import { describe, expect, it } from 'vitest';
import { ReadWriteLock } from '../../engine/server/services/database-lock.js';

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
