import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, relative, resolve } from 'node:path';
import { UserError, ValidationErrors, type QuireError } from '../util/errors.js';
import { loadProject, type Project } from '../project.js';
import { didYouMean } from '../util/suggest.js';
import type { BaseCell, CellType, CellTypes } from '../cell-type.js';
import { YamlSource, type YamlPath } from '../source/source.js';
import { notebookSchema, NOTEBOOK_ID, type NotebookTop } from './schema.js';
import { paramsSchema } from '../params/index.js';
import { zodIssuesToErrors } from '../source/zod-errors.js';
import { validSources } from './sources.js';
import type { StateKey } from '../util/state.js';

export interface NotebookCell {
  spec: BaseCell;
  cellType: CellType<BaseCell>;
  /** Where the cell sits in the YAML: ['cells', i]. */
  path: YamlPath;
}

/** A notebook that passed schema checks, with its source kept for located errors. */
export interface Notebook {
  id: string;
  /** Absolute path of the YAML file. */
  path: string;
  /** The path as shown in messages (relative to the cwd when inside it). */
  displayPath: string;
  sha256: string;
  source: YamlSource;
  project: Project;
  top: NotebookTop;
  cells: NotebookCell[];
}

const MAX_PARSED = 64;

/**
 * Notebooks that checked out, by path and text, per cell-type registry: a long-lived process (the
 * scheduler, a program) rereads the same ones. One per EngineState (PARSED_NOTEBOOKS), so two
 * states never serve each other's notebooks.
 */
export class ParsedNotebooks {
  private readonly byRegistry = new WeakMap<CellTypes, Map<string, Notebook>>();

  get(cellTypes: CellTypes, key: string): Notebook | undefined {
    return this.byRegistry.get(cellTypes)?.get(key);
  }

  set(cellTypes: CellTypes, key: string, notebook: Notebook): void {
    let parsed = this.byRegistry.get(cellTypes);
    if (!parsed) {
      parsed = new Map();
      this.byRegistry.set(cellTypes, parsed);
    }
    if (parsed.size >= MAX_PARSED) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, notebook);
  }
}

/** The notebook parse cache of an engine state. */
export const PARSED_NOTEBOOKS: StateKey<ParsedNotebooks> = { name: 'notebook parse cache', create: () => new ParsedNotebooks() };

function displayPathOf(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') ? rel : abs;
}

/**
 * Reads and schema-checks a notebook. Every problem found is reported at once as a
 * ValidationErrors of located UserErrors; nothing is returned half-valid.
 */
export function loadNotebook(path: string, cellTypes: CellTypes, parsed?: ParsedNotebooks): Notebook {
  const { notebook, errors } = readNotebook(path, cellTypes, parsed);
  if (errors.length || !notebook) throw new ValidationErrors(errors);
  return notebook;
}

/** Notebooks are code, not data; a bigger file is a mistake (or an attack on the parser). */
export const MAX_NOTEBOOK_BYTES = 5_000_000;

/**
 * Reads a notebook leniently: the problems found so far, and the notebook made of whatever
 * passed (cells with schema errors left out) so later checks can still report theirs.
 * `notebook` is null only when the file can't be read as a YAML mapping. Notebooks that check out
 * are kept in `parsed` (an EngineState's) and served from it while the file's text is unchanged.
 */
export function readNotebook(path: string, cellTypes: CellTypes, parsed?: ParsedNotebooks): { notebook: Notebook | null; errors: QuireError[] } {
  const abs = resolve(path);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new UserError('E_NOTEBOOK_MISSING', `notebook not found: ${path}`, {
      hint: 'check the path; notebooks are .yaml files (see notebooks/ for examples)',
    });
  }
  if (basename(abs) === 'quire.yaml') {
    throw new UserError('E_NOT_A_NOTEBOOK', `${path} is the project file (database, connections, metrics...), not a notebook`, {
      hint: 'give the notebooks themselves, e.g. quire validate notebooks/*.yaml',
    });
  }
  const size = statSync(abs).size;
  if (size > MAX_NOTEBOOK_BYTES) {
    throw new UserError('E_NOTEBOOK_TOO_LARGE', `notebook ${path} is ${(size / 1e6).toFixed(1)} MB; the limit is ${MAX_NOTEBOOK_BYTES / 1e6} MB`, {
      hint: 'keep data out of the notebook: put it in a file or the database and query it',
    });
  }
  const text = readFileSync(abs, 'utf8');
  const displayPath = displayPathOf(abs);
  const key = `${abs}\n${displayPath}\n${text}`;
  const known = parsed?.get(cellTypes, key);
  if (known) return { notebook: { ...known, project: loadProject(resolve(abs, '..')) }, errors: [] };
  const read = parseNotebook(abs, displayPath, text, cellTypes);
  if (read.notebook && !read.errors.length) parsed?.set(cellTypes, key, read.notebook);
  return read;
}

function parseNotebook(abs: string, displayPath: string, text: string, cellTypes: CellTypes): { notebook: Notebook | null; errors: QuireError[] } {
  const { source, errors: yamlErrors } = YamlSource.parse(displayPath, text);
  if (yamlErrors.length) return { notebook: null, errors: yamlErrors };
  const project = loadProject(resolve(abs, '..'));

  const raw = source.toJS();
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    const error = new UserError('E_SCHEMA', 'a notebook is a YAML mapping with at least `title:` and `cells:`', {
      location: source.at(0),
      hint: 'start from a notebook in notebooks/ or `quire schema` for the full format',
    });
    return { notebook: null, errors: [error] };
  }
  const record = raw as Record<string, unknown>;
  const errors: QuireError[] = [];
  const top = notebookSchema.safeParse(raw);
  if (!top.success) errors.push(...zodIssuesToErrors(top.error.issues, source, notebookSchema));

  const cells = loadCells(Array.isArray(record.cells) ? record.cells : [], source, errors, cellTypes);

  const fileId = basename(abs, extname(abs));
  if (record.id === undefined && !NOTEBOOK_ID.test(fileId)) {
    errors.push(
      new UserError('E_NOTEBOOK_ID', `the file name '${fileId}' is not a valid notebook id`, {
        location: source.at(0),
        hint: 'add `id: some-name` (lowercase letters, digits, - and _) at the top, or rename the file',
      }),
    );
  }
  const params = paramsSchema.safeParse(record.params ?? {});
  const notebook: Notebook = {
    id: typeof record.id === 'string' ? record.id : fileId,
    path: abs,
    displayPath,
    sha256: createHash('sha256').update(text).digest('hex'),
    source,
    project,
    top: top.success ? top.data : { title: typeof record.title === 'string' ? record.title : '', cells: [], params: params.success ? params.data : {}, sources: validSources(record.sources) },
    cells,
  };
  return { notebook, errors };
}

function loadCells(rawCells: unknown[], source: YamlSource, errors: QuireError[], cellTypes: CellTypes): NotebookCell[] {
  const cells: NotebookCell[] = [];
  const seen = new Map<string, YamlPath>();
  const typeNames = cellTypes.map((c) => c.type);
  rawCells.forEach((rawCell, i) => {
    const path: YamlPath = ['cells', i];
    if (!rawCell || typeof rawCell !== 'object' || Array.isArray(rawCell)) {
      errors.push(new UserError('E_SCHEMA', `cells[${i}] must be a mapping with id: and type:`, { location: source.locate(path), hint: 'e.g. `- id: orders\\n  type: query\\n  sql: SELECT ...`' }));
      return;
    }
    const cell = rawCell as Record<string, unknown>;
    if (typeof cell.type !== 'string') {
      errors.push(new UserError('E_SCHEMA', `cells[${i}] has no type`, { location: source.locate(path), hint: `add 'type:' — one of ${typeNames.join(', ')}` }));
      return;
    }
    const cellType = cellTypes.find((c) => c.type === cell.type);
    if (!cellType) {
      const dym = didYouMean(cell.type, typeNames);
      errors.push(
        new UserError('E_CELL_TYPE_UNKNOWN', `unknown cell type '${cell.type}'${dym ? ` — ${dym}` : ''}`, {
          location: source.locate([...path, 'type']),
          hint: `cell types available: ${typeNames.join(', ')}`,
        }),
      );
      return;
    }
    const parsed = cellType.schema.safeParse(cell);
    if (!parsed.success) {
      errors.push(...zodIssuesToErrors(parsed.error.issues, source, cellType.schema, path));
      return;
    }
    const spec = parsed.data;
    const first = seen.get(spec.id);
    if (first) {
      errors.push(
        new UserError('E_DUPLICATE_ID', `duplicate cell id '${spec.id}' (first declared at line ${source.locate(first).line})`, {
          location: source.locate([...path, 'id']),
          hint: 'cell ids must be unique in a notebook; rename one of them',
        }),
      );
      return;
    }
    seen.set(spec.id, path);
    cells.push({ spec, cellType, path });
  });
  return cells;
}
