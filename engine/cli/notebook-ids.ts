/**
 * A notebook named on the command line (`quire runs list <notebook>`, `quire cache clear
 * <notebook>`) that names nothing is an error listing what does exist, never an empty answer.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse } from 'yaml';
import { NOTEBOOK_ID } from '../notebook/schema.js';
import { projectPath, type Project } from '../project.js';
import { notebookFiles } from '../schedule/discover.js';
import { templatesDir } from '../templates/catalog.js';
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';

/** The ids of the project's notebooks: `id:`, else the file name, of each YAML file with `cells:`. */
export function projectNotebookIds(project: Project): string[] {
  const ids = new Set<string>();
  for (const path of notebookFiles(project.root, [projectPath(project, project.config.runs_dir), templatesDir()])) {
    let raw: unknown;
    try {
      raw = parse(readFileSync(path, 'utf8'));
    } catch {
      continue; // not a notebook this command could name; `quire validate` reports it
    }
    if (!raw || typeof raw !== 'object' || !('cells' in raw)) continue;
    const id = (raw as { id?: unknown }).id;
    const name = typeof id === 'string' ? id : basename(path, extname(path));
    if (NOTEBOOK_ID.test(name)) ids.add(name);
  }
  return [...ids].sort();
}

const MAX_LISTED = 20;

function listed(ids: readonly string[]): string {
  if (!ids.length) return 'none';
  const shown = ids.slice(0, MAX_LISTED).join(', ');
  return ids.length > MAX_LISTED ? `${shown} and ${ids.length - MAX_LISTED} more` : shown;
}

export interface KnownNotebooks {
  /** What the command reads, e.g. "runs" or "cached results". */
  what: string;
  /** The notebook ids that have some of it. */
  ids: readonly string[];
  /** The project whose notebooks may be named too (with none of `what` yet); null: only `ids`. */
  project: Project | null;
  /** What to do instead, e.g. "`quire cache clear` without a notebook clears them all". */
  hint?: string;
}

/**
 * Throws `E_NOTEBOOK_UNKNOWN` unless `id` (from the argument `name`, a missing file or an id) is
 * one of `known.ids` or a notebook of the project; the message names the closest id and the hint
 * lists them. The project is scanned only when `id` is not among `known.ids`.
 */
export function requireKnownNotebook(name: string, id: string, known: KnownNotebooks): void {
  if (known.ids.includes(id)) return;
  const projectIds = known.project ? projectNotebookIds(known.project) : [];
  if (projectIds.includes(id)) return;
  const asFile = /[\\/]|\.ya?ml$/i.test(name);
  const suggestion = didYouMean(asFile ? basename(name, extname(name)) : id, [...new Set([...known.ids, ...projectIds])]);
  const subject = asFile ? `no notebook file '${name}', and no notebook or ${known.what} with that id` : `no notebook or ${known.what} named '${id}'`;
  const lists = [`notebooks with ${known.what}: ${listed(known.ids)}`, ...(known.project ? [`notebooks in this project: ${listed(projectIds)}`] : [])];
  throw new UserError('E_NOTEBOOK_UNKNOWN', `${subject}${suggestion ? ` — ${suggestion}` : ''}`, {
    hint: `${lists.join('; ')}. Give a notebook id or the path of its file${known.hint ? `, or ${known.hint}` : ''}`,
  });
}
