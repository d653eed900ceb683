import type { DuckDBConnection } from '@duckdb/node-api';
import type { QuireError } from '../util/errors.js';
import type { NotebookDefinitions } from '../cell-type.js';
import type { YamlSource } from '../source/source.js';
import type { Project } from '../project.js';
import { loadCatalog, type MetricCatalog } from './catalog.js';

interface Entry {
  loaded: Promise<{ catalog: MetricCatalog; errors: QuireError[] }>;
  reported: boolean;
}

/** One catalog per loaded notebook (keyed by its YAML source), shared by its metric cells. */
const cache = new WeakMap<YamlSource, Entry>();

/**
 * The catalog a notebook's metric cells use: the project's spec folders plus its `definitions:`.
 * `errors` holds the spec problems only for the first caller, so validation lists each once.
 */
export async function notebookCatalog(
  source: YamlSource,
  project: Project,
  definitions: NotebookDefinitions,
  parser: DuckDBConnection,
): Promise<{ catalog: MetricCatalog; errors: QuireError[]; allErrors: QuireError[] }> {
  let entry = cache.get(source);
  if (!entry) {
    entry = { loaded: loadCatalog({ project, definitions, notebookSource: source, parser }), reported: false };
    cache.set(source, entry);
  }
  const { catalog, errors } = await entry.loaded;
  const first = !entry.reported;
  entry.reported = true;
  return { catalog, errors: first ? errors : [], allErrors: errors };
}
