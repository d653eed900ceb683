/** Shorthand charts (`chart: line`, `x`, `y`, `color`) as Vega-Lite specs. */
import type { TableColumn, TableOutput } from '../../outputs.js';
import { ChartSpecError, columnOf, fieldType, toEpochMs, toNumber, type FieldType } from './data.js';
import { axisFormat, tooltipFormat, type NumberFormat } from './format.js';
import { CHART_HEIGHT, CHART_WIDTH } from './theme.js';

const PIE_LABEL = '#475467';

/**
 * Text over a cell of the colour scale: white or dark, whichever contrasts more with the cell's
 * own colour (WCAG contrast ratio), so it holds for any scheme, domain or theme.
 */
export function contrastText(value: string): Spec {
  const fill = `scale('color', ${value})`;
  return { condition: { test: `contrast('#ffffff', ${fill}) > contrast('#1d2433', ${fill})`, value: '#ffffff' }, value: '#1d2433' };
}

export const SHORTHAND_CHARTS = ['line', 'bar', 'area', 'scatter', 'pie', 'heatmap'] as const;
export type ShorthandChart = (typeof SHORTHAND_CHARTS)[number];

export interface Shorthand {
  chart: ShorthandChart;
  x?: string;
  y?: string | string[];
  color?: string;
  format?: Record<string, NumberFormat>;
}

type Spec = Record<string, unknown>;

/** An axis or legend title for a column: `order_month` → `Order month` (a name with capitals or spaces is kept). */
export function fieldTitle(name: string): string {
  if (/[A-Z\s]/.test(name)) return name;
  const words = name.replace(/_+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : name;
}

/** Keeps only rows with a value: a series or slice without data then drops out of the legend too. */
function validOnly(name: string): Spec {
  return { filter: `isValid(datum['${jsString(name)}'])` };
}

/** A field name inside a single-quoted Vega expression string. */
function jsString(name: string): string {
  return name.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

/** Vega-Lite reads `.` and `[` in field names as nested access: escape them. */
export function vlField(name: string): string {
  return name.replace(/([.[\]\\])/g, '\\$1');
}

interface Field {
  name: string;
  column: TableColumn;
  type: FieldType;
  /** Where the field is named in the cell, for errors. */
  path: (string | number)[];
}

function ys(sh: Shorthand): { name: string; path: (string | number)[] }[] {
  if (sh.y === undefined) return [];
  return Array.isArray(sh.y) ? sh.y.map((name, i) => ({ name, path: ['y', i] })) : [{ name: sh.y, path: ['y'] }];
}

function need(sh: Shorthand, key: 'x' | 'y' | 'color', why: string): void {
  if (sh[key] === undefined) throw new ChartSpecError(`a ${sh.chart} chart needs \`${key}:\` (${why})`, [], `add \`${key}: <column>\` to the cell`);
}

function field(table: TableOutput, dataId: string, name: string, path: (string | number)[]): Field {
  const column = columnOf(table, name, path, dataId);
  return { name, column, type: fieldType(column), path };
}

function maxAbs(table: TableOutput, names: string[]): number {
  let m = 0;
  for (const name of names) {
    const i = table.columns.findIndex((c) => c.name === name);
    if (i < 0) continue;
    for (const row of table.rows) {
      const n = toNumber(row[i]);
      if (n !== null && Math.abs(n) > m) m = Math.abs(n);
    }
  }
  return m;
}

/** Days between the first and last value of a temporal column (for tick label formats). */
function spanDays(table: TableOutput, name: string): number {
  const i = table.columns.findIndex((c) => c.name === name);
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of table.rows) {
    const t = toEpochMs(row[i]);
    if (t === null) continue;
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  return hi > lo ? (hi - lo) / 86_400_000 : 0;
}

function allFirstOfMonth(table: TableOutput, name: string): boolean {
  const i = table.columns.findIndex((c) => c.name === name);
  return table.rows.length > 0 && table.rows.every((r) => r[i] === null || (typeof r[i] === 'string' && /^\d{4,}-\d{2}-01( 00:00:00)?$/.test(r[i] as string)));
}

function distinctCount(table: TableOutput, name: string): number {
  const i = table.columns.findIndex((c) => c.name === name);
  return new Set(table.rows.map((r) => JSON.stringify(r[i] ?? null))).size;
}

function longestLabel(table: TableOutput, name: string): number {
  const i = table.columns.findIndex((c) => c.name === name);
  return table.rows.reduce((m, r) => Math.max(m, String(r[i] ?? '').length), 0);
}

function temporalAxis(table: TableOutput, f: Field): Spec {
  const days = spanDays(table, f.name);
  const format = days <= 1 ? '%H:%M' : days <= 120 ? '%b %-d' : days <= 3 * 366 ? '%b %Y' : '%Y';
  return { format };
}

/** An encoding channel for a field of the data, typed from its column. */
function channel(table: TableOutput, f: Field, format: NumberFormat | undefined, extra: Spec = {}): Spec {
  const enc: Spec = { field: vlField(f.name), type: f.type, title: fieldTitle(f.name) };
  if (f.type === 'temporal') {
    enc.scale = { type: 'utc' };
    enc.axis = temporalAxis(table, f);
  } else if (f.type === 'quantitative') {
    const fmt = axisFormat(format, maxAbs(table, [f.name]));
    if (fmt) enc.axis = { format: fmt };
  }
  return { ...enc, ...extra };
}

function tooltip(table: TableOutput, fields: Field[], format: Record<string, NumberFormat> | undefined): Spec[] {
  return fields.map((f) => {
    const t: Spec = { field: vlField(f.name), type: f.type, title: f.name };
    if (f.type === 'quantitative') t.format = tooltipFormat(format?.[f.name]);
    if (f.type === 'temporal') {
      // A UTC time unit makes Vega-Lite format the value in UTC (a format type of 'utc' would not).
      const withTime = spanDays(table, f.name) <= 1 || f.column.type.toUpperCase().startsWith('TIMESTAMP');
      t.timeUnit = withTime ? 'utcyearmonthdatehoursminutes' : 'utcyearmonthdate';
      t.format = withTime ? '%Y-%m-%d %H:%M' : '%Y-%m-%d';
    }
    return t;
  });
}

/** Several y fields: one series each, folded into long form (`series`, `value`). */
function foldYs(yf: Field[], color: string | undefined, chart: string): { transform: Spec[]; y: string; series: string } | null {
  if (yf.length < 2) return null;
  if (color !== undefined) {
    throw new ChartSpecError(
      `a ${chart} chart with several y fields colours one series per field, so it cannot also take \`color:\``,
      ['color'],
      'drop `color:`, or plot one y field coloured by `color:`',
    );
  }
  const bad = yf.find((f) => f.type !== 'quantitative');
  if (bad) throw new ChartSpecError(`y field '${bad.name}' is ${bad.column.type}, not a number: several y fields must all be numbers`, bad.path);
  return { transform: [{ fold: yf.map((f) => f.name), as: ['series', 'value'] }], y: 'value', series: 'series' };
}

/** A Vega-Lite spec (without data and config, which the caller adds) for a shorthand chart. */
export function shorthandSpec(sh: Shorthand, table: TableOutput, dataId: string): Spec {
  const fmt = sh.format ?? {};
  const yFields = ys(sh).map((y) => field(table, dataId, y.name, y.path));
  const xField = sh.x === undefined ? undefined : field(table, dataId, sh.x, ['x']);
  const colorField = sh.color === undefined ? undefined : field(table, dataId, sh.color, ['color']);
  for (const key of Object.keys(fmt)) columnOf(table, key, ['format', key], dataId);
  const used = [xField, ...yFields, colorField].filter((f): f is Field => f !== undefined);
  const base: Spec = { width: CHART_WIDTH, height: CHART_HEIGHT };

  switch (sh.chart) {
    case 'line':
    case 'area':
    case 'scatter': {
      need(sh, 'x', 'the horizontal axis');
      need(sh, 'y', 'the values');
      if (sh.chart === 'scatter' && yFields.length > 1) throw new ChartSpecError('a scatter chart takes one y field', ['y']);
      const folded = foldYs(yFields, sh.color, sh.chart);
      const y0 = yFields[0]!;
      if (!folded && y0.type !== 'quantitative' && sh.chart !== 'scatter') {
        throw new ChartSpecError(`y field '${y0.name}' is ${y0.column.type}, not a number`, y0.path, 'plot a numeric column');
      }
      const rows = table.rows.length;
      const series = folded ? yFields.length : colorField ? distinctCount(table, colorField.name) : 1;
      const mark: Spec =
        sh.chart === 'line'
          ? { type: 'line', point: rows / Math.max(1, series) <= 40 ? { size: 28 } : false, interpolate: 'monotone' }
          : sh.chart === 'area'
            ? { type: 'area', interpolate: 'monotone', line: { strokeWidth: 1.5 }, opacity: colorField || folded ? 0.8 : 0.35 }
            : { type: 'point', filled: true, opacity: rows > 500 ? 0.45 : 0.8, size: rows > 1000 ? 14 : 40 };
      const encoding: Spec = { x: channel(table, xField!, fmt[xField!.name]) };
      // Only bars (and areas, whose filled height is the value) need a zero baseline.
      if (xField!.type === 'quantitative') (encoding.x as Spec).scale = { zero: false };
      if (folded) {
        const yFmt = fmt[yFields[0]!.name];
        const fm = axisFormat(
          yFmt,
          maxAbs(
            table,
            yFields.map((f) => f.name),
          ),
        );
        encoding.y = { field: 'value', type: 'quantitative', title: null, ...(fm ? { axis: { format: fm } } : {}), ...(sh.chart === 'area' ? {} : { scale: { zero: false } }) };
        encoding.color = { field: 'series', type: 'nominal', title: null, sort: yFields.map((f) => f.name) };
        encoding.tooltip = [
          ...tooltip(table, [xField!], fmt),
          { field: 'series', type: 'nominal', title: 'series' },
          { field: 'value', type: 'quantitative', title: 'value', format: tooltipFormat(yFmt) },
        ];
        return { ...base, transform: [...folded.transform, validOnly('value')], mark, encoding };
      }
      encoding.y = channel(table, y0, fmt[y0.name], sh.chart === 'area' ? {} : { scale: { zero: false } });
      if (colorField) encoding.color = channel(table, colorField, fmt[colorField.name], { axis: undefined });
      encoding.tooltip = tooltip(table, used, fmt);
      return { ...base, ...(colorField ? { transform: [validOnly(y0.name)] } : {}), mark, encoding };
    }

    case 'bar': {
      need(sh, 'x', 'the categories');
      need(sh, 'y', 'the values');
      const folded = foldYs(yFields, sh.color, 'bar');
      const y0 = yFields[0]!;
      if (!folded && y0.type !== 'quantitative') throw new ChartSpecError(`y field '${y0.name}' is ${y0.column.type}, not a number`, y0.path, 'plot a numeric column');
      const x = xField!;
      const categories = distinctCount(table, x.name);
      let cat: Spec;
      if (x.type === 'temporal') {
        const monthly = allFirstOfMonth(table, x.name);
        cat = {
          field: vlField(x.name),
          type: 'ordinal',
          timeUnit: monthly ? 'utcyearmonth' : 'utcyearmonthdate',
          title: fieldTitle(x.name),
          axis: { format: monthly ? '%b %Y' : '%b %-d', labelAngle: categories > 12 ? -45 : 0 },
        };
      } else if (x.type === 'quantitative') {
        cat = { field: vlField(x.name), type: 'ordinal', title: fieldTitle(x.name) };
      } else {
        cat = { field: vlField(x.name), type: 'nominal', title: fieldTitle(x.name), sort: folded ? null : '-y' };
      }
      const horizontal = x.type === 'nominal' && (categories > 10 || longestLabel(table, x.name) > 14);
      const valueFmt = fmt[y0.name];
      const valueAxis = axisFormat(
        valueFmt,
        folded
          ? maxAbs(
              table,
              yFields.map((f) => f.name),
            )
          : maxAbs(table, [y0.name]),
      );
      let value: Spec;
      const encoding: Spec = {};
      if (folded) {
        value = { field: 'value', type: 'quantitative', title: null, ...(valueAxis ? { axis: { format: valueAxis } } : {}) };
        encoding.color = { field: 'series', type: 'nominal', title: null, sort: yFields.map((f) => f.name) };
        encoding[horizontal ? 'yOffset' : 'xOffset'] = { field: 'series', sort: yFields.map((f) => f.name) };
        encoding.tooltip = [
          { field: vlField(x.name), type: cat.type, title: x.name, ...(cat.timeUnit ? { timeUnit: cat.timeUnit } : {}) },
          { field: 'series', type: 'nominal', title: 'series' },
          { field: 'value', type: 'quantitative', title: 'value', format: tooltipFormat(valueFmt) },
        ];
      } else {
        value = { field: vlField(y0.name), type: 'quantitative', title: fieldTitle(y0.name), ...(valueAxis ? { axis: { format: valueAxis } } : {}) };
        if (colorField) encoding.color = channel(table, colorField, fmt[colorField.name]);
        encoding.tooltip = tooltip(table, used, fmt).map((t) =>
          t.field === vlField(x.name) && cat.timeUnit ? { ...t, timeUnit: cat.timeUnit, format: cat.timeUnit === 'utcyearmonth' ? '%b %Y' : '%Y-%m-%d' } : t,
        );
      }
      const barTransform = folded ? [...folded.transform, validOnly('value')] : colorField ? [validOnly(y0.name)] : undefined;
      if (horizontal) {
        if (cat.sort === '-y') cat.sort = '-x';
        encoding.y = { ...cat, axis: { labelLimit: 180 } };
        encoding.x = value;
        const rowsHigh = folded ? yFields.length * 14 + 8 : 24;
        return { ...base, height: Math.min(900, Math.max(120, categories * rowsHigh)), transform: barTransform, mark: { type: 'bar' }, encoding };
      }
      encoding.x = cat;
      encoding.y = value;
      return { ...base, transform: barTransform, mark: { type: 'bar', ...(categories > 40 ? { cornerRadiusEnd: 0 } : {}) }, encoding };
    }

    case 'pie': {
      const category = xField ?? colorField;
      if (!category) throw new ChartSpecError('a pie chart needs `x:` (the categories; `color:` works too)', [], 'add `x: <category column>`');
      need(sh, 'y', 'the sizes of the slices');
      if (yFields.length > 1) throw new ChartSpecError('a pie chart takes one y field', ['y']);
      const y0 = yFields[0]!;
      if (y0.type !== 'quantitative') throw new ChartSpecError(`y field '${y0.name}' is ${y0.column.type}, not a number`, y0.path);
      const share = `datum['${jsString(y0.name)}'] / datum.__total`;
      // Shares printed beside the slices (PDF and Excel have no hover); slivers under 3% stay unlabelled.
      return {
        width: CHART_WIDTH,
        height: CHART_HEIGHT,
        transform: [validOnly(y0.name), { joinaggregate: [{ op: 'sum', field: vlField(y0.name), as: '__total' }] }, { calculate: share, as: '__share' }],
        encoding: {
          theta: { field: vlField(y0.name), type: 'quantitative', stack: true },
          color: {
            field: vlField(category.name),
            type: 'nominal',
            title: fieldTitle(category.name),
            sort: { field: vlField(y0.name), order: 'descending' },
            legend: { orient: 'right', direction: 'vertical' },
          },
          order: { field: vlField(y0.name), type: 'quantitative', sort: 'descending' },
          tooltip: [...tooltip(table, [category, y0], fmt), { field: '__share', type: 'quantitative', title: 'share', format: '.1%' }],
        },
        layer: [
          { mark: { type: 'arc', innerRadius: 62, outerRadius: 118, padAngle: 0.01 } },
          {
            mark: { type: 'text', radius: 134, fontSize: 11 },
            encoding: { text: { condition: { test: 'datum.__share >= 0.03', field: '__share', type: 'quantitative', format: '.0%' }, value: '' }, color: { value: PIE_LABEL } },
          },
        ],
      };
    }

    case 'heatmap': {
      need(sh, 'x', 'the columns of the grid');
      need(sh, 'y', 'the rows of the grid');
      need(sh, 'color', 'the value that colours each cell');
      if (yFields.length > 1) throw new ChartSpecError('a heatmap takes one y field', ['y']);
      const y0 = yFields[0]!;
      const c = colorField!;
      if (c.type !== 'quantitative') throw new ChartSpecError(`color field '${c.name}' is ${c.column.type}, not a number: a heatmap colours cells by a number`, c.path);
      const nx = distinctCount(table, xField!.name);
      const ny = distinctCount(table, y0.name);
      const cellFmt = fmt[c.name];
      const axisOf = (f: Field): Spec =>
        f.type === 'temporal' ? { ...channel(table, f, undefined), type: 'ordinal', scale: undefined } : { field: vlField(f.name), type: 'ordinal', title: fieldTitle(f.name) };
      const encoding: Spec = {
        x: { ...axisOf(xField!), axis: { labelAngle: 0, orient: 'top', domain: false, ticks: false } },
        y: { ...axisOf(y0), axis: { domain: false, ticks: false } },
      };
      const rect = {
        mark: { type: 'rect', cornerRadius: 2 },
        encoding: {
          color: {
            field: vlField(c.name),
            type: 'quantitative',
            title: fieldTitle(c.name),
            legend: { orient: 'right', direction: 'vertical', ...(axisFormat(cellFmt, maxAbs(table, [c.name])) ? { format: axisFormat(cellFmt, maxAbs(table, [c.name])) } : {}) },
          },
          tooltip: tooltip(table, used, fmt),
        },
      };
      const layers: Spec[] = [rect];
      if (nx * ny <= 80) {
        layers.push({
          mark: { type: 'text', fontSize: 11 },
          encoding: {
            text: { field: vlField(c.name), type: 'quantitative', format: axisFormat(cellFmt, maxAbs(table, [c.name])) ?? ',.0f' },
            color: contrastText(`datum['${jsString(c.name)}']`),
          },
        });
      }
      return { width: CHART_WIDTH, height: Math.min(700, Math.max(90, ny * 34)), encoding, layer: layers };
    }
  }
}
