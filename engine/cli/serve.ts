import type { Command } from 'commander';
import { projectDir } from './project-dir.js';
import { UserError } from '../util/errors.js';
import { createServerContext } from '../server/context.js';
import { startServer } from '../server/serve.js';
import { localScheduler } from '../server/local-scheduler.js';
import { QueueScheduler } from '../queue/scheduler.js';
import { QueuedRuns } from '../server/runs/queued-runs.js';
import type { Logger } from '../util/log.js';

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UserError('E_BAD_ARGUMENT', `--port takes a port number (0-65535), got '${v}'`, {});
  return n;
};

/** A port taken or not ours to bind is the user's to fix, not a bug. */
function listenError(err: NodeJS.ErrnoException, opts: { host: string; port: number }): Error {
  const at = `${opts.host}:${opts.port}`;
  if (err.code === 'EADDRINUSE') return new UserError('E_PORT_IN_USE', `port ${at} is in use (another quire serve?)`, { hint: 'stop the other server, or pick another port: --port 4301' });
  if (err.code === 'EACCES') return new UserError('E_PORT_DENIED', `not allowed to listen on ${at}`, { hint: 'ports below 1024 need privileges: pick one above, e.g. --port 4300' });
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
    return new UserError('E_HOST_UNKNOWN', `cannot listen on ${at}: no such address on this machine`, { hint: '--host takes an address of this machine (127.0.0.1, 0.0.0.0, ::1)' });
  return err;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the web app and REST API of a project (127.0.0.1 by default; other hosts need tokens)')
    .argument('[dir]', 'project folder', '.')
    .option('--port <n>', 'port to listen on', port, 4300)
    .option('--host <host>', 'address to bind; anything but loopback requires tokens (quire tokens create)', '127.0.0.1')
    .option('--max-runs <n>', 'runs at once; more are queued', (v) => Math.max(1, Number.parseInt(v, 10) || 1), 2)
    .option('--run-threads <n>', 'DuckDB threads of each run started here (default: the cores but one, so the server keeps one)', (v) => Math.max(1, Number.parseInt(v, 10) || 1))
    .option('--scheduler', 'also run the schedules of the project in this process (with `queue:`, their ticks go to the workers)')
    .action(async (dir: string, opts: { port: number; host: string; maxRuns: number; runThreads?: number; scheduler?: boolean }) => {
      const ctx = createServerContext(projectDir(dir), { host: opts.host, maxConcurrentRuns: opts.maxRuns, runThreads: opts.runThreads });
      const logger: Logger = { log: (level, message) => (level === 'info' ? process.stdout : process.stderr).write(`scheduler ${level} ${message}\n`) };
      let scheduler: { loop(): Promise<void>; stop(signal: string, graceMs: number): Promise<void> } | null = null;
      if (opts.scheduler && ctx.runs instanceof QueuedRuns) {
        // As `quire scheduler` with a queue: due ticks become jobs for the workers.
        await ctx.runs.ready();
        const queued = new QueueScheduler({ root: ctx.root, projectTimezone: ctx.project.config.timezone, runsDir: ctx.runsDir, queue: ctx.runs.queue, logger });
        logger.log('info', `scheduler-started pid=${process.pid} root=${ctx.root} queue (ticks go to the workers)`);
        scheduler = { loop: () => queued.loop(), stop: async () => queued.stop() };
      } else if (opts.scheduler) {
        // As `quire scheduler` (each run in its own process), its runs shown live like the pages' own.
        const local = localScheduler(ctx, { logger });
        local.start();
        scheduler = local;
      }
      const server = await startServer(ctx, { host: opts.host, port: opts.port }).catch(async (err: NodeJS.ErrnoException) => {
        await scheduler?.stop('listen failed', 0);
        await ctx.close();
        throw listenError(err, opts);
      });
      process.stdout.write(`quire serve: ${server.url} (project ${ctx.root})${ctx.auth.tokens.count === 0 ? '; no tokens: the local user is admin' : ''}\n`);
      const looping = scheduler?.loop();
      await new Promise<void>((done) => {
        const stop = (signal: string) => {
          process.stdout.write(`${signal}: stopping\n`);
          void (async () => {
            await scheduler?.stop(signal, 30_000);
            await looping;
            await server.close();
            done();
          })();
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}
