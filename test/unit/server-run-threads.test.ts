/** `quire serve --run-threads`: the DuckDB threads of the runs the server starts (default: the cores but one). */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { createServerContext, defaultRunThreads } from '../../engine/server/context.js';
import { catalogProject } from '../helpers/catalog-project.js';

const p = catalogProject({ database: false });
// One row per DuckDB thread of the run's session: run.json counts the rows.
writeFileSync(join(p.dir, 'notebooks', 'threads.yaml'), "id: threads\ntitle: Threads\ncells:\n  - id: t\n    type: query\n    sql: SELECT * FROM range(current_setting('threads')::BIGINT)\n");
afterAll(() => p.close());

async function threadsOfRun(runThreads?: number): Promise<number | null> {
  const ctx = createServerContext(p.dir, { localUser: 'tester', runThreads, runOptions: { cache: 'off' } });
  try {
    const run = await ctx.runs.submit({ nb: ctx.notebooks.loaded('threads'), params: {}, startedBy: 'tester' });
    await run.done;
    expect(run.status).toBe('succeeded');
    return run.manifest!.cells[0]!.rows;
  } finally {
    await ctx.close();
  }
}

describe('DuckDB threads of the server runs', () => {
  it('runs on --run-threads, by default the cores but one (at least one)', async () => {
    expect(defaultRunThreads()).toBe(Math.max(1, availableParallelism() - 1));
    expect(await threadsOfRun(3)).toBe(3);
    expect(await threadsOfRun(1)).toBe(1);
    expect(await threadsOfRun()).toBe(defaultRunThreads());
  });
});
