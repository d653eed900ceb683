import { QuireError, UserError } from '../util/errors.js';
import type { YamlPath, YamlSource } from '../source/source.js';

/**
 * DuckDB errors quote the statement as "LINE n: <text>" with a caret under the culprit. Map that
 * back to the YAML file: `lineOffset` is how many lines the engine put before the user's SQL.
 */
export function locateDuckError(message: string, sql: string, source: YamlSource, sqlPath: YamlPath, lineOffset: number) {
  const lines = message.split('\n');
  const idx = lines.findIndex((l) => /^LINE \d+:/.test(l));
  if (idx < 0) return source.locate(sqlPath);
  const m = /^LINE (\d+): /.exec(lines[idx])!;
  const sqlLine = Number(m[1]) - 1 - lineOffset;
  const caret = (lines[idx + 1] ?? '').indexOf('^');
  const shown = lines[idx].slice(m[0].length);
  const sqlLines = sql.split('\n');
  let col = caret >= 0 ? caret - m[0].length : 0;
  if (shown.startsWith('...')) {
    const visible = shown.slice(3, 20);
    const at = (sqlLines[sqlLine] ?? '').indexOf(visible);
    col = at >= 0 ? at + (col - 3) : 0;
  }
  if (sqlLine < 0 || sqlLine >= sqlLines.length) return source.locate(sqlPath);
  const offset = sqlLines.slice(0, sqlLine).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, Math.min(col, (sqlLines[sqlLine] ?? '').length));
  return source.locateInString(sqlPath, offset);
}

/** DuckDB's message without its trailing `LINE n:` quote of the statement (the location points there instead). */
export function withoutSqlQuote(message: string): string {
  return message
    .replace(/\n*LINE \d+:[\s\S]*$/, '')
    .replace(SYSTEM_SUGGESTION, '')
    .trim();
}

/** DuckDB's "Did you mean" naming one of its own catalog tables (`orders` → `pg_prepared_statements`) misleads: dropped. */
const SYSTEM_SUGGESTION = /\n?Did you mean "(?:[\w.]*\.)?(?:pg_|duckdb_|sqlite_|information_schema)[^"]*"\?/;

/** A DuckDB failure of a cell, as a located error whose message names the cell. */
export function sqlRuntimeError(err: unknown, cellId: string, sql: string, source: YamlSource, sqlPath: YamlPath, lineOffset: number): QuireError {
  if (err instanceof QuireError) return err;
  const message = (err as Error).message ?? String(err);
  const headline = message.split('\n')[0];
  const location = locateDuckError(message, sql, source, sqlPath, lineOffset);
  // The whole message but its `LINE n:` quote: DuckDB's "Candidate bindings" / "Did you mean" lines are the fix.
  // A missing extension's advice (INSTALL / SET autoinstall) can't be followed here: the headline and our hint only.
  const shown = /^Missing Extension Error/.test(headline) ? headline : withoutSqlQuote(message);
  return new UserError('E_SQL', `cell ${cellId} failed: ${shown}`, {
    location,
    hint: hintFor(headline),
    cause: err,
  });
}

function hintFor(headline: string): string {
  if (/^Catalog Error: Table .* does not exist/.test(headline)) return 'check the table name; cell results are tables named by cell id';
  if (/No files found|IO Error/.test(headline)) return 'check the file path; relative paths resolve against the project root (the folder with quire.yaml)';
  if (/^Binder Error/.test(headline)) return 'check column names and types in this statement';
  if (/INTERRUPT/i.test(headline)) return 'the run was interrupted';
  if (/^Missing Extension Error/.test(headline)) return 'Quire never installs DuckDB extensions (no network access is assumed): copy the file into the project folder and read it from there';
  return 'fix the SQL of this cell; `quire validate` checks syntax without running';
}
