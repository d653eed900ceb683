/**
 * Checks of one spec: its schema (unknown keys with "did you mean"), the rules of its
 * aggregation, and each SQL expression through DuckDB's parser (syntax, one expression,
 * aggregates where they belong, no params).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { QuireError } from '../util/errors.js';
import type { YamlPath } from '../source/source.js';
import { parseExpr } from './expressions.js';
import { specError, specIssues } from './spec-errors.js';
import type { RawSpec } from './spec-files.js';
import { RESULT_COLUMNS, bodySchemas, type AnySpec, type ExprInfo, type MetricBody, type SegmentSpec, type SliceSpec } from './specs.js';

export function checkBody(raw: RawSpec, errors: QuireError[]): AnySpec | null {
  const { kind, origin } = raw;
  const rawName = raw.body && typeof raw.body === 'object' ? (raw.body as Record<string, unknown>).name : undefined;
  const name = typeof rawName === 'string' ? rawName : undefined;
  if (!raw.body || typeof raw.body !== 'object' || Array.isArray(raw.body)) {
    errors.push(specError('E_METRIC_SPEC', kind, name, origin.source, origin.path, `a ${kind} is a mapping of its fields (name, ...)`));
    return null;
  }
  const schema = bodySchemas[kind];
  const parsed = schema.safeParse(raw.body);
  if (!parsed.success) {
    errors.push(...specIssues(parsed.error.issues, kind, name, origin.source, schema, origin.path));
    return null;
  }
  const err = (field: string, message: string, hint?: string) => errors.push(specError('E_METRIC_SPEC', kind, name, origin.source, [...origin.path, field], message, hint));
  const before = errors.length;
  if (kind === 'metric') {
    const m = parsed.data as MetricBody;
    if ((RESULT_COLUMNS as readonly string[]).includes(m.name)) err('name', `'${m.name}' is a column of metric results; choose another name`);
    if (m.aggregation === 'derived') {
      if (m.expression === undefined) err('aggregation', 'a derived metric needs `expression:` (SQL over other metric names)', 'e.g. expression: "total_revenue / NULLIF(order_count, 0)"');
      for (const field of ['source', 'numerator', 'denominator', 'filters', 'time_column'] as const) {
        if (m[field] !== undefined) err(field, `\`${field}\` does not apply to a derived metric: it is computed from the metrics its expression names`);
      }
    } else {
      if (m.source === undefined) err('aggregation', `\`source:\` is required for aggregation ${m.aggregation}`, 'a table, connection.table, a file path (.parquet/.csv/.json) or cell:<id>');
      if (m.numerator === undefined) err('aggregation', `numerator is required for aggregation ${m.aggregation}`, 'e.g. numerator: "SUM(amount)"');
      if (m.expression !== undefined) err('expression', '`expression:` is for derived metrics; use numerator (and denominator)');
      if (m.aggregation === 'ratio' && m.denominator === undefined) err('aggregation', 'denominator is required for aggregation ratio', 'e.g. denominator: "COUNT(*)"');
      if (m.denominator !== undefined && m.aggregation !== 'ratio' && m.aggregation !== 'avg') {
        err('denominator', `denominator is not allowed for aggregation ${m.aggregation} (only ratio and avg take one)`, 'remove it, or use aggregation: ratio');
      }
    }
  } else if (kind === 'slice') {
    const s = parsed.data as SliceSpec;
    if (s.name === 'none') err('name', "'none' is reserved: it is the slice_type of rows without a slice");
    if ((s.values === undefined) === (s.column === undefined)) err('name', 'a slice has either `values:` (named where conditions) or `column:` (its distinct values)');
    const seen = new Set<string>();
    (s.values ?? []).forEach((v, i) => {
      if (seen.has(v.name)) errors.push(specError('E_METRIC_SPEC', kind, name, origin.source, [...origin.path, 'values', i, 'name'], `value '${v.name}' is listed twice`));
      seen.add(v.name);
    });
  } else {
    const g = parsed.data as SegmentSpec;
    if (g.name === 'all') err('name', "'all' is reserved: it is the segment of every row, always included");
  }
  if (errors.length > before) return null;
  return { ...(parsed.data as object), kind, origin, filterExprs: [], tables: [] } as unknown as AnySpec;
}

type ExprRole = 'aggregate' | 'condition' | 'derived';

/** Parses one expression field; problems are located inside the YAML string. */
async function checkExpr(parser: DuckDBConnection, spec: AnySpec, path: YamlPath, text: string, role: ExprRole, errors: QuireError[]): Promise<ExprInfo | null> {
  const { source } = spec.origin;
  const field = path.slice(spec.origin.path.length).join('.');
  const parsed = await parseExpr(parser, text);
  const fail = (message: string, hint: string) => {
    errors.push(specError('E_METRIC_SQL', spec.kind, spec.name, source, source.locate(path), `${field}: ${message}`, hint));
    return null;
  };
  if (!parsed.ok) {
    const location = parsed.offset === undefined ? source.locate(path) : source.locateInString(path, parsed.offset);
    errors.push(specError('E_METRIC_SQL', spec.kind, spec.name, source, location, `SQL in ${field} does not parse: ${parsed.message}`, "fix the SQL expression; it is checked by DuckDB's parser"));
    return null;
  }
  if (parsed.params.length) return fail(`$${parsed.params[0]}: metric SQL can't use params`, "pass dates through the metric cell's time_window; other values can't be bound into specs");
  const reserved = parsed.columns.find((c) => c.startsWith('__quire'));
  if (reserved) return fail(`'${reserved}': names starting with __quire are reserved`, 'rename the column in the source');
  if (role === 'aggregate' && parsed.aggregates === 0) return fail('must be an aggregate expression, e.g. SUM(amount) or COUNT(*)', 'wrap the column in an aggregate function');
  if (role !== 'aggregate' && parsed.aggregates > 0) {
    return fail(
      role === 'condition' ? 'is a row condition and cannot use aggregate functions' : 'combines metric values and cannot use aggregate functions',
      role === 'condition' ? 'put aggregates in numerator/denominator; conditions filter rows' : 'refer to other metrics by name, e.g. total_revenue / NULLIF(order_count, 0)',
    );
  }
  return { text, tables: parsed.tables, columns: parsed.columns, hasAggregate: parsed.aggregates > 0 };
}

const WRAP: Partial<Record<string, (e: string) => string>> = {
  sum: (e) => `SUM(${e})`,
  count: (e) => `COUNT(${e})`,
  count_distinct: (e) => `COUNT(DISTINCT ${e})`,
  avg: (e) => `AVG(${e})`,
  min: (e) => `MIN(${e})`,
  max: (e) => `MAX(${e})`,
};

export async function checkExpressions(parser: DuckDBConnection, spec: AnySpec, errors: QuireError[]): Promise<boolean> {
  const before = errors.length;
  const p = spec.origin.path;
  if (spec.kind === 'metric') {
    if (spec.numerator !== undefined) {
      // A plain expression (no aggregate) with a single-aggregate aggregation is wrapped in it: `amount` + sum → SUM(amount).
      const probe = await parseExpr(parser, spec.numerator);
      const wrap = WRAP[spec.aggregation];
      const plain = probe.ok && probe.aggregates === 0 && wrap !== undefined && spec.denominator === undefined;
      const text = plain && wrap ? wrap(spec.numerator.includes('--') ? `${spec.numerator}\n` : spec.numerator) : spec.numerator;
      spec.num = (await checkExpr(parser, spec, [...p, 'numerator'], plain ? spec.numerator : text, plain ? 'condition' : 'aggregate', errors)) ?? undefined;
      if (spec.num && plain) spec.num = { ...spec.num, text, hasAggregate: true };
    }
    if (spec.denominator !== undefined) spec.den = (await checkExpr(parser, spec, [...p, 'denominator'], spec.denominator, 'aggregate', errors)) ?? undefined;
    for (const [i, f] of (spec.filters ?? []).entries()) {
      const info = await checkExpr(parser, spec, [...p, 'filters', i], f, 'condition', errors);
      if (info) spec.filterExprs.push(info);
    }
    if (spec.expression !== undefined) {
      spec.expr = (await checkExpr(parser, spec, [...p, 'expression'], spec.expression, 'derived', errors)) ?? undefined;
      if (spec.expr && !spec.expr.columns.length) {
        errors.push(
          specError(
            'E_METRIC_SQL',
            'metric',
            spec.name,
            spec.origin.source,
            [...p, 'expression'],
            'expression: a derived metric combines other metrics, but this names none',
            'e.g. expression: "total_revenue / NULLIF(order_count, 0)"',
          ),
        );
      }
    }
  } else if (spec.kind === 'slice') {
    for (const [i, v] of (spec.values ?? []).entries()) {
      spec.tables.push(...((await checkExpr(parser, spec, [...p, 'values', i, 'where'], v.where, 'condition', errors))?.tables ?? []));
    }
  } else {
    spec.tables.push(...((await checkExpr(parser, spec, [...p, 'where'], spec.where, 'condition', errors))?.tables ?? []));
  }
  return errors.length === before;
}
