/**
 * The export formats: the one list of them. A new format is a file beside this one exporting an
 * `Exporter`, plus one line in EXPORTERS; commands, notebooks and schedules learn it from here.
 */
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import type { Exporter } from './exporter.js';
import { htmlExporter } from './html.js';
import { pdfExporter } from './pdf.js';
import { xlsxExporter } from './xlsx.js';

export const EXPORTERS = [htmlExporter, pdfExporter, xlsxExporter] as const;

export type ExportFormat = (typeof EXPORTERS)[number]['format'];
export const EXPORT_FORMATS: readonly ExportFormat[] = EXPORTERS.map((e) => e.format);

export type { Exporter, ExporterNeeds, ExportContext, ExportFailure } from './exporter.js';
export { parsePaper } from './pdf.js';

/** The exporter of a format name, or undefined. */
export function exporterOf(format: string): Exporter | undefined {
  return EXPORTERS.find((e) => e.format === format);
}

/** 'unknown export format 'pfd' — did you mean 'pdf'?' (the known ones in the hint). */
export function unknownFormat(format: string, where: string): UserError {
  const dym = didYouMean(format, EXPORT_FORMATS);
  return new UserError('E_BAD_ARGUMENT', `unknown export format '${format}'${dym ? ` — ${dym}` : ''}`, { hint: `${where} takes a comma-separated list of ${EXPORT_FORMATS.join(', ')}` });
}

/** The exporters of `formats` in the order given, each once; an unknown name is a UserError. */
export function exportersOf(formats: readonly string[], where = 'export'): Exporter[] {
  return [...new Set(formats)].map((f) => {
    const e = exporterOf(f);
    if (!e) throw unknownFormat(f, where);
    return e;
  });
}

/** `html,pdf` (CLI) → formats; an unknown one is a UserError naming it and the known ones. */
export function parseExportFormats(value: string, flag = '--export'): ExportFormat[] {
  const items = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (!items.length) throw new UserError('E_BAD_ARGUMENT', `${flag} needs at least one format`, { hint: `formats: ${EXPORT_FORMATS.join(', ')}` });
  return exportersOf(items, flag).map((e) => e.format as ExportFormat);
}

/** True when exporting `formats` starts a browser for every report: a batch then shares one. */
export function needsBrowser(formats: readonly string[]): boolean {
  return formats.some((f) => exporterOf(f)?.needs.browser);
}
