import { type Command, Option } from 'commander';
import { join, relative, resolve } from 'node:path';
import { loadProject, projectPath } from '../project.js';
import { findRun } from '../runs/runs.js';
import { UserError } from '../util/errors.js';
import { EXPORT_FORMATS, needsBrowser, parseExportFormats, parsePaper, type ExportFormat } from '../export/index.js';
import { rerenderRun, runsChartMemo, type RerenderResult } from '../export/rerender.js';
import { PdfRenderer, type PaperSize } from '../report/pdf/index.js';
import type { ChartMemo } from '../report/charts/memo.js';
import { green, red } from './progress.js';

function runsDirOf(opt?: string): string {
  if (opt) return resolve(opt);
  const project = loadProject(process.cwd());
  return projectPath(project, project.config.runs_dir);
}

function show(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/** Renders a stored run again in `formats`; run.json gets the new exports. */
async function exportRun(runsDir: string, runId: string, formats: ExportFormat[], opts: { paper: PaperSize; theme?: 'light' | 'dark'; pdf?: PdfRenderer; charts: ChartMemo }): Promise<RerenderResult> {
  const { dir, manifest } = findRun(runsDir, runId);
  return rerenderRun(dir, manifest, formats, opts);
}

export function register(program: Command): void {
  program
    .command('export')
    .description('render finished runs again (html, pdf, xlsx) from their stored outputs, without re-running queries')
    .argument('<run-id...>', 'run ids (or unique prefixes); several share one browser for PDFs')
    .addOption(
      new Option('-f, --format <formats>', `formats, comma-separated: ${EXPORT_FORMATS.join(', ')}`).argParser((v) => parseExportFormats(v, '--format')).default(['pdf'] as ExportFormat[], 'pdf'),
    )
    .option('--paper <size>', 'PDF paper size: a4 or letter', (v) => parsePaper(v), 'a4' as PaperSize)
    .option('--theme <theme>', 'HTML theme: light or dark (default: as the run was made)', (v) => {
      if (v !== 'light' && v !== 'dark') throw new UserError('E_BAD_ARGUMENT', `unknown theme '${v}'`, { hint: '--theme takes light or dark' });
      return v;
    })
    .option('--runs-dir <dir>', 'runs folder (default: runs_dir of quire.yaml)')
    .option('--json', 'print the results as JSON')
    .action(async (ids: string[], opts: { format: ExportFormat[]; paper: PaperSize; theme?: 'light' | 'dark'; runsDir?: string; json?: boolean }) => {
      const runsDir = runsDirOf(opts.runsDir);
      // One browser for the whole batch; if it cannot start, each export reports why.
      const pdf = needsBrowser(opts.format) && ids.length > 1 ? await PdfRenderer.launch().catch(() => undefined) : undefined;
      // The charts the run (or an earlier export) drew: the same drawing is not made again.
      const charts = runsChartMemo(runsDir);
      const results: RerenderResult[] = [];
      try {
        for (const id of ids) {
          const r = await exportRun(runsDir, id, opts.format, { paper: opts.paper, theme: opts.theme, pdf, charts });
          results.push(r);
          if (!opts.json) {
            for (const file of Object.values(r.exports)) process.stdout.write(`${green('exported')} ${r.run}: ${show(join(r.dir, file))}\n`);
            if (r.error) process.stderr.write(`${red('failed')} ${r.run}: ${r.error}\n`);
          }
        }
      } finally {
        await pdf?.close();
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      process.exitCode = results.some((r) => r.error) ? 1 : 0;
    });
}
