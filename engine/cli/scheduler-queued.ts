import type { Project } from '../project.js';
import type { Logger } from '../util/log.js';
import { queueSettings, RunQueue } from '../queue/queue.js';
import { QueueScheduler } from '../queue/scheduler.js';

/** `quire scheduler` with `queue:` in quire.yaml: due ticks become jobs for the workers; any number of these may run. */
export async function runQueuedScheduler(root: string, project: Project, runsDir: string, logger: Logger, opts: { grace: number; rescan: number; once?: boolean }): Promise<void> {
  const queue = await RunQueue.open(queueSettings(project));
  const scheduler = new QueueScheduler({ root, projectTimezone: project.config.timezone, runsDir, queue, logger, graceMs: opts.grace * 1000, rescanMs: opts.rescan * 1000 });
  logger.log('info', `scheduler-started pid=${process.pid} root=${root} queue (ticks go to the workers)`);
  try {
    if (opts.once) await scheduler.step();
    else {
      process.once('SIGTERM', () => scheduler.stop());
      process.once('SIGINT', () => scheduler.stop());
      await scheduler.loop();
    }
  } finally {
    await queue.close();
  }
}
