import { afterAll, describe, expect, it } from 'vitest';
import { createHook } from 'node:async_hooks';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineState, loadNotebook, processState, runNotebook, UserError } from '../../engine/index.js';
import { DUCK_POOL } from '../../engine/duck/duck-pool.js';
import { runSweep } from '../../engine/exec/sweep.js';
import { Scheduler } from '../../engine/schedule/scheduler.js';
import type { RunOptions } from '../../engine/exec/run.js';
import type { Notebook } from '../../engine/notebook/load.js';
import { fixtureProject } from '../helpers/cli.js';

/** Handles and timers that keep (or could keep) a process busy, whether or not they are unref'd. */
const HANDLES = new Set(['Timeout', 'WORKER', 'MESSAGEPORT', 'FILEHANDLE', 'TCPWRAP', 'PIPEWRAP', 'PROCESSWRAP', 'FSEVENTWRAP', 'STATWATCHER', 'SIGNALWRAP', 'TTYWRAP', 'UDPWRAP']);

/** Records the handles made from now on; `left()` lists those not yet destroyed. */
function watchHandles() {
  const open = new Map<number, string>();
  const hook = createHook({
    init: (id, type) => void (HANDLES.has(type) && open.set(id, type)),
    destroy: (id) => void open.delete(id),
  }).enable();
  return {
    async left(): Promise<string[]> {
      // destroy hooks are emitted asynchronously: let a few turns of the event loop pass
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      hook.disable();
      return [...open.values()];
    },
  };
}

const countTypes = (types: string[]) => {
  const n: Record<string, number> = {};
  for (const t of types) n[t] = (n[t] ?? 0) + 1;
  return n;
};

const states: EngineState[] = [];
function newState(): EngineState {
  const state = new EngineState();
  states.push(state);
  return state;
}
afterAll(() => Promise.all(states.map((s) => s.close())));

describe('two engine states in one process share nothing', () => {
  it('a DuckDB instance kept by one is never handed to the other', async () => {
    const dir = fixtureProject('engine-state');
    const [a, b] = [newState(), newState()];
    await runNotebook(join(dir, 'queries.yaml'), { cache: 'off', state: a });
    await a.get(DUCK_POOL).settled();
    expect(a.get(DUCK_POOL).size).toBe(1);
    const run = await runNotebook(join(dir, 'queries.yaml'), { cache: 'off', state: b });
    expect(run.manifest.status).toBe('succeeded');
    await b.get(DUCK_POOL).settled();
    expect(a.get(DUCK_POOL).size).toBe(1); // b started its own
    expect(b.get(DUCK_POOL).size).toBe(1);
    expect(a.get(DUCK_POOL).take()).not.toBe(b.get(DUCK_POOL).take());
  });

  it('a notebook parsed by one is not served to the other', () => {
    const dir = fixtureProject('engine-state');
    const [a, b] = [newState(), newState()];
    const first = loadNotebook(join(dir, 'queries.yaml'), { state: a });
    expect(loadNotebook(join(dir, 'queries.yaml'), { state: a }).source).toBe(first.source);
    expect(loadNotebook(join(dir, 'queries.yaml'), { state: b }).source).not.toBe(first.source);
    expect(loadNotebook(join(dir, 'queries.yaml')).source).not.toBe(first.source); // nor to the process's own
  });
});

describe('closing an engine state', () => {
  it('leaves no timer or handle of a run, and closes the DuckDB instances it kept', async () => {
    const dir = fixtureProject('engine-state');
    const before = process.getActiveResourcesInfo();
    const handles = watchHandles();
    const state = new EngineState();
    const run = await runNotebook(join(dir, 'queries.yaml'), { cache: 'off', state });
    expect(run.manifest.status).toBe('succeeded');
    const pool = state.get(DUCK_POOL);
    await state.close(); // while the instance is still being emptied in the background
    await pool.settled();
    expect(pool.size).toBe(0);
    expect(pool.take()).toBeUndefined();
    expect(await handles.left()).toEqual([]);
    // Timers come and go with vitest's own work; the hook above accounts for every timer of the run.
    const handlesOnly = (types: string[]) => countTypes(types.filter((t) => t !== 'Timeout'));
    expect(handlesOnly(process.getActiveResourcesInfo())).toEqual(handlesOnly(before));
  });

  // The code cell's idle worker, buffer pool and scratch-file timers still live in cells/code/ module
  // state until the sandbox work moves them into EngineState keys: then this passes; make it `it`.
  it('leaves no timer or handle of a code cell (a run, and a sweep that made its own state)', async () => {
    const dir = fixtureProject('engine-state');
    // A code cell's run machinery loads on its first run (cells/code/run.ts): loaded before watching, so the
    // module loader's file handles (destroyed only once collected) are not counted as the engine's.
    await import('../../cells/code/run.js');
    const handles = watchHandles();
    const state = new EngineState();
    const run = await runNotebook(join(dir, 'code.yaml'), { cache: 'off', state });
    expect(run.manifest.status).toBe('succeeded');
    await state.close();
    const nb = loadNotebook(join(dir, 'code.yaml'));
    const { summary } = await runSweep(nb, { axes: [{ name: 'factor', values: ['2', '3'] }], base: {}, concurrency: 2, run: { cache: 'off' } });
    expect(summary.status).toBe('succeeded');
    expect(await handles.left()).toEqual([]);
  });

  it('refuses use afterwards with a clear error', async () => {
    const dir = fixtureProject('engine-state');
    const state = new EngineState();
    const nb = loadNotebook(join(dir, 'queries.yaml'), { state });
    await state.close();
    expect(state.isClosed).toBe(true);
    const refused = (await runNotebook(nb, { state }).catch((e: unknown) => e)) as UserError;
    expect(refused).toBeInstanceOf(UserError);
    expect(refused.code).toBe('E_ENGINE_CLOSED');
    expect(refused.message).toMatch(/closed.*DuckDB instance pool/);
    expect(refused.hint).toMatch(/new EngineState/);
    expect(() => loadNotebook(join(dir, 'queries.yaml'), { state })).toThrow(/engine state is closed/);
    expect(processState().isClosed).toBe(false); // the process's own is another state
  });
});

describe('long-lived processes own a state and close it when they stop', () => {
  it('the scheduler runs every tick in its own state and closes it on stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-engine-state-'));
    writeFileSync(join(dir, 'quire.yaml'), 'timezone: UTC\n');
    writeFileSync(join(dir, 'tick.yaml'), 'title: Tick\ncells:\n  - id: a\n    type: query\n    sql: SELECT 1 AS x\nschedules:\n  - { name: every-minute, cron: "* * * * *" }\n');
    let now = Date.parse('2026-03-01T00:00:30Z');
    const seen: (EngineState | undefined)[] = [];
    const scheduler = new Scheduler({
      root: dir,
      runsDir: join(dir, 'runs'),
      projectTimezone: 'UTC',
      clock: () => now,
      rescanMs: 0,
      random: () => 0.5,
      run: (nb: string | Notebook, opts: RunOptions) => {
        seen.push(opts.state);
        return runNotebook(nb, opts);
      },
    });
    scheduler.start();
    for (const t of ['2026-03-01T00:01:00.100Z', '2026-03-01T00:02:00.100Z']) {
      now = Date.parse(t);
      await scheduler.step();
      await scheduler.settle();
    }
    expect(seen).toHaveLength(2);
    const [state] = seen;
    expect(state).toBeInstanceOf(EngineState);
    expect(seen[1]).toBe(state);
    expect(state).not.toBe(processState());
    const pool = state!.get(DUCK_POOL);
    await pool.settled();
    expect(pool.size).toBe(1); // the second tick reused the first one's instance; one kept
    await scheduler.stop('test', 0);
    expect(state!.isClosed).toBe(true);
    expect(pool.size).toBe(0);
  });

  it('a scheduler leaves open a state it was given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-engine-state-'));
    writeFileSync(join(dir, 'quire.yaml'), 'timezone: UTC\n');
    const given = newState();
    const scheduler = new Scheduler({ root: dir, runsDir: join(dir, 'runs'), projectTimezone: 'UTC', clock: () => 0, engine: given });
    scheduler.start();
    await scheduler.stop('test', 0);
    expect(given.isClosed).toBe(false);
  });

  it('a sweep leaves open a state it was given', async () => {
    const dir = fixtureProject('engine-state');
    const given = newState();
    const nb = loadNotebook(join(dir, 'regions.yaml'), { state: given });
    const axes = [{ name: 'region', values: ['EU', 'NA'] }];
    const { summary } = await runSweep(nb, { axes, base: {}, concurrency: 1, run: { cache: 'off', state: given } });
    expect(summary.status).toBe('succeeded');
    expect(given.isClosed).toBe(false);
    expect(given.get(DUCK_POOL)).toBeDefined();
  });
});
