/**
 * The project's notebooks as the server shows them: found like the scheduler finds them (YAML
 * files with top-level `cells:`), read with the server's engine state (its parse cache), keyed by
 * notebook id. A notebook with problems is still listed, with them. Every call looks at the files
 * again (a folder walk and a stat each): a file is read again when it changed, so an edit shows
 * on the next request, never a stale list.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
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

/** A file's identity and version: a changed stamp means the file must be read again. */
function stampOf(path: string): string | null {
  try {
    const st = statSync(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  } catch {
    return null;
  }
}

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
  /** Each YAML file as last read, by path: its stamp (with quire.yaml's, which every notebook carries) and its entry (null: not a notebook). */
  private readonly known = new Map<string, { stamp: string; entry: NotebookEntry | null }>();

  constructor(private readonly ctx: CatalogDeps) {}

  /** Every notebook of the project, as its file is now. */
  all(): NotebookEntry[] {
    return [...this.scan().values()];
  }

  /** A notebook by id, as its file is now; 404 when there is none. Ids are checked before any file is touched. */
  get(id: string): NotebookEntry {
    if (!NOTEBOOK_ID.test(id)) throw new HttpProblem(404, 'E_NOTEBOOK_NOT_FOUND', `no notebook '${id}'`, 'notebook ids are lower-case letters, digits, - and _');
    const e = this.scan().get(id);
    if (!e) throw new HttpProblem(404, 'E_NOTEBOOK_NOT_FOUND', `no notebook '${id}' in this project`, 'GET /api/v1/notebooks lists them');
    return e;
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

  private scan(): Map<string, NotebookEntry> {
    const entries = new Map<string, NotebookEntry>();
    const project = stampOf(join(this.ctx.root, 'quire.yaml')) ?? '';
    const seen = new Set<string>();
    const now = this.ctx.clock();
    // The template gallery's sources are not the project's notebooks (when the project is quire's own folder).
    for (const path of notebookFiles(this.ctx.root, [this.ctx.runsDir, templatesDir()])) {
      const file = stampOf(path);
      if (!file) continue;
      seen.add(path);
      const stamp = `${file}|${project}`;
      let known = this.known.get(path);
      if (known?.stamp !== stamp) {
        known = { stamp, entry: this.readIfNotebook(path) };
        this.known.set(path, known);
      }
      const e = known.entry;
      // The title is rendered again each time: a relative default (previous_month) moves with the clock.
      if (e && !entries.has(e.id)) entries.set(e.id, e.nb ? { ...e, title: displayTitle(e.nb, now) } : e);
    }
    for (const path of this.known.keys()) if (!seen.has(path)) this.known.delete(path);
    return entries;
  }

  private readIfNotebook(path: string): NotebookEntry | null {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return null;
    }
    if (!/^cells\s*:/m.test(text)) return null; // metric specs, templates' metadata, other YAML
    return this.read(path);
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
