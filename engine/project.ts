import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve, isAbsolute } from 'node:path';
import { tmpdir } from 'node:os';
import * as z from 'zod';
import { UserError, ValidationErrors, type SourceLocation } from './util/errors.js';
import { YamlSource } from './source/source.js';
import { zodIssuesToErrors } from './source/zod-errors.js';
import { connectionsSchema } from './connections/index.js';
import { sourcesSchema } from './file-sources/index.js';

export const projectConfigSchema = z.strictObject({
  database: z.string().min(1).default(':memory:'),
  metrics: z.array(z.string().min(1)).default(['metrics']),
  runs_dir: z.string().min(1).default('runs'),
  timezone: z.string().default('UTC'),
  connections: connectionsSchema.default({}),
  /** Files (.xlsx, .csv, .tsv, .parquet) that become tables of their name, e.g. `budget: { file: data/budget.xlsx, sheet: FY26 }`. */
  sources: sourcesSchema.default({}),
  smtp: z.strictObject({ url: z.string(), from: z.string() }).optional(),
  theme: z.enum(['light', 'dark']).optional(),
  /** Where mailed reports link to, e.g. https://reports.example.com/runs/{run_id} (`{notebook}` too); without it a mail has no link. */
  report_url: z.string().url().optional(),
  /** What a text cell prints for a NULL or missing value (`{{ x }}` of a month without data); each one is logged as a warning. */
  missing_text: z.string().default('n/a'),
  /** Longest run of a query or metric cell that sets no `timeout_ms` of its own. */
  sql_timeout_ms: z.number().int().positive().default(3_600_000),
  /** Folders notebook SQL may read and write files in (relative to the project); `any`: no restriction. */
  allowed_directories: z.union([z.array(z.string().min(1)), z.literal('any')]).default(['.']),
  /** A PostgreSQL job queue shared by workers and schedulers on any number of machines (engine/queue); without it runs stay in-process. */
  queue: z
    .strictObject({
      url: z.string().min(1),
      /** A worker that has not renewed a run's lease for this long is taken as lost: the run is retried elsewhere. */
      lease_seconds: z.number().positive().default(30),
      /** Times a run is tried before it is `failed` with "worker lost". */
      attempts: z.number().int().min(1).default(3),
    })
    .optional(),
});

export type ProjectConfig = z.infer<typeof projectConfigSchema>;

export interface Project {
  root: string;
  /** Path of quire.yaml, or null when the project is just the notebook's folder. */
  configPath: string | null;
  config: ProjectConfig;
  /** Where a key of quire.yaml lies (for errors found after loading, e.g. a missing source file); absent without quire.yaml. */
  locate?: (path: (string | number)[]) => SourceLocation;
}

/** The nearest folder at or above `start` holding quire.yaml; else `start` itself. */
export function findProjectRoot(start: string): { root: string; configPath: string | null } {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, 'quire.yaml');
    if (existsSync(candidate)) return { root: dir, configPath: candidate };
    const parent = dirname(dir);
    if (parent === dir) return { root: resolve(start), configPath: null };
    dir = parent;
  }
}

/** A `${NAME}` of quire.yaml that is not set: where, and the error naming it. */
interface MissingEnv {
  path: (string | number)[];
  error: UserError;
}

/** `${NAME}` → environment value; a missing variable is an error naming it (and its value becomes ''). */
function substituteEnv(value: unknown, source: YamlSource, path: (string | number)[], missing: MissingEnv[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = process.env[name];
      if (v === undefined) {
        const error = new UserError('E_ENV_MISSING', `environment variable ${name} is not set`, {
          location: source.locate(path),
          hint: `export ${name}=... before running quire, or remove it from quire.yaml`,
        });
        missing.push({ path, error });
        return '';
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, source, [...path, i], missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, source, [...path, k], missing)]));
  }
  return value;
}

/** Whether a schema issue is about a value a missing variable emptied (its own E_ENV_MISSING says it better). */
function causedByMissingEnv(issue: z.core.$ZodIssue, missing: readonly MissingEnv[]): boolean {
  return missing.some((m) => m.path.length === issue.path.length && m.path.every((k, i) => k === issue.path[i]));
}

export function loadProject(startDir: string): Project {
  const { root, configPath } = findProjectRoot(startDir);
  if (!configPath) return { root, configPath, config: projectConfigSchema.parse({}) };
  const { source, errors } = YamlSource.parse(configPath, readFileSync(configPath, 'utf8'));
  if (errors.length) throw new ValidationErrors(errors);
  const raw = source.toJS() ?? {};
  const missing: MissingEnv[] = [];
  const substituted = substituteEnv(raw, source, [], missing);
  const parsed = projectConfigSchema.safeParse(substituted);
  const schemaIssues = parsed.success ? [] : parsed.error.issues.filter((issue) => !causedByMissingEnv(issue, missing));
  const all = [...missing.map((m) => m.error), ...zodIssuesToErrors(schemaIssues, source, projectConfigSchema)];
  if (all.length || !parsed.success) throw new ValidationErrors(all);
  return { root, configPath, config: parsed.data, locate: (path) => source.locate(path) };
}

/**
 * The folders DuckDB may touch in a run: `allowed_directories` of quire.yaml (default: the project
 * folder), plus what Quire itself needs: the runs folder (cache and result tables), the folders of
 * the attached database files and the temp folders code cells hand tables through. Null: anywhere.
 */
export function duckAllowedDirectories(project: Project, runsDir: string, databaseFiles: string[]): string[] | null {
  const allowed = project.config.allowed_directories;
  if (allowed === 'any') return null;
  const temp = [tmpdir(), ...(existsSync('/dev/shm') ? ['/dev/shm'] : [])];
  const dirs = [...allowed.map((d) => projectPath(project, d)), resolve(runsDir), ...databaseFiles.map((f) => dirname(f)), ...temp];
  return [...new Set(dirs.map((d) => resolve(d)))];
}

/** A path from a notebook or quire.yaml, resolved against the project root (not the cwd). */
export function projectPath(project: Project, p: string): string {
  return isAbsolute(p) || p === ':memory:' ? p : join(project.root, p);
}
