/**
 * The runs index: one line per run (id, notebook, status, times, who, params) so a page of 50 out
 * of 10,000 runs needs no run.json read. Kept in memory and in `<runs>/.index/runs.jsonl`; the run
 * folders stay the source of truth: a notebook folder whose mtime moved (a run added or removed)
 * is listed again, a run still `running` is re-read when its run.json changed, and a missing or
 * unreadable index file is rebuilt from the folders.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { writeFileAtomic } from '../util/atomic.js';
import { readRun, type RunManifest } from './runs.js';

const entrySchema = z.object({
  id: z.string(),
  notebook: z.string(),
  title: z.string(),
  status: z.string(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  started_by: z.string().nullable(),
  trigger: z.string(),
  schedule: z.string().nullable(),
  params: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  /** mtime of run.json when read: a `running` run is re-read when it changes. */
  mtime: z.number(),
});
export type RunIndexEntry = z.infer<typeof entrySchema>;

const headerSchema = z.object({ version: z.literal(1), notebooks: z.record(z.string(), z.number()) });

export interface RunFilter {
  notebook?: string;
  status?: string;
  startedBy?: string;
  /** Runs started at or after (ISO date or date-time). */
  from?: string;
  /** Runs started before the end of this day (ISO date) or before this instant. */
  to?: string;
  schedule?: string;
}

export interface RunPage {
  total: number;
  offset: number;
  limit: number;
  runs: RunIndexEntry[];
}

const INDEX_DIR = '.index';

const dirs = (dir: string): string[] => {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => d.name);
  } catch {
    return [];
  }
};

const mtimeOf = (path: string): number => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
};

export function entryOf(m: RunManifest, mtime: number): RunIndexEntry {
  return {
    id: m.id,
    notebook: m.notebook.id,
    title: m.title,
    status: m.status,
    started_at: m.started_at,
    finished_at: m.finished_at,
    started_by: m.started_by ?? null,
    trigger: m.trigger.kind,
    schedule: m.trigger.schedule,
    params: m.params,
    error: m.error,
    mtime,
  };
}

const newestFirst = (a: RunIndexEntry, b: RunIndexEntry) => b.started_at.localeCompare(a.started_at) || b.id.localeCompare(a.id);

export class RunIndex {
  readonly file: string;
  /** Per notebook folder: its mtime when last listed, and its runs by id. */
  private notebooks = new Map<string, { mtime: number; runs: Map<string, RunIndexEntry> }>();
  private sorted: RunIndexEntry[] | null = null;
  /** Filtered lists by filter, until the index changes: pages of one listing are slices of one filter pass. */
  private filtered = new Map<string, RunIndexEntry[]>();
  private dirty = false;
  private changes = 0;
  private lastRefresh = -Infinity;
  private loaded = false;

  constructor(
    readonly runsDir: string,
    private readonly opts: { now?: () => number; minRefreshMs?: number } = {},
  ) {
    this.file = join(runsDir, INDEX_DIR, 'runs.jsonl');
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Reads the index file (once); a missing or damaged one leaves the index empty, to be rebuilt by refresh. */
  private load(): void {
    this.loaded = true;
    if (!existsSync(this.file)) return;
    try {
      const lines = readFileSync(this.file, 'utf8').split('\n').filter(Boolean);
      const header = headerSchema.parse(JSON.parse(lines[0]));
      const byNb = new Map<string, { mtime: number; runs: Map<string, RunIndexEntry> }>();
      for (const [nb, mtime] of Object.entries(header.notebooks)) byNb.set(nb, { mtime, runs: new Map() });
      for (const line of lines.slice(1)) {
        const e = entrySchema.parse(JSON.parse(line));
        const slot = byNb.get(e.notebook);
        if (slot) slot.runs.set(e.id, e);
      }
      this.notebooks = byNb;
    } catch {
      this.notebooks = new Map(); // damaged: rebuilt from the folders
    }
  }

  /** Ids of the notebooks that have runs, sorted (the runs page's filter). */
  notebookIds(): string[] {
    this.refresh();
    return [...this.notebooks.entries()]
      .filter(([, v]) => v.runs.size > 0)
      .map(([k]) => k)
      .sort();
  }

  /**
   * Brings the index up to date with the run folders: cheap when nothing changed (one stat per
   * notebook folder and per running run). At most once per `minRefreshMs` unless forced.
   */
  refresh(force = false): void {
    if (!this.loaded) this.load();
    const now = this.now();
    if (!force && now - this.lastRefresh < (this.opts.minRefreshMs ?? 250)) return;
    this.lastRefresh = now;
    const seen = new Set<string>();
    for (const nb of dirs(this.runsDir)) {
      seen.add(nb);
      const dir = join(this.runsDir, nb);
      const mtime = mtimeOf(dir);
      let slot = this.notebooks.get(nb);
      if (!slot || slot.mtime !== mtime) {
        slot = this.relist(nb, slot?.runs ?? new Map());
        slot.mtime = mtime;
        this.notebooks.set(nb, slot);
        this.changed();
      }
      for (const e of slot.runs.values()) {
        if (e.status !== 'running') continue;
        const m = mtimeOf(join(dir, e.id, 'run.json'));
        if (m !== e.mtime || m === -1) this.reread(nb, e.id);
      }
    }
    for (const nb of [...this.notebooks.keys()]) {
      if (!seen.has(nb)) {
        this.notebooks.delete(nb);
        this.changed();
      }
    }
  }

  private relist(nb: string, known: Map<string, RunIndexEntry>): { mtime: number; runs: Map<string, RunIndexEntry> } {
    const runs = new Map<string, RunIndexEntry>();
    for (const id of dirs(join(this.runsDir, nb))) {
      const old = known.get(id);
      if (old && old.status !== 'running') runs.set(id, old);
      else {
        const e = this.read(nb, id);
        if (e) runs.set(id, e);
      }
    }
    return { mtime: 0, runs };
  }

  private read(nb: string, id: string): RunIndexEntry | null {
    const dir = join(this.runsDir, nb, id);
    const mtime = mtimeOf(join(dir, 'run.json'));
    const m = readRun(dir);
    // A folder whose run.json names another id (copied by hand) is left out: ids address folders.
    return m && m.id === id && m.notebook.id === nb ? entryOf(m, mtime) : null;
  }

  /** Re-reads one run (the server calls it when a run it started ends). */
  reread(nb: string, id: string): void {
    let slot = this.notebooks.get(nb);
    if (!slot) {
      // A new notebook folder: listed in full at the next refresh (mtime -1 never matches).
      slot = { mtime: -1, runs: new Map() };
      this.notebooks.set(nb, slot);
    }
    const e = this.read(nb, id);
    if (e) slot.runs.set(id, e);
    else slot.runs.delete(id);
    this.changed();
  }

  /** Counts the index's changes: what was rendered from it at one generation is still true at the same one. */
  get generation(): number {
    return this.changes;
  }

  private changed(): void {
    this.changes++;
    this.sorted = null;
    this.filtered.clear();
    this.dirty = true;
  }

  private all(): RunIndexEntry[] {
    if (!this.sorted) this.sorted = [...this.notebooks.values()].flatMap((s) => [...s.runs.values()]).sort(newestFirst);
    return this.sorted;
  }

  /** One page of runs, newest first, after the filters. */
  query(filter: RunFilter = {}, offset = 0, limit = 50): RunPage {
    this.refresh();
    // Compared as text with run.json's ISO times: bring bounds to the same form.
    const iso = (t: string | undefined, endOfDay: boolean) => {
      if (!t) return undefined;
      if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return `${t}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z`;
      const ms = Date.parse(t);
      return Number.isNaN(ms) ? t : new Date(ms).toISOString();
    };
    const from = iso(filter.from, false);
    const to = iso(filter.to, true);
    const matches = (e: RunIndexEntry) =>
      (!filter.notebook || e.notebook === filter.notebook) &&
      (!filter.status || e.status === filter.status) &&
      (!filter.startedBy || e.started_by === filter.startedBy) &&
      (!filter.schedule || e.schedule === filter.schedule) &&
      (!from || e.started_at >= from) &&
      (!to || e.started_at <= to);
    const all = this.all();
    const key = JSON.stringify([filter.notebook, filter.status, filter.startedBy, filter.schedule, from, to]);
    let hits = this.filtered.get(key);
    if (!hits) {
      hits = Object.values(filter).some(Boolean) ? all.filter(matches) : all;
      if (this.filtered.size >= 64) this.filtered.clear();
      this.filtered.set(key, hits);
    }
    return { total: hits.length, offset, limit, runs: hits.slice(offset, offset + limit) };
  }

  /** A run by id (the index finds its notebook folder), or null. */
  find(id: string): RunIndexEntry | null {
    this.refresh();
    for (const slot of this.notebooks.values()) {
      const e = slot.runs.get(id);
      if (e) return e;
    }
    return null;
  }

  /** Writes the index file when it changed (atomically); a failure leaves the old file, to be rebuilt. */
  save(): void {
    if (!this.dirty) return;
    const header = { version: 1, notebooks: Object.fromEntries([...this.notebooks].map(([nb, s]) => [nb, s.mtime])) };
    const lines = [JSON.stringify(header), ...this.all().map((e) => JSON.stringify(e))];
    try {
      mkdirSync(join(this.runsDir, INDEX_DIR), { recursive: true });
      writeFileAtomic(this.file, `${lines.join('\n')}\n`);
      this.dirty = false;
    } catch {
      /* read-only runs folder: the in-memory index still serves */
    }
  }
}
