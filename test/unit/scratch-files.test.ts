import { describe, expect, it } from 'vitest';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SCRATCH_FILES, SCRATCH_DIRS } from '../../cells/code/scratch-files.js';
import { EngineState } from '../../engine/util/state.js';

describe('scratch files for handing tables to DuckDB', () => {
  it('removes files of processes that no longer run, reuses its own, and removes broken ones', async () => {
    const dir = SCRATCH_DIRS[0];
    const state = new EngineState();
    const files = state.get(SCRATCH_FILES);
    const takeScratch = (d: string) => files.take(d);
    const releaseScratch = (d: string, f: string, broken?: boolean) => files.release(d, f, broken);
    // pid 2^22 + 1 is above Linux's pid_max default range: no such process
    const stale = join(dir, `quire-${2 ** 22 + 1}-${randomUUID()}.parquet`);
    const other = join(dir, `quire-${process.pid}-${randomUUID()}.parquet`); // this process's: kept
    writeFileSync(stale, 'x');
    writeFileSync(other, 'x');
    const first = takeScratch(dir);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(other)).toBe(true);
    expect(first).toMatch(new RegExp(`quire-${process.pid}-`));
    writeFileSync(first, 'table');
    releaseScratch(dir, first);
    expect(takeScratch(dir)).toBe(first); // written over in place next time
    releaseScratch(dir, first, true);
    expect(existsSync(first)).toBe(false);
    const second = takeScratch(dir);
    expect(second).not.toBe(first);
    writeFileSync(second, 'table');
    releaseScratch(dir, second);
    rmSync(other);
    await state.close(); // closing the state removes its files and stops its timer
    expect(existsSync(second)).toBe(false);
  });
});
