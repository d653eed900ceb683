import type { Command } from 'commander';
import { join, relative } from 'node:path';
import { userInfo } from 'node:os';
import { runNotebook, type RunResult } from '../exec/run.js';
import { parseCliParams } from '../params/index.js';
import { EXPORT_FORMATS, parseExportFormats, parsePaper, type ExportFormat } from '../export/index.js';
import type { PaperSize } from '../report/pdf/index.js';
import { progressPrinter, green, red, yellow, bold } from './progress.js';
import { countOf } from '../report/html/numbers.js';
import { runSweepCommand } from './sweep.js';
import { UserError } from '../util/errors.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Exit codes of `quire run`: scripts tell outcomes apart without parsing output. */
export const EXIT = { succeeded: 0, failed: 1, partial: 3, running: 1 } as const;
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

function show(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/** The OS user running `quire run`, for run.json `started_by`. */
function osUser(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return process.env.USER || undefined;
  }
}

export function printRunSummary(result: RunResult): void {
  const m = result.manifest;
  const colour = m.status === 'succeeded' ? green : m.status === 'partial' ? yellow : red;
  const warned = m.cells.reduce((n, c) => n + (c.warnings?.length ?? 0), 0);
  const counts = ['succeeded', 'failed', 'skipped'].map((s) => `${m.cells.filter((c) => c.status === s).length} ${s}`).join(', ') + (warned ? `, ${yellow(countOf(warned, 'warning'))}` : '');
  process.stdout.write(`${bold(m.title)}: ${colour(m.status)} (${counts})\n`);
  if (m.error) process.stdout.write(`${red(m.error)}\n`);
  process.stdout.write(`run folder: ${show(result.dir)}\n`);
  for (const file of Object.values(m.exports)) process.stdout.write(`report:     ${show(join(result.dir, file))}\n`);
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run a notebook and write its run folder (run.json, run.log, outputs, reports)')
    .argument('<notebook>', 'notebook file')
    .option('-p, --param <name=value>', 'set a param (repeatable)', collect, [])
    .option('--json', 'print run.json to stdout instead of progress')
    .option('--runs-dir <dir>', 'where run folders go (default: runs_dir of quire.yaml)')
    .option('--concurrency <n>', 'cells running at once', (v) => Number.parseInt(v, 10), 4)
    .option('--export <formats>', `reports to write, comma-separated: ${EXPORT_FORMATS.join(', ')} (default: the notebook's \`export:\`, else html)`, (v) => parseExportFormats(v))
    .option('--paper <size>', 'PDF paper size: a4 or letter', (v) => parsePaper(v), 'a4' as PaperSize)
    .option('--no-cache', 'run every cell (fresh results are still stored in the cell cache)')
    .option('--sweep <name=v1,v2>', 'run once per value (repeatable: the cross-product); --concurrency is then runs at once', collect, [])
    .option('--queue', 'send the run(s) to the workers of quire.yaml `queue:` and follow them (exit status of the batch)')
    .option('--detach', 'with --queue: print the batch id and return at once')
    .action(
      async (
        file: string,
        opts: { param: string[]; json?: boolean; runsDir?: string; concurrency: number; export?: ExportFormat[]; paper: PaperSize; cache: boolean; sweep: string[]; queue?: boolean; detach?: boolean },
      ) => {
        if (opts.queue) return (await import('./run-queued.js')).runQueuedCommand(file, opts);
        if (opts.detach) throw new UserError('E_BAD_ARGUMENT', '--detach goes with --queue', { hint: 'add --queue to send the run to the workers' });
        if (opts.sweep.length) return runSweepCommand(file, opts);
        const controller = new AbortController();
        const onSignal = (sig: NodeJS.Signals) => {
          if (controller.signal.aborted) process.exit(SIGNAL_EXIT[sig] ?? 1);
          process.stderr.write(`\n${sig} received: stopping the run...\n`);
          controller.abort(sig);
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        // Nobody reads the progress or the summary any more (`| head -1`): stop, the run ends failed.
        const onClosedOutput = (err: NodeJS.ErrnoException) => {
          if (err.code === 'EPIPE' && !controller.signal.aborted) controller.abort('a closed stdout/stderr (EPIPE)');
        };
        process.stdout.on('error', onClosedOutput);
        process.stderr.on('error', onClosedOutput);
        const progress = opts.json ? undefined : progressPrinter();
        try {
          const result = await runNotebook(file, {
            params: parseCliParams(opts.param),
            fromCli: true,
            runsDir: opts.runsDir,
            concurrency: Math.max(1, opts.concurrency || 1),
            exports: opts.export,
            paper: opts.paper,
            cache: opts.cache ? 'use' : 'refresh',
            trigger: { kind: 'cli', schedule: null, scheduled_for: null },
            startedBy: osUser(),
            signal: controller.signal,
            onEvent: progress?.onEvent,
            onStart: ({ dir }) => !opts.json && process.stderr.write(`run folder: ${show(dir)}\n`),
          });
          progress?.done();
          if (opts.json) process.stdout.write(`${JSON.stringify({ ...result.manifest, dir: result.dir, report: result.reportPath }, null, 2)}\n`);
          else printRunSummary(result);
          const reason = controller.signal.reason as string | undefined;
          process.exitCode = controller.signal.aborted ? (SIGNAL_EXIT[reason ?? ''] ?? 1) : EXIT[result.manifest.status];
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          process.stdout.off('error', onClosedOutput);
          process.stderr.off('error', onClosedOutput);
        }
      },
    );
}
