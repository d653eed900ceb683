/** KPI cards: the latest value of each field, and its change against the row before when `x` orders the rows. */
import type { KpiCard, Polarity, TableOutput, TableValue } from '../../outputs.js';
import { ChartSpecError, columnOf, fieldType, toEpochMs, toNumber } from './data.js';
import { formatNumber, type NumberFormat } from './format.js';

export interface KpiOptions {
  x?: string;
  y?: string | string[];
  format?: Record<string, NumberFormat>;
  /** Which change is good news: for every field, or per field (default up). */
  good?: Polarity | Record<string, Polarity>;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** How a row's `x` value reads in "vs ...": `Sep 2026` for a first of month, else the value. */
function label(v: TableValue | undefined): string {
  if (typeof v === 'string') {
    const m = /^(\d{4,})-(\d{2})-01(?:[ T]00:00:00)?$/.exec(v);
    if (m) return `${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
    return v;
  }
  return v === null || v === undefined ? '–' : String(v);
}

function sortKey(v: TableValue | undefined): number | string {
  const t = typeof v === 'string' ? toEpochMs(v) : null;
  if (t !== null) return t;
  const n = toNumber(v ?? null);
  return n ?? String(v ?? '');
}

const ACRONYMS = new Set(['aov', 'arr', 'mrr', 'arpu', 'ltv', 'cac', 'nps', 'roi', 'roas', 'ctr', 'cpc', 'cpa', 'cpm', 'kpi', 'gmv', 'dau', 'wau', 'mau', 'sla', 'usd', 'eur', 'id']);

/** `avg_order_value` → `Avg order value`, `aov` → `AOV`; names with capitals or spaces are kept as written. */
export function humanize(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name)) return name;
  const words = name
    .split('_')
    .filter(Boolean)
    .map((w) => (ACRONYMS.has(w) ? w.toUpperCase() : w))
    .join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function defaultFormat(type: string): NumberFormat {
  return /INT/i.test(type) && !/INTERVAL/i.test(type) ? 'integer' : 'number';
}

export function kpiCards(table: TableOutput, opts: KpiOptions, dataId: string): KpiCard[] {
  const xCol = opts.x === undefined ? undefined : columnOf(table, opts.x, ['x'], dataId);
  const ys: { name: string; path: (string | number)[] }[] =
    opts.y === undefined
      ? table.columns.filter((c) => c.name !== opts.x && fieldType(c) === 'quantitative').map((c) => ({ name: c.name, path: ['y'] }))
      : Array.isArray(opts.y)
        ? opts.y.map((name, i) => ({ name, path: ['y', i] }))
        : [{ name: opts.y, path: ['y'] }];
  if (!ys.length) throw new ChartSpecError(`'${dataId}' has no numeric column to show as a KPI`, [], 'name the fields with `y:`');
  for (const key of Object.keys(opts.format ?? {})) columnOf(table, key, ['format', key], dataId);
  if (typeof opts.good === 'object') for (const key of Object.keys(opts.good)) columnOf(table, key, ['good', key], dataId);

  let rows = table.rows;
  if (xCol) {
    const xi = table.columns.indexOf(xCol);
    rows = [...rows].sort((a, b) => {
      const ka = sortKey(a[xi]);
      const kb = sortKey(b[xi]);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }
  const current = xCol ? rows[rows.length - 1] : rows[0];
  const previous = xCol && rows.length >= 2 ? rows[rows.length - 2] : undefined;
  const xi = xCol ? table.columns.indexOf(xCol) : -1;

  return ys.map(({ name, path }) => {
    const col = columnOf(table, name, path, dataId);
    if (fieldType(col) !== 'quantitative') throw new ChartSpecError(`KPI field '${name}' is ${col.type}, not a number`, path);
    const i = table.columns.indexOf(col);
    const format = opts.format?.[name] ?? defaultFormat(col.type);
    const value = current ? toNumber(current[i]) : null;
    const good = typeof opts.good === 'object' ? opts.good[name] : opts.good;
    const card: KpiCard = { label: humanize(name), text: formatNumber(value, format), value, format, change: null, ...(good ? { good } : {}) };
    const before = previous ? toNumber(previous[i]) : null;
    if (value !== null && before !== null) {
      const against = `vs ${label(previous![xi])}`;
      if (format === 'percent') {
        const pp = (value - before) * 100;
        card.change = { text: `${pp >= 0 ? '+' : '−'}${Math.abs(pp).toFixed(1)} pp`, direction: Math.abs(pp) < 0.05 ? 'flat' : pp > 0 ? 'up' : 'down', against };
      } else if (before !== 0) {
        const pct = ((value - before) / Math.abs(before)) * 100;
        card.change = { text: `${pct >= 0 ? '+' : '−'}${Math.abs(pct).toFixed(1)}%`, direction: Math.abs(pct) < 0.05 ? 'flat' : pct > 0 ? 'up' : 'down', against };
      }
    }
    return card;
  });
}
