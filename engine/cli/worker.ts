import type { Command } from 'commander';
import { projectDir } from './project-dir.js';
import { loadProject } from '../project.js';
import { UserError } from '../util/errors.js';
import { queueSettings, RunQueue } from '../queue/queue.js';
import { QueueWorker } from '../queue/worker.js';
import type { WorkerMail } from '../queue/mail.js';
import { childProcessRun } from '../schedule/child-run.js';
import { smtpSettings, smtpTransport } from '../deliver/smtp.js';

const count = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UserError('E_BAD_ARGUMENT', `${name} takes a whole number ≥ 1, got '${v}'`, {});
  return n;
};

export function register(program: Command): void {
  program
    .command('worker')
    .description('run queued notebooks (quire.yaml `queue:`): any number of workers on any machines; SIGTERM finishes the current runs')
    .argument('[dir]', 'project folder', '.')
    .option('--concurrency <n>', 'runs at once', count('--concurrency'), 2)
    .option('--exit-when-idle', 'exit once nothing is queued or running anywhere in the queue')
    .option('--child-process', 'run each notebook in its own process (a crash loses that run only, at ~0.3 s a run)')
    .option('--grace <seconds>', 'on SIGTERM, how long running runs may take before they are handed back', (v) => Number(v), 60)
    .action(async (dir: string, opts: { concurrency: number; exitWhenIdle?: boolean; grace: number; childProcess?: boolean }) => {
      const project = loadProject(projectDir(dir));
      const queue = await RunQueue.open(queueSettings(project));
      const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
      let mail: WorkerMail | null = null;
      if (project.config.smtp || process.env.QUIRE_SMTP_URL) {
        const s = smtpSettings(project.config);
        mail = { from: s.from, transport: smtpTransport(s.url), reportUrl: project.config.report_url };
      }
      const worker = new QueueWorker({
        project,
        queue,
        concurrency: opts.concurrency,
        exitWhenIdle: opts.exitWhenIdle,
        log,
        graceMs: opts.grace * 1000,
        mail,
        run: opts.childProcess ? childProcessRun() : undefined,
      });
      const onSignal = (sig: string) => {
        log(`${sig}: finishing the current runs, taking no new ones`);
        worker.stop();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      log(`worker ${worker.id} started (${opts.concurrency} at once)`);
      try {
        await worker.run();
      } finally {
        await queue.close();
      }
      log(`worker ${worker.id} stopped`);
    });
}
