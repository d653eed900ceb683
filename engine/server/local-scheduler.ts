/**
 * `quire serve --scheduler` without a queue: the project's schedules run in this process as
 * `quire scheduler` runs them (each run in a child process, so none can take the server down),
 * followed by the server's run manager so their progress shows live on the pages like a run
 * started from one.
 */
import { Scheduler } from '../schedule/scheduler.js';
import { childProcessRun } from '../schedule/child-run.js';
import type { Logger } from '../util/log.js';
import type { ServerContext } from './context.js';
import { RunManager } from './runs/run-manager.js';

export function localScheduler(ctx: ServerContext, opts: { logger: Logger; clock?: () => number; bin?: string }): Scheduler {
  if (!(ctx.runs instanceof RunManager)) throw new Error('the in-process scheduler needs the in-process run manager (with `queue:`, ticks go to the workers)');
  return new Scheduler({
    root: ctx.root,
    runsDir: ctx.runsDir,
    projectTimezone: ctx.project.config.timezone,
    engine: ctx.state,
    run: ctx.runs.follow(childProcessRun(opts.bin)),
    logger: opts.logger,
    clock: opts.clock,
  });
}
