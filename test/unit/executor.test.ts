import { afterEach, describe, expect, it } from 'vitest';
import { executeDag, type CellResult, type ExecEvent } from '../../engine/exec/executor.js';
import { buildDag } from '../../engine/plan/graph.js';
import { DuckSession } from '../../engine/duck/duck.js';
import { YamlSource } from '../../engine/source/source.js';
import { EngineState } from '../../engine/util/state.js';
import { loadProject } from '../../engine/project.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../engine/util/errors.js';
import type { BaseCell, CellType, RunContext } from '../../engine/cell-type.js';
import type { Notebook } from '../../engine/notebook/load.js';
import type { Logger } from '../../engine/util/log.js';

/**
 * A cell type whose runs the test finishes: each run waits until the test releases its cell
 * (with a value or an error), so order and overlap are decided by the test, not by timing.
 */
class Probe {
  readonly events: ExecEvent[] = [];
  private readonly listeners = new Set<() => void>();
  readonly contexts = new Map<string, RunContext>();
  running = 0;
  maxRunning = 0;
  private readonly gates = new Map<string, { started: Promise<void>; start: () => void; done: Promise<unknown>; finish: (r: { value?: unknown; error?: Error }) => void }>();

  private gate(id: string) {
    let g = this.gates.get(id);
    if (!g) {
      let start!: () => void;
      let finish!: (r: { value?: unknown; error?: Error }) => void;
      const started = new Promise<void>((r) => (start = r));
      const done = new Promise<{ value?: unknown; error?: Error }>((r) => (finish = r)).then((r) => {
        if (r.error) throw r.error;
        return r.value;
      });
      done.catch(() => {});
      g = { started, start, done, finish };
      this.gates.set(id, g);
    }
    return g;
  }

  readonly type: CellType<BaseCell> = {
    type: 'probe',
    description: 'a cell the test finishes',
    schema: undefined as never,
    outputKind: 'value',
    analyze: async () => ({}) as never,
    run: async (spec, ctx) => {
      this.contexts.set(spec.id, ctx);
      this.running++;
      this.maxRunning = Math.max(this.maxRunning, this.running);
      const g = this.gate(spec.id);
      g.start();
      try {
        const aborted = new Promise<never>((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
        const value = await Promise.race([g.done, aborted]);
        return { kind: 'value', value };
      } finally {
        this.running--;
      }
    },
  };

  started(id: string): Promise<void> {
    return this.gate(id).started;
  }
  succeed(id: string, value: unknown = id): void {
    this.gate(id).finish({ value });
  }
  fail(id: string, message = `${id} broke`): void {
    this.gate(id).finish({ error: new UserError('E_PROBE', message) });
  }
  onEvent(e: ExecEvent): void {
    this.events.push(e);
    for (const l of [...this.listeners]) l();
  }
  /** Resolves once the executor has recorded the end of cell `id`. */
  ended(id: string): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!this.events.some((e) => e.kind === 'end' && e.id === id)) return;
        this.listeners.delete(check);
        resolve();
      };
      this.listeners.add(check);
      check();
    });
  }
  startedIds(): string[] {
    return this.events.filter((e) => e.kind === 'start').map((e) => e.id);
  }
}

/** One turn of the event loop: every promise reaction queued so far has run (no time passes). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

let session: DuckSession | undefined;
afterEach(() => {
  session?.close();
  session = undefined;
});

/** Runs cells `{ id, needs, on_error }` of the probe type through executeDag on a real DuckDB session. */
async function execute(probe: Probe, cells: { id: string; needs?: string[]; on_error?: 'stop' | 'continue' }[], opts: { concurrency?: number; signal?: AbortSignal; clock?: () => number } = {}) {
  const text = `cells:\n${cells.map((c) => `  - { id: ${c.id}, type: probe${c.on_error ? `, on_error: ${c.on_error}` : ''} }\n`).join('')}`;
  const { source } = YamlSource.parse('nb.yaml', text);
  const { dag, errors } = buildDag(
    cells.map((c, i) => ({ id: c.id, path: ['cells', i], dependsOn: c.needs ?? [], references: [] })),
    source,
  );
  expect(errors).toEqual([]);
  const nb = {
    id: 'nb',
    source,
    project: loadProject(mkdtempSync(join(tmpdir(), 'quire-executor-'))),
    top: {},
    cells: cells.map((c, i) => ({ spec: { id: c.id, type: 'probe', on_error: c.on_error }, cellType: probe.type, path: ['cells', i] })),
  } as unknown as Notebook;
  session = await DuckSession.open({ database: ':memory:' });
  const lines: string[] = [];
  const logger: Logger = { log: (level, m) => lines.push(`${level} ${m}`) };
  const results = executeDag({
    nb,
    dag,
    session,
    params: { values: {}, types: {} } as never,
    titles: new Map(),
    logger,
    signal: opts.signal ?? new AbortController().signal,
    concurrency: opts.concurrency ?? 4,
    onEvent: (e) => probe.onEvent(e),
    clock: opts.clock,
    state: new EngineState(),
  });
  return { results, lines };
}

const summary = (results: Map<string, CellResult>) =>
  Object.fromEntries(
    [...results.values()].map(({ record: r }) => [r.id, r.status === 'skipped' ? `skipped: ${r.skipped_reason}` : r.status === 'failed' ? `failed: ${r.error?.code} ${r.error?.message}` : r.status]),
  );

describe('executeDag', () => {
  it('starts a cell once all its upstream cells succeeded, independent ones together, and hands it their outputs', async () => {
    const probe = new Probe();
    const { results } = await execute(probe, [{ id: 'a' }, { id: 'b' }, { id: 'c', needs: ['a', 'b'] }, { id: 'd', needs: ['c'] }]);
    await Promise.all([probe.started('a'), probe.started('b')]);
    expect(probe.startedIds()).toEqual(['a', 'b']);
    probe.succeed('a', 1);
    await probe.ended('a');
    await turn(); // the executor has looked for cells to start again
    expect(probe.startedIds()).toEqual(['a', 'b']); // c still waits for b
    probe.succeed('b', 2);
    await probe.started('c');
    expect([...probe.contexts.get('c')!.upstream.values()].map((u) => [u.id, u.output])).toEqual([
      ['a', { kind: 'value', value: 1 }],
      ['b', { kind: 'value', value: 2 }],
    ]);
    probe.succeed('c');
    await probe.started('d');
    probe.succeed('d');
    const out = await results;
    expect(probe.startedIds()).toEqual(['a', 'b', 'c', 'd']);
    expect(summary(out)).toEqual({ a: 'succeeded', b: 'succeeded', c: 'succeeded', d: 'succeeded' });
    expect(out.get('c')!.output).toEqual({ kind: 'value', value: 'c' });
    // each cell had a connection of its own while it ran
    expect(probe.contexts.get('a')!.conn).not.toBe(probe.contexts.get('b')!.conn);
  });

  it('runs at most `concurrency` cells at once, in declaration order', async () => {
    const probe = new Probe();
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const { results } = await execute(
      probe,
      ids.map((id) => ({ id })),
      { concurrency: 2 },
    );
    for (const id of ids) {
      await probe.started(id);
      expect(probe.running).toBeLessThanOrEqual(2);
      probe.succeed(id);
    }
    const out = await results;
    expect(probe.maxRunning).toBe(2);
    expect(probe.startedIds()).toEqual(ids);
    expect(Object.values(summary(out))).toEqual(ids.map(() => 'succeeded'));
  });

  it('on_error: stop lets running cells finish and skips everything not started', async () => {
    const probe = new Probe();
    const { results, lines } = await execute(probe, [{ id: 'a' }, { id: 'b' }, { id: 'after_a', needs: ['a'] }, { id: 'later', needs: ['b'] }, { id: 'free' }], { concurrency: 2 });
    await Promise.all([probe.started('a'), probe.started('b')]);
    probe.fail('a');
    probe.succeed('b');
    const out = await results;
    expect(summary(out)).toEqual({
      a: 'failed: E_PROBE a broke',
      b: 'succeeded',
      after_a: 'skipped: not run: cell a failed',
      later: 'skipped: not run: cell a failed',
      free: 'skipped: not run: cell a failed',
    });
    expect(probe.startedIds()).toEqual(['a', 'b']);
    expect(lines).toContain('info cell free skipped: not run: cell a failed');
  });

  it("on_error: continue skips only the failed cell's downstream cells, with the reason passed along", async () => {
    const probe = new Probe();
    const { results } = await execute(probe, [{ id: 'a', on_error: 'continue' }, { id: 'down', needs: ['a'] }, { id: 'further', needs: ['down'] }, { id: 'free' }]);
    await Promise.all([probe.started('a'), probe.started('free')]);
    probe.fail('a');
    probe.succeed('free');
    const out = await results;
    expect(summary(out)).toEqual({ a: 'failed: E_PROBE a broke', down: 'skipped: upstream cell a failed', further: 'skipped: upstream cell down skipped', free: 'succeeded' });
  });

  it('an abort interrupts running cells and skips the rest, saying why', async () => {
    const probe = new Probe();
    const abort = new AbortController();
    const { results } = await execute(probe, [{ id: 'a' }, { id: 'b', needs: ['a'] }, { id: 'c' }], { concurrency: 1, signal: abort.signal });
    await probe.started('a');
    abort.abort('SIGTERM');
    const out = await results;
    expect(summary(out)).toEqual({
      a: 'failed: E_INTERRUPTED cell a interrupted: run interrupted (SIGTERM)',
      b: 'skipped: not run: run interrupted (SIGTERM)',
      c: 'skipped: not run: run interrupted (SIGTERM)',
    });
  });

  it('times cells with the clock it is given', async () => {
    const probe = new Probe();
    let now = 1000;
    const { results } = await execute(probe, [{ id: 'a' }], { clock: () => now });
    await probe.started('a');
    now += 250;
    probe.succeed('a');
    expect((await results).get('a')!.record.duration_ms).toBe(250);
  });
});
