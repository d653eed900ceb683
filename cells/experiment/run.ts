// The run of an experiment cell, loaded when one runs: the readout's statistics (@stdlib) are large.
import type { RunContext } from '../../engine/cell-type.js';
import { DEFAULT_CATALOG, quoteIdent, RESULTS_CATALOG } from '../../engine/duck/duck.js';
import type { ExperimentOutput } from '../../engine/outputs.js';
import { UserError, type QuireError } from '../../engine/util/errors.js';
import { didYouMean } from '../../engine/util/suggest.js';
import { readout, srmOf, type ReadoutRow, READOUT_COLUMNS } from './readout.js';
import { methodOf, type ExperimentSpec } from './spec.js';
import { experimentSql, readStats, type VariantStats } from './sql.js';
import { columnsOf, unknownColumns } from './columns.js';

/** The FROM item of the source: a cell's result table, else a table of the session (a cell of that name shadows it, as in SQL). */
function fromOf(spec: ExperimentSpec, cellIds: readonly string[]): string {
  return cellIds.includes(spec.source) ? `${RESULTS_CATALOG}.main.${quoteIdent(spec.source)}` : quoteIdent(spec.source);
}

function oneError(errors: QuireError[]): QuireError {
  if (errors.length === 1) return errors[0];
  return new UserError(errors[0].code, errors.map((e) => e.message).join('; '), { location: errors[0].location, hint: errors[0].hint });
}

/** Whether `source`, a table of the project database, has the unit column as its primary key or a unique key. */
async function unitIsKey(conn: RunContext['conn'], spec: ExperimentSpec): Promise<boolean> {
  const stmt = await conn.prepare(
    `SELECT count(*) FROM duckdb_constraints() WHERE database_name = $1 AND schema_name = 'main' AND table_name = $2 AND constraint_type IN ('PRIMARY KEY', 'UNIQUE') AND constraint_column_names = [$3]`,
  );
  try {
    stmt.bind([DEFAULT_CATALOG, spec.source, spec.unit]);
    const reader = await stmt.runAndReadAll();
    return Number(reader.getRows()[0]?.[0] ?? 0) > 0;
  } finally {
    stmt.destroySync();
  }
}

async function writeTable(ctx: RunContext, rows: ReadoutRow[]): Promise<void> {
  const table = `${RESULTS_CATALOG}.main.${quoteIdent(ctx.cellId)}`;
  await ctx.conn.run(`CREATE OR REPLACE TABLE ${table} (${READOUT_COLUMNS.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
  const stmt = await ctx.conn.prepare(`INSERT INTO ${table} VALUES (${READOUT_COLUMNS.map((c, i) => `CAST($${i + 1} AS ${c.type})`).join(', ')})`);
  try {
    for (const row of rows) {
      stmt.bind(READOUT_COLUMNS.map((c) => row[c.name]));
      await stmt.run();
    }
  } finally {
    stmt.destroySync();
  }
}

/** Runs the cell: the readout table into the results catalog, and its output. */
export async function runExperiment(spec: ExperimentSpec, ctx: RunContext): Promise<ExperimentOutput> {
  const locate = (p: readonly (string | number)[]) => ctx.source.locate([...ctx.path, ...p]);
  const from = fromOf(spec, ctx.cellIds);
  const keyed = !ctx.cellIds.includes(spec.source) && (await unitIsKey(ctx.conn, spec));
  if (keyed) ctx.logger.log('info', `cell ${spec.id}: ${spec.unit} is a key of ${spec.source}: one row per unit, no per-unit grouping`);
  let reader: Awaited<ReturnType<RunContext['conn']['runAndReadAll']>>;
  try {
    reader = await ctx.conn.runAndReadAll(experimentSql(spec, from, { unitIsKey: keyed }));
  } catch (err) {
    // Only now look at the source's columns: a located error for the key that names a missing one.
    let columns: string[];
    try {
      columns = await columnsOf(ctx.conn, from);
    } catch {
      throw new UserError('E_EXPERIMENT_SOURCE', `cell ${spec.id} cannot read '${spec.source}': ${(err as Error).message.split('\n')[0]}`, {
        location: locate(['source']),
        hint: 'source: names a table of the project database or a cell of this notebook',
        cause: err,
      });
    }
    const unknown = unknownColumns(spec, columns, locate);
    if (unknown.length) throw oneError(unknown);
    throw new UserError('E_EXPERIMENT_RUN', `cell ${spec.id}: ${(err as Error).message.split('\n')[0]}`, {
      location: locate([]),
      hint: 'metric columns hold numbers (a proportion: 0/1 or booleans); the unit and variant columns any comparable type',
      cause: err,
    });
  }
  const stats = readStats(spec, reader.getRowsJson() as unknown[][]);
  const control = String(spec.control);
  const byVariant = new Map(stats.filter((s) => s.variant !== null).map((s) => [s.variant!, s] as [string, VariantStats]));
  if (!byVariant.has(control)) {
    const seen = [...byVariant.keys()];
    const dym = didYouMean(control, seen);
    throw new UserError('E_EXPERIMENT_CONTROL', `cell ${spec.id}: no unit of ${spec.source} has ${spec.variant} = '${control}'${dym ? ` — ${dym}` : ''}`, {
      location: locate(['control']),
      hint: seen.length ? `values of ${spec.variant}: ${seen.slice(0, 20).join(', ')}` : `${spec.source} has no rows with a variant`,
    });
  }
  const order = [control, ...[...byVariant.keys()].filter((v) => v !== control).sort()];
  const excluded = stats.find((s) => s.variant === null)?.units ?? 0;
  if (excluded) ctx.logger.log('warn', `cell ${spec.id}: ${excluded} unit(s) with no variant or several variants were left out`);
  spec.metrics.forEach((m, i) => {
    const bad = order.reduce((s, v) => s + byVariant.get(v)!.metrics[i].invalid, 0);
    if (bad) {
      throw new UserError('E_EXPERIMENT_VALUES', `cell ${spec.id}, metric ${m.name}: ${bad} unit(s) have a ${m.column} other than 0 or 1`, {
        location: locate(['metrics', i, 'column']),
        hint: 'a proportion reads a 0/1 or boolean column (a unit converts when any of its rows does); use kind: mean for amounts',
      });
    }
  });
  if (spec.split) {
    const missing = order.filter((v) => spec.split![v] === undefined);
    if (missing.length) {
      throw new UserError('E_EXPERIMENT_SPLIT', `cell ${spec.id}: split: has no share for variant ${missing.map((v) => `'${v}'`).join(', ')}`, {
        location: locate(['split']),
        hint: `give every variant its share: ${order.join(', ')}`,
      });
    }
  }
  const srm = srmOf(order, byVariant, spec.split);
  const rows = readout(spec, order, byVariant, srm);
  await writeTable(ctx, rows);
  const output: ExperimentOutput = {
    kind: 'experiment',
    table: await ctx.readTable(spec.id, 1000),
    control,
    alpha: spec.alpha ?? 0.05,
    correction: spec.correction ?? 'holm',
    units: order.map((v) => ({ variant: v, units: byVariant.get(v)!.units })),
    excludedUnits: excluded,
    srmPValue: srm,
    metrics: spec.metrics.map((m) => ({ name: m.name, kind: m.kind, method: methodOf(m), ...(m.good ? { good: m.good } : {}) })),
  };
  return output;
}
