import type { Command } from 'commander';
import { runNotebook } from '../exec/run.js';
import { loadNotebook } from '../notebooks.js';
import { QuireError, ValidationErrors } from '../util/errors.js';
import type { ChildEvent, ChildJob } from '../schedule/child-run.js';

/** Exit code when the scheduler that started this run is gone. */
const PARENT_GONE = 129;

function emit(e: ChildEvent): void {
  process.stdout.write(`${JSON.stringify(e)}\n`);
}

async function readJob(): Promise<ChildJob> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: string) => {
      text += chunk;
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      process.stdin.off('data', onData);
      try {
        resolve(JSON.parse(text.slice(0, nl)) as ChildJob);
      } catch (err) {
        reject(err);
      }
    };
    process.stdin.setEncoding('utf8').on('data', onData);
  });
}

/** `quire __run-child`: one scheduled run for the scheduler (engine/schedule/child-run.ts); not for people. */
export function register(program: Command): void {
  program
    .command('__run-child', { hidden: true })
    .description('run one notebook for the scheduler (job on stdin, events on stdout)')
    .argument('[notebook]', 'the notebook, shown by ps; the job on stdin names it too')
    .action(async () => {
      const job = await readJob();
      // The scheduler gone (killed): stop now, leaving run.json `running` for its next start to redo.
      process.stdin.on('end', () => process.exit(PARENT_GONE));
      process.stdin.resume();
      process.stdout.on('error', () => process.exit(PARENT_GONE));
      const controller = new AbortController();
      process.on('SIGTERM', () => controller.abort('SIGTERM'));
      process.on('SIGINT', () => controller.abort('SIGINT'));
      try {
        const nb = loadNotebook(job.notebook);
        const result = await runNotebook(nb, {
          params: job.params,
          fromCli: job.fromCli,
          runsDir: job.runsDir,
          runId: job.runId,
          trigger: job.trigger,
          exports: job.exports,
          browserEndpoint: job.browserEndpoint,
          browserPage: job.browserPage,
          signal: controller.signal,
          onStart: ({ runId, dir }) => emit({ event: 'start', runId, dir }),
          onEvent: (cell) => emit({ event: 'cell', cell }),
        });
        emit({ event: 'done', dir: result.dir, reportPath: result.reportPath });
      } catch (err) {
        if (!(err instanceof QuireError)) throw err;
        const inner = err instanceof ValidationErrors && err.errors.length === 1 ? err.errors[0]! : err;
        const message = err instanceof ValidationErrors ? err.errors.map((e) => `${e.code}: ${e.message}`).join('; ') : err.message;
        emit({ event: 'refused', code: inner.code, message, hint: inner.hint ?? null });
      }
      process.exit(0);
    });
}
