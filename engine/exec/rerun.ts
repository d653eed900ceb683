/**
 * `quire rerun`: the params of an earlier run, as typed values, with some overridden. run.json
 * holds resolved values (relative words already evaluated) plus the derived `<name>_start` /
 * `<name>_end` of period params; those are dropped and derived again.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError, ValidationErrors } from '../util/errors.js';
import { coerceParamValue, isPeriodType } from '../params/index.js';
import type { Notebook } from '../notebook/load.js';
import type { Project } from '../project.js';
import type { RunManifest } from '../runs/runs.js';
import { didYouMean } from '../util/suggest.js';

/** The notebook file of a run: its recorded path, relative to the project root. */
export function notebookOfRun(project: Project, manifest: RunManifest): string {
  const path = resolve(project.root, manifest.notebook.path);
  if (!existsSync(path)) {
    throw new UserError('E_NOTEBOOK_MISSING', `run ${manifest.id} was made from ${manifest.notebook.path}, which no longer exists`, {
      hint: 'restore the notebook file, or run the notebook you have with `quire run`',
    });
  }
  return path;
}

/**
 * Params for rerunning `manifest` with `nb` (typed values, not CLI text): the run's own values,
 * then the `-p` overrides (CLI text). Params the notebook no longer declares are left out and
 * named in `dropped`.
 */
export function rerunParams(nb: Notebook, manifest: RunManifest, overrides: Record<string, string>, now: Date): { params: Record<string, unknown>; dropped: string[] } {
  const specs = nb.top.params ?? {};
  const derived = (name: string) => {
    const m = /^(.+)_(start|end)$/.exec(name);
    return m !== null && Object.hasOwn(specs, m[1]) && isPeriodType(specs[m[1]].type);
  };
  const params: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(manifest.params)) {
    if (derived(name)) continue;
    if (Object.hasOwn(specs, name)) params[name] = value;
    else dropped.push(name);
  }
  const errors: UserError[] = [];
  for (const [name, raw] of Object.entries(overrides)) {
    const spec = specs[name];
    if (!spec) {
      const dym = didYouMean(name, Object.keys(specs));
      errors.push(new UserError('E_PARAM_UNKNOWN', `unknown param "${name}"${dym ? ` — ${dym}` : ''}`, { hint: `declared params: ${Object.keys(specs).join(', ') || 'none'}` }));
      continue;
    }
    const r = coerceParamValue(spec, raw, { fromCli: true, now, timezone: nb.project.config.timezone });
    if (r.ok) params[name] = r.value;
    else errors.push(new UserError(r.code, `param "${name}" expects ${r.expected}, got ${r.got}`, { hint: r.hint }));
  }
  if (errors.length) throw new ValidationErrors(errors);
  return { params, dropped };
}
