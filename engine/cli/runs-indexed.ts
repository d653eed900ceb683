import type { Project } from '../project.js';
import { queueSettings, RunQueue } from '../queue/queue.js';
import { indexedNotebooks, listIndexedRuns } from '../queue/batch.js';
import { requireKnownNotebook } from './notebook-ids.js';
import { dim, green, red, yellow } from './progress.js';

const colourOf = (status: string) => (status === 'succeeded' ? green : status === 'partial' ? yellow : status === 'failed' ? red : dim);

/** `quire runs list` with a queue: the run index in PostgreSQL, queued and running runs included, on every machine. */
export async function listIndexed(project: Project, notebookId: string | undefined, opts: { limit: number; json?: boolean }, named: { name: string; id: string } | null): Promise<void> {
  const queue = await RunQueue.open(queueSettings(project));
  try {
    if (named) requireKnownNotebook(named.name, named.id, { what: 'runs', ids: await indexedNotebooks(queue), project });
    const rows = await listIndexedRuns(queue, { notebookId, limit: opts.limit });
    if (opts.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    if (!rows.length) return void process.stdout.write('no runs yet\n');
    for (const r of rows) {
      const params = Object.entries(r.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      const when = (r.started_at ?? r.enqueued_at).toISOString();
      const who = r.worker ? `  ${r.worker}${r.attempts > 1 ? ` (attempt ${r.attempts})` : ''}` : '';
      process.stdout.write(`${r.run_id}  ${colourOf(r.status)(r.status.padEnd(9))}  ${r.notebook_id.padEnd(20)}  ${when}  ${dim(params)}${dim(who)}\n`);
    }
  } finally {
    await queue.close();
  }
}
