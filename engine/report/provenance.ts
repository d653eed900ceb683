/** The provenance line of a report (run, notebook hash, params, data stamp), shared by HTML, PDF and Excel. */
import type { ReportModel } from './model.js';
import { formatInstant } from './html/time.js';

/** Params as the user set them: `<name>_start` / `<name>_end` derived from a period param are left out. */
export function userParams(params: Record<string, unknown>): [string, unknown][] {
  const names = new Set(Object.keys(params ?? {}));
  return Object.entries(params ?? {}).filter(([k]) => {
    const m = /^(.+)_(start|end)$/.exec(k);
    return !(m && names.has(m[1]!));
  });
}

export function paramValueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(String).join(',');
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `data as of 2026-11-02 03:51:00 UTC · fingerprint 3f9a…` (or just the fingerprint). */
export function dataStampText(model: ReportModel): string | null {
  if (!model.data) return null;
  const asOf = model.data.asOf ? `data as of ${formatInstant(model.data.asOf)}` : 'data';
  return `${asOf} · fingerprint ${model.data.fingerprint}`;
}

/** One line: `run … · notebook id@sha · month=2026-10 region=all · data as of … · fingerprint …`. */
export function provenanceText(model: ReportModel): string {
  const params = userParams(model.params)
    .map(([k, v]) => `${k}=${paramValueText(v)}`)
    .join(' ');
  return [`run ${model.run.id}`, `notebook ${model.notebook.id}@${model.notebook.sha256.slice(0, 12)}`, params || 'no params', dataStampText(model)].filter(Boolean).join(' · ');
}
