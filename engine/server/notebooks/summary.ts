/** A notebook as the API and the pages list it: title, description, tags, last run, next scheduled time. */
import type { ListedSchedule } from '../../schedule/list.js';
import type { NotebookCatalog, NotebookEntry } from './catalog.js';

export interface NotebookSummary {
  id: string;
  title: string;
  description: string | null;
  tags: string[];
  path: string;
  valid: boolean;
  lastRun: { id: string; status: string; started_at: string | null; finished_at: string | null } | null;
  nextRun: string | null;
}

/** Each notebook's earliest next fire time across its schedules. */
export function nextRuns(schedules: ListedSchedule[]): Map<string, string> {
  const next = new Map<string, string>();
  for (const s of schedules) {
    const t = s.next[0]?.utc;
    const have = next.get(s.notebook_id);
    if (t && (!have || t < have)) next.set(s.notebook_id, t);
  }
  return next;
}

export function summarize(catalog: NotebookCatalog, e: NotebookEntry, next: Map<string, string>): NotebookSummary {
  const last = catalog.lastRun(e.id);
  return {
    id: e.id,
    title: e.title,
    description: e.description,
    tags: e.tags,
    path: e.rel,
    valid: Boolean(e.nb) && e.problems.length === 0,
    lastRun: last ? { id: last.id, status: last.status, started_at: last.started_at, finished_at: last.finished_at } : null,
    nextRun: next.get(e.id) ?? null,
  };
}

export function listNotebooks(catalog: NotebookCatalog): NotebookSummary[] {
  const next = nextRuns(catalog.schedules(1));
  return catalog
    .all()
    .map((e) => summarize(catalog, e, next))
    .sort((a, b) => a.title.localeCompare(b.title));
}
