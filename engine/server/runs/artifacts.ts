/**
 * The files of a run the server hands out, by name only (never a path from the request): the
 * reports, run.log and run.json. A report format the run did not write is rendered on demand
 * from the stored outputs (engine/export), one render per run and format at a time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXPORTERS, type ExportFormat } from '../../export/index.js';
import { rerenderRun, runsChartMemo } from '../../export/rerender.js';
import { HttpProblem } from '../problem.js';
import type { RunView } from './lookup.js';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  log: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** Every name a request may ask for. */
export const ARTIFACT_NAMES = [...EXPORTERS.map((e) => e.file), 'run.log', 'run.json'];

export interface Artifact {
  name: string;
  body: Uint8Array<ArrayBuffer>;
  type: string;
}

const rendering = new WeakMap<object, Map<string, Promise<unknown>>>();

export async function readArtifact(view: RunView, name: string, runsDir: string, owner: object): Promise<Artifact> {
  if (!ARTIFACT_NAMES.includes(name)) throw new HttpProblem(404, 'E_ARTIFACT_NOT_FOUND', `no artifact '${name}'`, `artifacts: ${ARTIFACT_NAMES.join(', ')}`);
  if (!view.dir || !view.manifest) throw new HttpProblem(409, 'E_RUN_NOT_STARTED', `run ${view.id} has no folder yet (${view.status})`, 'wait until it starts');
  const exporter = EXPORTERS.find((e) => e.file === name);
  const path = join(view.dir, name);
  if (exporter && !Object.hasOwn(view.manifest.exports, exporter.format)) {
    if (view.manifest.status === 'running') throw new HttpProblem(409, 'E_RUN_RUNNING', `run ${view.id} is still running`, 'its reports are written when it ends');
    await renderOnce(view, exporter.format, runsDir, owner);
  }
  if (!existsSync(path)) throw new HttpProblem(404, 'E_ARTIFACT_NOT_FOUND', `run ${view.id} has no ${name}`);
  return { name, body: new Uint8Array(readFileSync(path)), type: TYPES[name.split('.').pop()!] ?? 'application/octet-stream' };
}

async function renderOnce(view: RunView, format: ExportFormat, runsDir: string, owner: object): Promise<void> {
  let inflight = rendering.get(owner);
  if (!inflight) {
    inflight = new Map();
    rendering.set(owner, inflight);
  }
  const key = `${view.dir}\0${format}`;
  let p = inflight.get(key);
  if (!p) {
    const running = inflight;
    p = rerenderRun(view.dir!, view.manifest!, [format], { charts: runsChartMemo(runsDir) }).finally(() => running.delete(key));
    inflight.set(key, p);
  }
  const r = (await p) as { error: string | null };
  if (r.error) throw new HttpProblem(503, 'E_EXPORT', `the ${format} of run ${view.id} could not be rendered: ${r.error}`);
}
