import type { Command } from 'commander';
import { projectDir } from './project-dir.js';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { loadProject, projectPath } from '../project.js';
import { smtpSettings, smtpTransport } from '../deliver/smtp.js';
import { Scheduler, type MailSetup } from '../schedule/scheduler.js';
import { stateDir } from '../schedule/state.js';
import { childProcessRun } from '../schedule/child-run.js';

const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UserError('E_BAD_ARGUMENT', `${name} takes a number ≥ 0, got '${v}'`, {});
  return n;
};

/** Prints `time LEVEL event ...` and appends it to <runs>/.scheduler/scheduler.log. */
function schedulerLogger(runsDir: string): Logger {
  const dir = stateDir(runsDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'scheduler.log');
  return {
    log(level, message) {
      const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}\n`;
      (level === 'info' ? process.stdout : process.stderr).write(line);
      try {
        appendFileSync(file, line);
      } catch {
        /* the console still has it */
      }
    },
  };
}

export function register(program: Command): void {
  program
    .command('scheduler')
    .description('run scheduled notebooks and email their reports (a long-running process; SIGTERM stops it cleanly)')
    .argument('[dir]', 'project folder to scan for notebooks with schedules:', '.')
    .option('--runs-dir <dir>', 'runs folder (default: runs_dir of quire.yaml); scheduler state lives in its .scheduler/')
    .option('--concurrency <n>', 'runs at once across schedules', (v) => Math.max(1, Math.floor(positive('--concurrency')(v))), 4)
    .option('--grace <seconds>', 'how late a tick may be taken and still count as on time', positive('--grace'), 60)
    .option('--drain <seconds>', 'on SIGTERM, how long running runs may take to finish before they are stopped', positive('--drain'), 30)
    .option('--retry-backoff <seconds>', 'first delay between retries of a failed run (doubles each time)', positive('--retry-backoff'), 30)
    .option('--mail-backoff <seconds>', 'first delay between retries of a mail (doubles, with jitter)', positive('--mail-backoff'), 5)
    .option('--rescan <seconds>', 'how often notebooks are checked for changes', positive('--rescan'), 2)
    .option('--once', 'take due work once, wait for it, and exit (for an external cron)')
    .action(async (dir: string, opts: { runsDir?: string; concurrency: number; grace: number; drain: number; retryBackoff: number; mailBackoff: number; rescan: number; once?: boolean }) => {
      const root = projectDir(dir);
      const project = loadProject(root);
      const runsDir = opts.runsDir ? resolve(opts.runsDir) : projectPath(project, project.config.runs_dir);
      const logger = schedulerLogger(runsDir);
      if (project.config.queue) return (await import('./scheduler-queued.js')).runQueuedScheduler(root, project, runsDir, logger, opts);
      let mail: MailSetup | null = null;
      if (project.config.smtp || process.env.QUIRE_SMTP_URL) {
        const s = smtpSettings(project.config);
        mail = { from: s.from, transport: smtpTransport(s.url), reportUrl: project.config.report_url, backoff: { baseMs: opts.mailBackoff * 1000, maxMs: Math.max(opts.mailBackoff * 1000, 300_000) } };
      }
      const scheduler = new Scheduler({
        root,
        runsDir,
        projectTimezone: project.config.timezone,
        logger,
        concurrency: opts.concurrency,
        graceMs: opts.grace * 1000,
        rescanMs: opts.rescan * 1000,
        retryBackoff: { baseMs: opts.retryBackoff * 1000, maxMs: Math.max(opts.retryBackoff * 1000, 600_000) },
        mail,
        run: childProcessRun(),
      });
      scheduler.start();
      if (opts.once) {
        // Take what is due, then keep stepping while runs finish and free the way for queued ones.
        for (let i = 0; i < 10_000; i++) {
          await scheduler.step();
          if (!scheduler.running) break;
          await scheduler.settle();
        }
        await scheduler.stop('once', opts.drain * 1000);
        return;
      }
      const stop = (signal: string) => {
        void scheduler.stop(signal, opts.drain * 1000);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      await scheduler.loop();
      await scheduler.stop('end', opts.drain * 1000);
    });
}
