/**
 * Checks specs against real data without running anything: each SQL expression is prepared
 * (bound) over its source, so unknown columns, functions and tables surface with DuckDB's
 * message, located at the spec field that holds the culprit.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { QuireError } from '../util/errors.js';
import { quoteIdent } from '../duck/duck.js';
import { locateDuckError } from '../sql/errors.js';
import type { YamlPath } from '../source/source.js';
import { specError } from './spec-errors.js';
import type { ResolvedSource } from './sources.js';
import type { AnySpec, MetricSpec, SegmentSpec, SliceSpec } from './specs.js';

const TIME_TYPES = /^(DATE|TIMESTAMP)/;

function hintOf(message: string): string {
  const candidates = message.split('\n').find((l) => /^(Candidate bindings|Did you mean)/.test(l));
  return candidates ? `${candidates.trim()}` : 'check the column and table names against the source';
}

/** Prepares `before\n<expr>\nafter`; on failure, the error located inside the spec's string. */
async function bindExpr(conn: DuckDBConnection, spec: AnySpec, path: YamlPath, expr: string, before: string, after: string, context = ''): Promise<QuireError | null> {
  try {
    const stmt = await conn.prepare(`${before}\n${expr}\n${after}`);
    stmt.destroySync();
    return null;
  } catch (err) {
    const message = (err as Error).message;
    const location = locateDuckError(message, expr, spec.origin.source, path, 1);
    const field = path.slice(spec.origin.path.length).join('.');
    return specError('E_METRIC_BIND', spec.kind, spec.name, spec.origin.source, location, `${field}: ${message.split('\n')[0]}${context}`, hintOf(message));
  }
}

/** The source can be read at all (table exists, file found). */
export async function bindSource(conn: DuckDBConnection, m: MetricSpec, source: ResolvedSource): Promise<QuireError | null> {
  try {
    const stmt = await conn.prepare(`SELECT * FROM ${source.sql} LIMIT 0`);
    stmt.destroySync();
    return null;
  } catch (err) {
    const message = (err as Error).message;
    return specError(
      'E_METRIC_SOURCE',
      'metric',
      m.name,
      m.origin.source,
      [...m.origin.path, 'source'],
      `source ${m.source}: ${message.split('\n')[0]}`,
      source.kind === 'cell' ? 'cell:<id> reads the result of that cell; check the id' : hintOf(message),
    );
  }
}

/** Every field of a metric over its source; all problems. */
export async function bindMetric(conn: DuckDBConnection, m: MetricSpec, source: ResolvedSource): Promise<QuireError[]> {
  const sourceError = await bindSource(conn, m, source);
  if (sourceError) return [sourceError];
  const from = `) FROM ${source.sql}`;
  const p = m.origin.path;
  const errors: Array<QuireError | null> = [];
  if (m.time_column) {
    try {
      const r = await conn.runAndReadAll(`DESCRIBE SELECT ${quoteIdent(m.time_column)} FROM ${source.sql}`);
      const type = String(r.getRows()[0][1]);
      if (!TIME_TYPES.test(type)) {
        errors.push(
          specError(
            'E_METRIC_TIME',
            'metric',
            m.name,
            m.origin.source,
            [...p, 'time_column'],
            `time_column ${m.time_column} is ${type}, not a DATE or TIMESTAMP`,
            'use a date/timestamp column, or cast it in a query cell and use source: cell:<id>',
          ),
        );
      }
    } catch (err) {
      const message = (err as Error).message;
      errors.push(specError('E_METRIC_BIND', 'metric', m.name, m.origin.source, [...p, 'time_column'], `time_column: ${message.split('\n')[0]}`, hintOf(message)));
    }
  }
  if (m.numerator !== undefined && m.num) errors.push(await bindExpr(conn, m, [...p, 'numerator'], m.numerator, 'SELECT (', from));
  if (m.denominator !== undefined) errors.push(await bindExpr(conn, m, [...p, 'denominator'], m.denominator, 'SELECT (', from));
  for (const [i, f] of (m.filters ?? []).entries()) errors.push(await bindExpr(conn, m, [...p, 'filters', i], f, `SELECT 1 FROM ${source.sql} WHERE (`, ')'));
  return errors.filter((e): e is QuireError => e !== null);
}

/** A slice or segment over one source (they are source-agnostic; each use is checked). */
export async function bindFilterSpec(conn: DuckDBConnection, spec: SliceSpec | SegmentSpec, source: ResolvedSource, sourceName?: string): Promise<QuireError[]> {
  const p = spec.origin.path;
  const over = sourceName ? ` (over source ${sourceName})` : '';
  const cond = (path: YamlPath, text: string) => bindExpr(conn, spec, path, text, `SELECT 1 FROM ${source.sql} WHERE (`, ')', over);
  const errors: Array<QuireError | null> = [];
  if (spec.kind === 'segment') errors.push(await cond([...p, 'where'], spec.where));
  else if (spec.column) {
    try {
      const stmt = await conn.prepare(`SELECT ${quoteIdent(spec.column)} FROM ${source.sql}`);
      stmt.destroySync();
    } catch (err) {
      const message = (err as Error).message;
      errors.push(specError('E_METRIC_BIND', 'slice', spec.name, spec.origin.source, [...p, 'column'], `column: ${message.split('\n')[0]}${over}`, hintOf(message)));
    }
  } else for (const [i, v] of (spec.values ?? []).entries()) errors.push(await cond([...p, 'values', i, 'where'], v.where));
  return errors.filter((e): e is QuireError => e !== null);
}
