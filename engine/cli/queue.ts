import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadProject } from '../project.js';
import { queueSettings, RunQueue } from '../queue/queue.js';
import { listWorkers, queueStats } from '../queue/stats.js';
import { dim, red } from './progress.js';

async function withQueue<T>(dir: string, fn: (q: RunQueue) => Promise<T>): Promise<T> {
  const queue = await RunQueue.open(queueSettings(loadProject(resolve(dir))));
  try {
    return await fn(queue);
  } finally {
    await queue.close();
  }
}

export function register(program: Command): void {
  const queue = program.command('queue').description('the run queue of quire.yaml `queue:`');
  queue
    .command('stats')
    .description('queued, active and failed runs, and how long the oldest has waited')
    .argument('[dir]', 'project folder', '.')
    .option('--json', 'print as JSON')
    .action(async (dir: string, opts: { json?: boolean }) => {
      const s = await withQueue(dir, queueStats);
      if (opts.json) return void process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      process.stdout.write(
        `queued ${s.queued}, retrying ${s.retrying}, active ${s.active}, completed ${s.completed}, failed ${s.failed}` +
          `${s.oldest_waiting_s === null ? '' : `; oldest waiting ${s.oldest_waiting_s} s`}\n`,
      );
    });
}

export function registerWorkers(program: Command): void {
  program
    .command('workers')
    .description('the live queue workers, their runs and last heartbeat')
    .argument('[dir]', 'project folder', '.')
    .option('--json', 'print as JSON')
    .action(async (dir: string, opts: { json?: boolean }) => {
      const rows = await withQueue(dir, listWorkers);
      if (opts.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      if (!rows.length) return void process.stdout.write('no workers\n');
      for (const w of rows) {
        const state = w.lost ? red('lost') : w.stopping ? 'stopping' : 'live';
        process.stdout.write(`${w.id}  ${state}  heartbeat ${w.heartbeat_age_s} s ago  ${w.runs.length}/${w.concurrency} running${w.runs.length ? dim(`  ${w.runs.join(', ')}`) : ''}\n`);
      }
    });
}
