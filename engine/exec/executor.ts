import type { DuckDBConnection } from '@duckdb/node-api';
import type { DuckSession, BoundParams } from '../duck/duck.js';
import type { Dag } from '../plan/graph.js';
import type { Notebook, NotebookCell } from '../notebook/load.js';
import type { UpstreamResult } from '../cell-type.js';
import type { Logger } from '../util/log.js';
import type { EngineState } from '../util/state.js';
import { checkExpectations } from './expect.js';
import { QuireError, UserError } from '../util/errors.js';
import { tableOf, type CellOutput } from '../outputs.js';
import type { CellRecord } from '../runs/runs.js';
import type { CellCache } from '../cache/index.js';
import { checkOutputKind } from './output-kind.js';
import { cellDeadline } from './cell-deadline.js';
import { RunConnections } from '../connections/run-connections.js';
import { checkOutputSize } from './output-size.js';
import { countOf } from '../report/html/numbers.js';
import { RunSources } from '../file-sources/index.js';
import { notebookSources, sourceDirectories } from '../notebook/sources.js';

export interface CellResult {
  record: CellRecord;
  output: CellOutput | null;
}

export type ExecEvent = { kind: 'start'; id: string } | { kind: 'end'; id: string; record: CellRecord };

export interface ExecuteOptions {
  nb: Notebook;
  dag: Dag;
  session: DuckSession;
  /** The connections cells' SQL runs on (default: the project's, opened here). */
  connections?: RunConnections;
  params: BoundParams;
  titles: Map<string, string | null>;
  logger: Logger;
  signal: AbortSignal;
  /** Cells running at once, each on its own DuckDB connection. */
  concurrency: number;
  onEvent?: (e: ExecEvent) => void;
  clock?: () => number;
  /** Serves unchanged cells from the cell cache and stores fresh results (engine/cache). */
  cache?: CellCache;
  /**
   * Called when a cell succeeded, after its cache entry is stored (the run folder saves its
   * table), while downstream cells may already run; `conn` is the cell's connection, absent when
   * the cache served it. Awaited before executeDag returns.
   */
  keep?: (id: string, output: CellOutput, conn?: DuckDBConnection) => Promise<void>;
  /** The engine state cells keep pools and caches in. */
  state: EngineState;
}

function errorRecord(err: unknown): CellRecord['error'] {
  const e = err instanceof QuireError ? err : new QuireError('E_INTERNAL', (err as Error)?.message ?? String(err), { kind: 'unexpected' });
  const loc = e.location;
  return {
    code: e.code,
    message: e.message,
    location: loc ? `${loc.file}:${loc.line}:${loc.col}` : null,
    snippet: loc?.snippet ?? null,
    hint: e.hint ?? null,
  };
}

/**
 * Runs the DAG: a cell starts when its upstream cells succeeded, up to `concurrency` at a time.
 * A failed `on_error: stop` cell (or an abort) stops new starts; with `continue`, only its
 * downstream cells are skipped.
 */
export async function executeDag(opts: ExecuteOptions): Promise<Map<string, CellResult>> {
  const { nb, dag, session, logger, signal } = opts;
  const clock = opts.clock ?? (() => performance.now());
  const connections = opts.connections ?? new RunConnections(nb.project);
  const cells = new Map(nb.cells.map((c) => [c.spec.id, c]));
  const sources = new RunSources(notebookSources(nb), sourceDirectories(nb.project), (name, rows, ms) => logger.log('info', `source ${name} loaded: ${countOf(rows, 'row')} in ${Math.round(ms)} ms`));
  const results = new Map<string, CellResult>();
  const running = new Map<string, Promise<void>>();
  let stopReason: string | null = null;
  let interrupter: NodeJS.Timeout | undefined;
  const onAbort = () => {
    stopReason ??= `run interrupted (${String(signal.reason ?? 'abort')})`;
    session.interruptAll();
    // A query that was about to start when the signal came would miss one interrupt: repeat.
    interrupter = setInterval(() => session.interruptAll(), 50);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();

  const finish = (cell: NotebookCell, record: Omit<CellRecord, 'id' | 'type' | 'title' | 'cache_hit'> & { cache_hit?: boolean }, output: CellOutput | null) => {
    const full: CellRecord = { id: cell.spec.id, type: cell.spec.type, title: opts.titles.get(cell.spec.id) ?? null, cache_hit: false, ...record };
    results.set(cell.spec.id, { record: full, output });
    opts.onEvent?.({ kind: 'end', id: cell.spec.id, record: full });
    const line =
      full.status === 'failed'
        ? `${full.error?.message}${full.error?.location ? ` (${full.error.location})` : ''}`
        : full.status === 'skipped'
          ? `cell ${full.id} skipped: ${full.skipped_reason}`
          : `cell ${full.id} ${full.cache_hit ? 'restored from the cache' : 'succeeded'} in ${full.duration_ms} ms${full.rows === null ? '' : `, ${countOf(full.rows, 'row')}`}`;
    logger.log(full.status === 'failed' ? 'error' : 'info', line);
  };

  const persisting: Promise<void>[] = [];
  const persist = async (id: string, output: CellOutput, cached: boolean, conn: DuckDBConnection | undefined) => {
    try {
      if (!cached && conn) await opts.cache?.save(id, conn, output);
      await opts.keep?.(id, output, conn);
    } catch (err) {
      logger.log('warn', `the result of cell ${id} was not kept: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      if (conn) session.release(conn);
    }
  };

  const skip = (cell: NotebookCell, reason: string) => finish(cell, { status: 'skipped', duration_ms: null, rows: null, error: null, skipped_reason: reason }, null);

  const start = (cell: NotebookCell) => {
    const id = cell.spec.id;
    opts.onEvent?.({ kind: 'start', id });
    logger.log('info', `cell ${id} started`);
    const upstream = new Map<string, UpstreamResult>();
    for (const up of dag.upstream.get(id) ?? []) upstream.set(up, { id: up, output: results.get(up)!.output! });
    const t0 = clock();
    let conn: DuckDBConnection | undefined;
    const timeoutMs = cell.cellType.timeoutMs?.(cell.spec, nb.project);
    const deadline = cellDeadline(timeoutMs, signal, () => conn?.interrupt());
    const task = (async () => {
      try {
        let output = opts.cache?.restore(id) ?? null;
        const cached = output !== null;
        if (!output) {
          conn = await session.connect();
          for (const up of upstream.keys()) await opts.cache?.materialize(up, conn);
          for (const name of dag.sources?.[id] ?? []) await sources.ensure(name, conn);
          const returned = await cell.cellType.run(cell.spec, {
            cellId: id,
            conn,
            params: opts.params,
            project: nb.project,
            definitions: nb.top.definitions ?? {},
            cellIds: dag.ids,
            source: nb.source,
            path: cell.path,
            logger,
            signal: deadline.signal,
            upstream,
            connection: (name) => connections.get(name),
            readTable: (table, limit, rowCount) => session.readTable(conn!, table, limit, rowCount),
            state: opts.state,
          });
          output = checkOutputKind(cell.cellType, id, returned);
          checkOutputSize(id, output); // refused before it is stored or rendered
        }
        const rows = tableOf(output)?.rowCount ?? null;
        const warning = checkExpectations(cell.spec, rows, { source: nb.source, path: cell.path }, logger);
        finish(cell, { status: 'succeeded', duration_ms: Math.round(clock() - t0), rows, error: null, cache_hit: cached, ...(warning ? { warnings: [warning] } : {}) }, output);
        // Its table is cached and saved while downstream cells already run; the connection stays with it until then.
        const own = conn;
        conn = undefined;
        persisting.push(persist(id, output, cached, own));
      } catch (err) {
        const error = signal.aborted
          ? errorRecord(new UserError('E_INTERRUPTED', `cell ${id} interrupted: ${stopReason}`))
          : deadline.expired()
            ? errorRecord(
                new UserError('E_TIMEOUT', `cell ${id} did not finish within its timeout of ${timeoutMs} ms`, {
                  hint: 'make the query cheaper, or raise `timeout_ms` of the cell (or `sql_timeout_ms` in quire.yaml)',
                }),
              )
            : errorRecord(err);
        finish(cell, { status: 'failed', duration_ms: Math.round(clock() - t0), rows: null, error }, null);
        if ((cell.spec.on_error ?? 'stop') === 'stop') stopReason ??= `cell ${id} failed`;
      } finally {
        deadline.clear();
        if (conn) session.release(conn);
      }
    })();
    running.set(
      id,
      task.finally(() => running.delete(id)),
    );
  };

  const pending = [...dag.ids];
  while (pending.length || running.size) {
    for (let i = 0; i < pending.length; ) {
      const cell = cells.get(pending[i])!;
      const ups = dag.upstream.get(cell.spec.id) ?? [];
      const broken = ups.find((u) => results.has(u) && results.get(u)!.record.status !== 'succeeded');
      if (stopReason) skip(cell, `not run: ${stopReason}`);
      else if (broken) skip(cell, `upstream cell ${broken} ${results.get(broken)!.record.status}`);
      else if (ups.every((u) => results.has(u)) && running.size < opts.concurrency) start(cell);
      else {
        i++;
        continue;
      }
      pending.splice(i, 1);
    }
    if (running.size) await Promise.race(running.values());
    else if (pending.length) throw new Error(`executor stalled with pending cells ${pending.join(', ')}`);
  }
  await Promise.all(persisting);
  if (!opts.connections) await connections.close();
  signal.removeEventListener('abort', onAbort);
  clearInterval(interrupter);
  return results;
}
