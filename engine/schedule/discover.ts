/**
 * Finds the schedules of every notebook under a folder. Reads only what scheduling needs (the
 * YAML and its `schedules:`), so listing a thousand schedules stays fast; a run loads and
 * validates its notebook in full.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { findProjectRoot, loadProject } from '../project.js';
import { parse as parseYaml } from 'yaml';
import { scheduleSchema } from '../notebook/schema.js';
import { NOTEBOOK_ID } from '../notebook/schema.js';
import type { z } from 'zod';
import { cronProblem } from './cron.js';
import { timezoneProblem } from './tz.js';
import { EXPORT_FORMATS, exporterOf } from '../export/index.js';

export type ScheduleSpec = z.infer<typeof scheduleSchema>;

export interface ScheduleDef {
  /** `<notebook path relative to the root>#<schedule name>`: the schedule's identity. */
  key: string;
  notebookPath: string;
  notebookRel: string;
  notebookId: string;
  title: string;
  spec: ScheduleSpec;
  timezone: string;
  missed: 'skip' | 'once' | 'all';
  overlap: 'skip' | 'queue';
  retries: number;
  /** Changes when cron or timezone change (the stored next time is then recomputed). */
  timing: string;
  /** Changes when anything in the schedule changes. */
  hash: string;
}

export interface NotebookSchedules {
  path: string;
  rel: string;
  schedules: ScheduleDef[];
  /** Problems that keep (some of) this notebook's schedules from being used. */
  problems: string[];
}

const SKIP_DIRS = new Set(['node_modules', 'dist', 'runs']);

/**
 * `.yaml`/`.yml` files under `root` (not quire.yaml, hidden folders, node_modules or `exclude`).
 * A folder with its own quire.yaml is another project (test fixtures, a team's sub-project): not entered.
 */
export function notebookFiles(root: string, exclude: string[] = []): string[] {
  const out: string[] = [];
  const excluded = new Set(exclude.map((p) => resolve(p)));
  const walk = (dir: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        if (depth < 8 && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name) && !excluded.has(full) && !existsSync(join(full, 'quire.yaml'))) walk(full, depth + 1);
      } else if (/\.ya?ml$/.test(e.name) && e.name !== 'quire.yaml') out.push(full);
    }
  };
  walk(resolve(root), 0);
  return out;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** The schedules of one YAML file; a file without `schedules:` (or not a notebook) has none. */
export function readSchedules(path: string, root: string, projectTimezone: string, text?: string): NotebookSchedules {
  const rel = relative(root, path).split(sep).join('/');
  const out: NotebookSchedules = { path, rel, schedules: [], problems: [] };
  let raw: unknown;
  try {
    const source = text ?? readFileSync(path, 'utf8');
    // Only notebooks with a top-level `schedules:` matter (metric specs and others are skipped unparsed).
    if (!/^schedules\s*:/m.test(source)) return out;
    raw = parseYaml(source);
  } catch (err) {
    out.problems.push(`${rel}: not readable YAML: ${(err as Error).message.split('\n')[0]}`);
    return out;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  const record = raw as Record<string, unknown>;
  if (record.schedules === undefined) return out;
  if (!Array.isArray(record.schedules)) {
    out.problems.push(`${rel}: schedules: must be a list`);
    return out;
  }
  const fileId = basename(path, extname(path));
  const notebookId = typeof record.id === 'string' ? record.id : fileId;
  if (!NOTEBOOK_ID.test(notebookId)) out.problems.push(`${rel}: '${notebookId}' is not a valid notebook id`);
  const title = typeof record.title === 'string' ? record.title : notebookId;
  const seen = new Set<string>();
  record.schedules.forEach((item, i) => {
    const parsed = scheduleSchema.safeParse(item);
    const name = (item as { name?: unknown })?.name;
    const label = `${rel}: schedule '${typeof name === 'string' ? name : `#${i + 1}`}'`;
    if (!parsed.success) {
      out.problems.push(`${label}: ${parsed.error.issues.map((x) => `${x.path.join('.') || 'schedule'}: ${x.message}`).join('; ')}`);
      return;
    }
    const spec = parsed.data;
    const timezone = spec.timezone ?? projectTimezone;
    const badFormat = [...(spec.export ?? []), ...(spec.email?.attach ?? [])].find((f) => !exporterOf(f));
    const problem = cronProblem(spec.cron) ?? timezoneProblem(timezone) ?? (badFormat === undefined ? null : `unknown export format '${badFormat}' (export formats: ${EXPORT_FORMATS.join(', ')})`);
    if (problem) {
      out.problems.push(`${label}: ${problem}`);
      return;
    }
    if (seen.has(spec.name)) {
      out.problems.push(`${label}: declared twice`);
      return;
    }
    seen.add(spec.name);
    out.schedules.push({
      key: `${rel}#${spec.name}`,
      notebookPath: path,
      notebookRel: rel,
      notebookId,
      title,
      spec,
      timezone,
      missed: spec.missed ?? 'once',
      overlap: spec.overlap ?? 'skip',
      retries: spec.retries ?? 2,
      timing: sha(JSON.stringify([spec.cron.trim().split(/\s+/), timezone])),
      hash: sha(JSON.stringify([spec, timezone, notebookId, rel])),
    });
  });
  return out;
}

/** The timezone of the project a notebook belongs to (its nearest quire.yaml), else `fallback`. */
function projectTimezoneOf(dir: string, fallback: string, cache: Map<string, string>): string {
  let tz = cache.get(dir);
  if (tz === undefined) {
    try {
      const { configPath } = findProjectRoot(dir);
      tz = configPath ? loadProject(dir).config.timezone : fallback;
    } catch {
      tz = fallback;
    }
    cache.set(dir, tz);
  }
  return tz;
}

/** A cache of `readSchedules` by file, re-read only when a file's size or mtime changes. */
export class ScheduleScanner {
  private cache = new Map<string, { stamp: string; result: NotebookSchedules }>();
  private timezones = new Map<string, string>();

  constructor(
    readonly root: string,
    readonly projectTimezone: string,
    readonly exclude: string[] = [],
  ) {}

  scan(): NotebookSchedules[] {
    this.timezones.clear();
    const files = notebookFiles(this.root, this.exclude);
    const next = new Map<string, { stamp: string; result: NotebookSchedules }>();
    for (const file of files) {
      let stamp: string;
      try {
        const st = statSync(file);
        stamp = `${st.size}:${st.mtimeMs}`;
      } catch {
        continue;
      }
      const hit = this.cache.get(file);
      if (hit && hit.stamp === stamp) next.set(file, hit);
      else next.set(file, { stamp, result: readSchedules(file, this.root, projectTimezoneOf(dirname(file), this.projectTimezone, this.timezones)) });
    }
    this.cache = next;
    return [...next.values()].map((v) => v.result);
  }
}
