/** The run.json bookkeeping of a run: the manifest it starts with, its status once the cells ran, a failure. */
import { relative } from 'node:path';
import type { Notebook } from '../notebook/load.js';
import type { ResolvedParams } from '../params/index.js';
import { isTemplate, plainLiquid } from '../text/liquid.js';
import type { BaseCell } from '../cell-type.js';
import type { CellRecord, RunManifest, RunStatus } from '../runs/runs.js';
import { thisProcess } from '../runs/runs.js';

/** A title with its Liquid rendered over the params (plain titles as they are; a broken template as written). */
export function titleRenderer(params: ResolvedParams): (template: string) => string {
  let liquid: ReturnType<typeof plainLiquid> | undefined;
  return (template) => {
    if (!isTemplate(template)) return template;
    try {
      liquid ??= plainLiquid();
      return liquid.parseAndRenderSync(template, { params: params.values });
    } catch {
      return template;
    }
  };
}

/** Each cell's rendered title by cell id (null when the cell has none). */
export function cellTitles(nb: Notebook, renderTitle: (template: string) => string): Map<string, string | null> {
  return new Map(nb.cells.map((c) => [c.spec.id, c.spec.title === undefined ? null : renderTitle(c.spec.title)]));
}

/** The manifest of a run that has just started: `running`, no cells, no exports. */
export function startManifest(args: { nb: Notebook; runId: string; title: string; params: ResolvedParams; startedAt: Date; trigger?: RunManifest['trigger']; startedBy?: string }): RunManifest {
  const { nb, params } = args;
  return {
    id: args.runId,
    notebook: { id: nb.id, path: relative(nb.project.root, nb.path) || nb.path, sha256: nb.sha256 },
    title: args.title,
    params: params.values,
    param_types: params.types,
    status: 'running',
    started_at: args.startedAt.toISOString(),
    finished_at: null,
    error: null,
    trigger: args.trigger ?? { kind: 'api', schedule: null, scheduled_for: null },
    cells: [],
    exports: {},
    log: 'run.log',
    process: thisProcess(),
    ...(args.startedBy ? { started_by: args.startedBy } : {}),
  };
}

/**
 * The status of a run whose cells ran: failed when interrupted or when an `on_error: stop` cell
 * failed, partial when only `continue` cells failed, else succeeded.
 */
export function statusOfCells(specs: readonly Pick<BaseCell, 'id' | 'on_error'>[], cells: readonly CellRecord[], signal: AbortSignal): { status: RunStatus; error: string | null } {
  if (signal.aborted) return { status: 'failed', error: `interrupted by ${String(signal.reason ?? 'abort')}` };
  const failed = cells.filter((c) => c.status === 'failed');
  const onError = new Map(specs.map((s) => [s.id, s.on_error ?? 'stop']));
  const stopping = failed.some((c) => onError.get(c.id) === 'stop');
  return { status: stopping ? 'failed' : failed.length ? 'partial' : 'succeeded', error: null };
}

/** Marks the run failed with `reason` (replacing an earlier reason). */
export function failRun(manifest: RunManifest, reason: string): void {
  manifest.status = 'failed';
  manifest.error = reason;
}
