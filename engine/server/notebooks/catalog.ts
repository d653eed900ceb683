/**
 * The project's notebooks as the server shows them: found like the scheduler finds them (YAML
 * files with top-level `cells:`), read with the server's engine state (its parse cache), keyed by
 * notebook id. A notebook with problems is still listed, with them.
 */
import { readFileSync } from 'node:fs';
import { basename, extname, relative, sep } from 'node:path';
import { readNotebook } from '../../notebooks.js';
import type { Notebook } from '../../notebook/load.js';
import { NOTEBOOK_ID } from '../../notebook/schema.js';
import { coerceParamValue, resolveParams, type ParamSpec } from '../../params/index.js';
import { titleRenderer } from '../../exec/manifest.js';
import { templatesDir } from '../../templates/catalog.js';
import { notebookFiles } from '../../schedule/discover.js';
import { listSchedules, type ListedSchedule } from '../../schedule/list.js';
import { formatError, type QuireError } from '../../util/errors.js';
import type { RunIndexEntry } from '../../runs/index-file.js';
import type { Project } from '../../project.js';
import type { EngineState } from '../../util/state.js';
import type { RunIndex } from '../../runs/index-file.js';
import { HttpProblem } from '../problem.js';

export interface NotebookEntry {
  id: string;
  path: string;
  rel: string;
  title: string;
  description: string | null;
  tags: string[];
  nb: Notebook | null;
  problems: QuireError[];
}

export interface ParamField {
  name: string;
  type: ParamSpec['type'];
  label: string;
  description: string | null;
  options: (string | number)[] | null;
  /** As written: a value or a relative word (previous_month). */
  default: unknown;
  /** The default as it would be used now (previous_month → 2026-11). */
  resolved_default: unknown;
  required: boolean;
}

const LIST_TTL_MS = 2000;

/** What the catalog needs of the server. */
export interface CatalogDeps {
  root: string;
  runsDir: string;
  project: Project;
  state: EngineState;
  clock: () => Date;
  index: RunIndex;
}

export class NotebookCatalog {
  private listed: { at: number; entries: Map<string, NotebookEntry> } | null = null;

  constructor(private readonly ctx: CatalogDeps) {}

  /** Every notebook of the project by id (rescanned at most every 2 s). */
  all(): NotebookEntry[] {
    return [...this.scan().values()];
  }

  /** A notebook by id; 404 when there is none. Ids are checked before any file is touched. */
  get(id: string): NotebookEntry {
    if (!NOTEBOOK_ID.test(id)) throw new HttpProblem(404, 'E_NOTEBOOK_NOT_FOUND', `no notebook '${id}'`, 'notebook ids are lower-case letters, digits, - and _');
    const e = this.scan().get(id) ?? this.scan(true).get(id);
    if (!e) throw new HttpProblem(404, 'E_NOTEBOOK_NOT_FOUND', `no notebook '${id}' in this project`, 'GET /api/v1/notebooks lists them');
    return this.reread(e);
  }

  /** A notebook that loads without problems, for running or planning; its problems as a 422 otherwise. */
  loaded(id: string): Notebook {
    const e = this.get(id);
    if (!e.nb || e.problems.length) {
      throw new HttpProblem(
        422,
        e.problems[0]?.code ?? 'E_NOTEBOOK_INVALID',
        `notebook '${id}' has problems: ${e.problems.map((p) => formatError(p).split('\n')[0]).join('; ')}`,
        `fix ${e.rel} (quire validate ${e.rel})`,
      );
    }
    return e.nb;
  }

  private scan(force = false): Map<string, NotebookEntry> {
    const now = Date.now();
    if (!force && this.listed && now - this.listed.at < LIST_TTL_MS) return this.listed.entries;
    const entries = new Map<string, NotebookEntry>();
    // The template gallery's sources are not the project's notebooks (when the project is quire's own folder).
    for (const path of notebookFiles(this.ctx.root, [this.ctx.runsDir, templatesDir()])) {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        continue;
      }
      if (!/^cells\s*:/m.test(text)) continue; // metric specs, templates' metadata, other YAML
      const e = this.read(path);
      if (!entries.has(e.id)) entries.set(e.id, e);
    }
    this.listed = { at: now, entries };
    return entries;
  }

  private read(path: string): NotebookEntry {
    const rel = relative(this.ctx.root, path).split(sep).join('/');
    let nb: Notebook | null = null;
    let problems: QuireError[] = [];
    try {
      const r = readNotebook(path, { state: this.ctx.state });
      nb = r.notebook;
      problems = r.errors;
    } catch (err) {
      problems = [err as QuireError];
    }
    const id = nb?.id ?? basename(path, extname(path));
    return { id, path, rel, title: nb ? displayTitle(nb, this.ctx.clock()) : id, description: nb?.top.description ?? null, tags: nb?.top.tags ?? [], nb, problems };
  }

  /** The entry read again (the parse cache makes an unchanged file cheap). */
  private reread(e: NotebookEntry): NotebookEntry {
    const fresh = this.read(e.path);
    this.listed?.entries.set(fresh.id, fresh);
    return fresh;
  }

  /** The params form of a notebook: each param with its default resolved at the server's now. */
  paramFields(nb: Notebook): ParamField[] {
    const now = this.ctx.clock();
    return Object.entries(nb.top.params ?? {}).map(([name, spec]) => {
      let resolved: unknown = null;
      if (spec.default !== undefined) {
        const r = coerceParamValue(spec, spec.default, { fromCli: false, now, timezone: nb.project.config.timezone });
        resolved = r.ok ? r.value : null;
      }
      return {
        name,
        type: spec.type,
        label: spec.label ?? name,
        description: spec.description ?? null,
        options: spec.options ?? null,
        default: spec.default ?? null,
        resolved_default: resolved,
        required: spec.default === undefined,
      };
    });
  }

  /** Every schedule of the project with its next fire times (from now). */
  schedules(count = 5): ListedSchedule[] {
    return listSchedules(this.ctx.root, { timezone: this.ctx.project.config.timezone, from: this.ctx.clock().getTime(), count, exclude: [this.ctx.runsDir] }).schedules;
  }

  /** The newest run of a notebook, from the runs index. */
  lastRun(id: string): RunIndexEntry | null {
    return this.ctx.index.query({ notebook: id }, 0, 1).runs[0] ?? null;
  }
}

/** The title with its Liquid rendered over the default params (as a run now would title it). */
function displayTitle(nb: Notebook, now: Date): string {
  try {
    return titleRenderer(resolveParams(nb.top.params ?? {}, {}, { now, timezone: nb.project.config.timezone }))(nb.top.title);
  } catch {
    return nb.top.title; // a required param without default: shown as written
  }
}
