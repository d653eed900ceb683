import { loadNotebook } from '../notebooks.js';
import { parseCliParams } from '../params/index.js';
import type { ExportFormat } from '../export/index.js';
import { checkSweep, parseSweeps, sweepMembers } from '../exec/sweep.js';
import { queueSettings, RunQueue } from '../queue/queue.js';
import { batchOutcome, enqueueBatch, followBatch, type QueuedMember } from '../queue/batch.js';
import { resolveParams } from '../params/index.js';
import { bold, dim, green, red, yellow } from './progress.js';
import { countOf } from '../report/html/numbers.js';

const colour = (s: string) => (s === 'succeeded' ? green : s === 'partial' ? yellow : red);
const label = (p: Record<string, unknown>) =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

/** `quire run <nb> --queue [--sweep ...] [--detach]`: the runs go to the queue's workers; exit status of the batch. */
export async function runQueuedCommand(file: string, opts: { param: string[]; sweep: string[]; json?: boolean; export?: ExportFormat[]; detach?: boolean }): Promise<void> {
  const nb = loadNotebook(file);
  const base = parseCliParams(opts.param);
  const now = new Date();
  const axes = parseSweeps(opts.sweep);
  // Every member is checked here, before anything is queued: a bad value is refused, not failed by a worker.
  if (axes.length) checkSweep(nb, axes, base, now);
  else resolveParams(nb.top.params ?? {}, base, { now, timezone: nb.project.config.timezone, fromCli: true });
  const members = axes.length ? sweepMembers(axes).map((m) => ({ ...base, ...m })) : [base];
  const queue = await RunQueue.open(queueSettings(nb.project));
  try {
    const trigger = { kind: axes.length ? ('sweep' as const) : ('cli' as const), schedule: null, scheduled_for: null, queued: true };
    const { batchId, runIds } = await enqueueBatch(queue, nb, members, { now, exports: opts.export, trigger });
    if (opts.detach) {
      if (opts.json) process.stdout.write(`${JSON.stringify({ batch: batchId, runs: runIds }, null, 2)}\n`);
      else process.stdout.write(`queued ${countOf(runIds.length, 'run')} of ${nb.displayPath}: batch ${batchId}\n`);
      return;
    }
    if (!opts.json) process.stderr.write(`queued ${countOf(runIds.length, 'run')} of ${nb.displayPath} (batch ${batchId}); waiting for workers...\n`);
    const ended = await followBatch(queue, batchId, (m: QueuedMember) => {
      if (!opts.json) process.stderr.write(`${colour(m.status)(m.status.padEnd(9))} ${label(m.params)}  ${dim(m.run_id)}${m.error ? `  ${red(m.error)}` : ''}\n`);
    });
    const status = batchOutcome(ended);
    if (opts.json) process.stdout.write(`${JSON.stringify({ batch: batchId, status, members: ended }, null, 2)}\n`);
    else process.stdout.write(`${bold(`batch ${batchId}`)}: ${colour(status)(status)} (${countOf(ended.length, 'run')})\n`);
    process.exitCode = status === 'failed' ? 1 : status === 'partial' ? 3 : 0;
  } finally {
    await queue.close();
  }
}
