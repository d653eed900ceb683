// Which columns an experiment cell names that its source lacks: checked by validate (a database table) and by the run (a cell's table).
import type { DuckDBConnection } from '@duckdb/node-api';
import { UserError, type QuireError } from '../../engine/util/errors.js';
import { didYouMean } from '../../engine/util/suggest.js';
import { metricColumns, type ExperimentSpec } from './spec.js';

/** Every column the spec names, with where it is named. */
function namedColumns(spec: ExperimentSpec): { name: string; path: (string | number)[] }[] {
  return [
    { name: spec.unit, path: ['unit'] },
    { name: spec.variant, path: ['variant'] },
    ...spec.metrics.flatMap((m, i) => metricColumns(m).map((c) => ({ name: c.name, path: ['metrics', i, c.key] }))),
  ];
}

export function unknownColumns(spec: ExperimentSpec, columns: string[], locate: (p: (string | number)[]) => QuireError['location']): QuireError[] {
  return namedColumns(spec)
    .filter((c) => !columns.includes(c.name))
    .map((c) => {
      const dym = didYouMean(c.name, columns);
      return new UserError('E_EXPERIMENT_COLUMN', `cell ${spec.id}: ${spec.source} has no column '${c.name}'${dym ? ` — ${dym}` : ''}`, {
        location: locate(c.path),
        hint: `columns of ${spec.source}: ${columns.join(', ')}`,
      });
    });
}

export async function columnsOf(conn: DuckDBConnection, from: string): Promise<string[]> {
  const reader = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`);
  return reader.getRowsJson().map((r) => String(r[0]));
}
