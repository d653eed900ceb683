/**
 * Cheap fingerprints of the files cells read, for cache keys. The databases' own fingerprints
 * come from their connections (engine/connections: a DuckDB file's is the size and mtime of it
 * and its WAL, so any committed write by anyone is seen).
 *
 * Detected: a file read by SQL through a table function or `FROM 'file'` (size + mtime; globs:
 * every file under the folder before the first wildcard); metric spec files and the data files
 * they name (for cell types that do not declare what they read).
 * Not detected: files reached indirectly (a view or macro inside the database reading a file,
 * a path built at run time), remote URLs (such cells are never cached), and a file rewritten
 * with the same size within the file system's mtime resolution.
 */
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { sha256 } from '../util/hash.js';
import { fileStamp } from '../util/file-stamp.js';

const MAX_FILES = 10_000;

/** Every file under `dir` (recursively), capped. */
function listFiles(dir: string, out: string[] = []): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (out.length >= MAX_FILES) break;
    const p = join(dir, e.name);
    if (e.isDirectory()) listFiles(p, out);
    else out.push(p);
  }
  return out;
}

export const isRemote = (p: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(p);

/** size:mtime of each file a path names (a glob: the files under its fixed folder). */
export function fileStamps(root: string, paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of [...new Set(paths)].sort()) {
    const abs = isAbsolute(p) ? p : join(root, p);
    const wild = abs.search(/[*?[{]/);
    if (wild < 0) {
      out.push(`${p}=${fileStamp(abs)}`);
      continue;
    }
    const base = abs.slice(0, abs.lastIndexOf(sep, wild) + 1) || root;
    for (const f of listFiles(base)) out.push(`${relative(root, f)}=${fileStamp(f)}`);
  }
  return out;
}

const DATA_FILE = /[\w./-]+\.(parquet|csv|tsv|json|jsonl|ndjson)(\.gz|\.zst)?/gi;

/**
 * For cell types that don't declare what they read: the metric spec files (folders of
 * quire.yaml `metrics:`), the data files named in them or in the notebook's definitions, and the
 * definitions themselves.
 */
export function projectFilesFingerprint(root: string, metricDirs: readonly string[], definitions: unknown): string {
  const specFiles = metricDirs.flatMap((d) => {
    const abs = isAbsolute(d) ? d : join(root, d);
    try {
      return statSync(abs).isDirectory() ? listFiles(abs) : [abs];
    } catch {
      return [];
    }
  });
  const named = new Set<string>();
  const defsText = JSON.stringify(definitions ?? null);
  for (const text of [defsText, ...specFiles.map((f) => safeRead(f))]) for (const m of text.matchAll(DATA_FILE)) named.add(m[0]);
  const stamps = [
    ...fileStamps(root, specFiles),
    ...fileStamps(
      root,
      [...named].filter((p) => !isRemote(p)),
    ),
  ];
  return sha256(JSON.stringify([stamps, defsText]));
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(0, 1_000_000);
  } catch {
    return '';
  }
}
