/** The server's runs that may be reading the project database, in words for E_DATABASE_BUSY (null: none). */
import type { ServerContext } from '../context.js';

export function runsReading(ctx: Pick<ServerContext, 'runs'>): string | null {
  const running = ctx.runs.running;
  if (!running.length) return null;
  return `${running.length} run${running.length === 1 ? ' is' : 's are'} reading it (${running.map((r) => r.notebookId).join(', ')})`;
}
