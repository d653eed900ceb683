import type { Command } from 'commander';
import { projectDir } from './project-dir.js';
import { UserError } from '../util/errors.js';
import { createServerContext } from '../server/context.js';
import { startServer } from '../server/serve.js';
import { Scheduler } from '../schedule/scheduler.js';
import { childProcessRun } from '../schedule/child-run.js';

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
    .option('--scheduler', 'also run the schedules of the project in this process')
    .action(async (dir: string, opts: { port: number; host: string; maxRuns: number; scheduler?: boolean }) => {
      const root = projectDir(dir);
      const ctx = createServerContext(root, { host: opts.host, maxConcurrentRuns: opts.maxRuns });
      let scheduler: Scheduler | null = null;
      if (opts.scheduler) {
        scheduler = new Scheduler({
          root: ctx.root,
          runsDir: ctx.runsDir,
          projectTimezone: ctx.project.config.timezone,
          engine: ctx.state,
          // As `quire scheduler`: each scheduled run in its own process, so none can take the server down.
          run: childProcessRun(),
          logger: { log: (level, message) => (level === 'info' ? process.stdout : process.stderr).write(`scheduler ${level} ${message}\n`) },
        });
        scheduler.start();
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
