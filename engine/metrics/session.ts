/**
 * A DuckDB session for the metric catalog of a project, shared by `quire metrics` and the server:
 * the project's database and DuckDB connections attached read-only, file access limited as in a run.
 */
import { DuckSession } from '../duck/duck.js';
import type { DuckInstancePool } from '../duck/duck-pool.js';
import { RunConnections } from '../connections/run-connections.js';
import { duckAllowedDirectories, projectPath, type Project } from '../project.js';
import type { MetricSpec, SegmentSpec, SliceSpec } from './specs.js';

/** A session on the project (or, without the database, one for parsing SQL only). */
export async function openMetricsSession(project: Project, withDatabase: boolean, pool?: DuckInstancePool): Promise<DuckSession> {
  const { database, attach } = new RunConnections(project).sessionDatabases();
  // metric SQL reaches the same files a run's SQL may
  const files = [database, ...attach.map((a) => a.path)].filter((p) => p !== ':memory:');
  const allowedDirectories = duckAllowedDirectories(project, projectPath(project, project.config.runs_dir), files);
  const common = { fileSearchPath: project.root, timezone: project.config.timezone, allowedDirectories, pool };
  if (!withDatabase) return DuckSession.open({ database: ':memory:', ...common });
  return DuckSession.open({ database, attach, ...common });
}

const INTERNAL = new Set(['kind', 'origin', 'num', 'den', 'filterExprs', 'expr', 'tables']);

/** A spec's fields as written (name, source, aggregation...), without the compiler's working parts. */
export function specFields(spec: MetricSpec | SliceSpec | SegmentSpec): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec).filter(([k, v]) => !INTERNAL.has(k) && v !== undefined));
}
