import * as z from 'zod';
import { CELL_ID, cellSchema, type CellType, type ColumnUse, type RunContext } from '../engine/cell-type.js';
import { UserError, type QuireError } from '../engine/util/errors.js';
import { quoteIdent, RESULTS_CATALOG } from '../engine/duck/duck.js';
import { didYouMean } from '../engine/util/suggest.js';
import { POLARITIES, TABLE_KINDS, tableOf, type TableColumn, type TableOutput, type TableValue } from '../engine/outputs.js';
import { buildChart, CHART_TYPES, ChartSpecError, FieldError, MAX_POINTS, TABLE_ROWS } from '../engine/report/charts/index.js';
import { NUMBER_FORMATS } from '../engine/report/charts/format.js';
import { chartColumns } from '../engine/report/charts/fields.js';

const field = z.string().min(1);
const schema = cellSchema('visualization', {
  data: z.string().regex(CELL_ID, 'data names a cell id').describe('The cell whose table is plotted'),
  chart: z.enum(CHART_TYPES).optional().describe('line | bar | area | scatter | pie | heatmap | table | kpi; picked from the column types when left out'),
  x: field.optional().describe('Column on the horizontal axis (pie: the categories)'),
  y: z
    .union([field, z.array(field).min(1)])
    .optional()
    .describe('Column(s) of values; several make one series each'),
  color: field.optional().describe('Column that colours the marks (heatmap: the value of each cell)'),
  vega_lite: z.record(z.string(), z.unknown()).optional().describe('A full Vega-Lite spec; the rows of `data` are injected as data.values'),
  plotly: z
    .strictObject({
      data: z.array(z.record(z.string(), z.unknown())).min(1).describe('Traces; x/y/... given as column names are filled from `data`'),
      layout: z.record(z.string(), z.unknown()).optional(),
      config: z.record(z.string(), z.unknown()).optional(),
    })
    .optional()
    .describe('A Plotly figure'),
  format: z.record(z.string(), z.enum(NUMBER_FORMATS)).optional().describe('Number format per column: number, integer, decimal, currency, percent (axes, tooltips, KPI cards, Excel)'),
  good: z
    .union([z.enum(POLARITIES), z.record(z.string(), z.enum(POLARITIES))])
    .optional()
    .describe('KPI cards: which change is good news, for every field or per field: up (default) | down | neutral; colours follow it, arrows follow the change'),
  max_points: z.number().int().min(10).max(100_000).optional().describe(`Most rows plotted (default ${MAX_POINTS}); more are sampled evenly and the report says so`),
});
export type VisualizationSpec = z.infer<typeof schema>;

function rowsOf(reader: { columnNames(): string[]; columnTypes(): unknown[]; getRowsJson(): unknown }): { columns: TableColumn[]; rows: TableValue[][] } {
  const names = reader.columnNames();
  const types = reader.columnTypes();
  return { columns: names.map((name, i) => ({ name, type: String(types[i]) })), rows: reader.getRowsJson() as TableValue[][] };
}

/** Up to `limit` rows of the data cell: all of them when they fit, else every k-th row in table order. */
async function readCapped(ctx: RunContext, dataId: string, total: number, limit: number): Promise<{ table: TableOutput; step: number }> {
  if (total <= limit) return { table: await ctx.readTable(dataId, limit), step: 1 };
  const step = Math.ceil(total / limit);
  const reader = await ctx.conn.runAndReadAll(`SELECT * FROM ${RESULTS_CATALOG}.main.${quoteIdent(dataId)} WHERE rowid % ${step} = 0 ORDER BY rowid LIMIT ${limit}`);
  const { columns, rows } = rowsOf(reader);
  return { table: { kind: 'table', columns, rows, rowCount: total }, step };
}

export const visualizationCell: CellType<VisualizationSpec> = {
  type: 'visualization',
  description: "A chart of another cell's table: shorthand (line, bar, ...), a Vega-Lite spec or a Plotly figure",
  schema,
  outputKind: 'chart',

  async analyze(spec, ctx) {
    const errors: QuireError[] = [];
    const at = (key: string) => ctx.source.locate([...ctx.path, key]);
    const shorthand = (['x', 'y', 'color'] as const).filter((k) => spec[k] !== undefined);
    const full = (['vega_lite', 'plotly'] as const).filter((k) => spec[k] !== undefined);
    if (full.length === 2) {
      errors.push(new UserError('E_VIZ_SPEC', `cell ${spec.id} has both vega_lite and plotly; a visualization draws one`, { location: at('plotly'), hint: 'keep one of them' }));
    }
    if (full.length && spec.chart !== undefined) {
      errors.push(
        new UserError('E_VIZ_SPEC', `cell ${spec.id} names chart: ${spec.chart} and also gives a ${full[0]} spec`, {
          location: at('chart'),
          hint: `drop \`chart:\` to use the ${full[0]} spec, or drop the spec`,
        }),
      );
    }
    if (full.length && shorthand.length) {
      errors.push(
        new UserError('E_VIZ_SPEC', `cell ${spec.id}: ${shorthand.join(', ')} ${shorthand.length === 1 ? 'belongs' : 'belong'} to shorthand charts, not to a ${full[0]} spec`, {
          location: at(shorthand[0]!),
          hint: full[0] === 'vega_lite' ? "name fields inside the spec's encoding" : 'name columns inside the traces (x: column)',
        }),
      );
    }
    const data = ctx.cells.get(spec.data);
    if (!ctx.cellIds.includes(spec.data)) {
      const dym = didYouMean(spec.data, ctx.cellIds);
      errors.push(
        new UserError('E_UNKNOWN_CELL', `cell ${spec.id} plots unknown cell '${spec.data}'${dym ? ` — ${dym}` : ''}`, {
          location: at('data'),
          hint: `data: names a cell of this notebook whose result is a table (cells: ${ctx.cellIds.join(', ')})`,
        }),
      );
    } else {
      if (spec.data === spec.id) {
        errors.push(new UserError('E_VIZ_DATA', `cell ${spec.id} cannot plot itself`, { location: at('data'), hint: 'point data: at a query or code cell' }));
      } else if (data && !data.outputKinds.some((k) => TABLE_KINDS.includes(k))) {
        errors.push(
          new UserError('E_VIZ_DATA', `cell ${spec.id} plots '${spec.data}', a ${data.type} cell, which yields no table`, {
            location: at('data'),
            hint: 'point data: at a query, code or metric cell',
          }),
        );
      }
    }
    const columns: ColumnUse[] = chartColumns(spec).map(({ column, path }) => ({
      cell: spec.data,
      column,
      // A `format:` or `good:` key is the column's name: point at the key, not its value.
      location: path[0] === 'format' || path[0] === 'good' ? ctx.source.locateKey([...ctx.path, path[0]], column) : ctx.source.locate([...ctx.path, ...path]),
      code: 'E_VIZ_FIELD',
      what: `field '${column}'`,
    }));
    return { references: [spec.data], errors, columns };
  },

  async run(spec, ctx) {
    const up = ctx.upstream.get(spec.data);
    const source = up ? tableOf(up.output) : null;
    if (!source) {
      throw new UserError(
        'E_VIZ_DATA',
        up
          ? `cell ${spec.id} plots '${spec.data}', which yields ${up.output.kind === 'value' ? 'a value' : up.output.kind}, not a table`
          : `cell ${spec.id} plots '${spec.data}', which is not a cell this one depends on`,
        {
          location: ctx.source.locate([...ctx.path, 'data']),
          hint: 'point data: at a query, code or metric cell whose result is a table',
        },
      );
    }
    const total = source.rowCount;
    const { table, step } = spec.chart === 'table' ? { table: await ctx.readTable(spec.data, TABLE_ROWS), step: 1 } : await readCapped(ctx, spec.data, total, spec.max_points ?? MAX_POINTS);
    try {
      return await buildChart(spec, table, {
        dataId: spec.data,
        totalRows: total,
        step,
        log: (message) => ctx.logger.log('info', `cell ${spec.id}: ${message}`),
      });
    } catch (err) {
      if (err instanceof FieldError) {
        throw new UserError('E_VIZ_FIELD', `cell ${spec.id}: ${err.message}`, {
          location: ctx.source.locate([...ctx.path, ...err.path]),
          hint: `columns of ${spec.data}: ${err.columns.map((c) => `${c.name} (${c.type})`).join(', ') || 'none'}`,
        });
      }
      if (err instanceof ChartSpecError) {
        throw new UserError('E_VIZ_SPEC', `cell ${spec.id}: ${err.message}`, { location: ctx.source.locate([...ctx.path, ...err.path]), hint: err.hint });
      }
      throw err;
    }
  },
};
