/**
 * A metric cell's long table shown as KPIs: cards for a single period without breakdowns,
 * otherwise a pivoted table (metrics as rows; slice values, or periods, as columns), values
 * formatted by unit, and with `compare` a coloured ▲/▼ change under each value.
 */
import { changeTone, type MetricInfo, type MetricsOutput, type Polarity, type TableValue } from '../../outputs.js';
import { attr, escapeHtml } from '../../text/escape.js';
import { countOf } from './numbers.js';
import { sliceParts } from '../../metrics/slice-values.js';

/** At most this many periods (the latest) and rows are pivoted. */
const MAX_PERIODS = 12;
const MAX_ROWS = 150;

interface Row {
  period: string | null;
  periodEnd: string | null;
  metric: string;
  sliceType: string;
  /** null: the slice column's NULL (see sliceLabelHtml). */
  sliceValue: string | null;
  segment: string;
  value: number | null;
  comparison: number | null;
  change: number | null;
}

/** Styles of the KPI cards and tables; the page adds them to its stylesheet when they are on it (see page.ts): a `<style>` in the body would need its own CSP hash. */
export const METRICS_STYLES = `
.qm-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px; }
.qm-card { border: 1px solid var(--border, #e4e7ec); border-radius: 10px; padding: 12px 14px; background: var(--card, #fff); break-inside: avoid; }
.qm-label { margin: 0; font-size: 12.5px; color: var(--muted, #667085); font-weight: 600; }
.qm-value { margin: 2px 0 0; font-size: 24px; font-weight: 700; font-variant-numeric: tabular-nums; }
.qm-change { display: block; font-size: 12px; font-variant-numeric: tabular-nums; white-space: nowrap; }
.qm-good { color: var(--green, #067647); } .qm-bad { color: var(--red, #b42318); } .qm-neutral, .qm-na { color: var(--muted, #667085); }
.qm-against { color: var(--faint, #98a2b3); }
table.qm-table td.qm-metric { font-weight: 600; white-space: nowrap; }
table.qm-table td.qm-sub { padding-left: 26px; color: var(--fg-soft, #475467); font-weight: 400; }
table.qm-table tr.qm-seg td { background: var(--subtle, #f9fafb); font-size: 12px; font-weight: 600; color: var(--muted, #667085); text-transform: uppercase; letter-spacing: 0.04em; }
.qm-caption { margin: 0 0 10px; font-size: 13px; color: var(--muted, #667085); }
.qm-note { margin: 6px 2px 0; font-size: 12.5px; color: var(--muted, #667085); }
/* In print a row of cards stays on one page with its caption (six cards were split three and three). */
@media print { .qm-caption { break-after: avoid; } .qm-cards { break-inside: avoid; } }
`;

function num(v: TableValue | undefined): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

function rowsOf(output: MetricsOutput): Row[] {
  const idx = (name: string) => output.table.columns.findIndex((c) => c.name === name);
  const at = Object.fromEntries(
    ['period_start_date', 'period_end_date', 'metric_name', 'slice_type', 'slice_value', 'segment_name', 'metric_value', 'comparison_value', 'change_pct'].map((c) => [c, idx(c)]),
  );
  const get = (r: TableValue[], c: string) => (at[c] >= 0 ? r[at[c]] : null);
  return output.table.rows.map((r) => ({
    period: get(r, 'period_start_date') === null ? null : String(get(r, 'period_start_date')),
    periodEnd: get(r, 'period_end_date') === null ? null : String(get(r, 'period_end_date')),
    metric: String(get(r, 'metric_name')),
    sliceType: String(get(r, 'slice_type') ?? 'none'),
    sliceValue: at.slice_value < 0 ? 'all' : get(r, 'slice_value') === null ? null : String(get(r, 'slice_value')),
    segment: String(get(r, 'segment_name') ?? 'all'),
    value: num(get(r, 'metric_value') ?? null),
    comparison: num(get(r, 'comparison_value') ?? null),
    change: num(get(r, 'change_pct') ?? null),
  }));
}

/** A slice value as HTML: a NULL (of the value or of one part of a cross-product) is the report's NULL mark, never text a real value could be. */
function sliceLabelHtml(sliceType: string, value: string | null): string {
  return sliceParts(sliceType, value)
    .map((p) => (p === null ? '<span class="null" title="NULL: rows without a value">∅ no value</span>' : escapeHtml(p)))
    .join('|');
}

const sliceKey = (r: Row) => JSON.stringify([r.sliceType, r.sliceValue]);

const en = (n: number, digits: number) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A metric value as text, by unit. */
export function formatMetric(value: number | null, unit: string, scale: number = Math.abs(value ?? 0)): string {
  if (value === null) return '—';
  switch (unit) {
    case 'currency': {
      // Cents only while amounts are small; `scale` (the largest value shown beside it) keeps a row consistent.
      const digits = scale >= 10_000 ? 0 : 2;
      return `${value < 0 ? '-' : ''}$${en(Math.abs(value), digits)}`;
    }
    case 'percentage':
      return `${en(value * 100, 1)}%`;
    case 'count':
      return en(Math.round(value), 0);
    case 'duration_s': {
      const a = Math.abs(value);
      if (a < 60) return `${en(value, 1)} s`;
      if (a < 3600) return `${en(value / 60, 1)} min`;
      if (a < 86_400) return `${en(value / 3600, 1)} h`;
      return `${en(value / 86_400, 1)} d`;
    }
    default:
      return Number.isInteger(value) ? en(value, 0) : en(value, Math.abs(value) >= 100 ? 1 : 2);
  }
}

function changeHtml(r: Row, unit: string, withAgainst: boolean, good?: Polarity): string {
  if (r.change === null) {
    return `<span class="qm-change qm-na">${r.comparison === null ? 'no comparison' : 'n/a'}${withAgainst && r.comparison !== null ? ` <span class="qm-against">vs ${escapeHtml(formatMetric(r.comparison, unit))}</span>` : ''}</span>`;
  }
  const dir = r.change > 0.0005 ? 'up' : r.change < -0.0005 ? 'down' : 'flat';
  const arrow = { up: '▲', down: '▼', flat: '●' }[dir];
  const against = withAgainst ? ` <span class="qm-against">vs ${escapeHtml(formatMetric(r.comparison, unit))}</span>` : '';
  return `<span${attr('class', `qm-change qm-${dir} qm-${changeTone(dir, good)}`)}${attr('title', `previous: ${formatMetric(r.comparison, unit)}`)}><span aria-hidden="true">${arrow}</span> ${escapeHtml(en(Math.abs(r.change) * 100, 1))}%${against}</span>`;
}

function periodLabel(start: string | null, end: string | null, grain: string): string {
  if (start === null) return 'All time';
  const [y, m] = start.split('-').map(Number);
  const month = new Date(Date.UTC(y, m - 1, 1)).toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  switch (grain) {
    case 'monthly':
      return `${month} ${y}`;
    case 'quarterly':
      return `${y} Q${Math.floor((m - 1) / 3) + 1}`;
    case 'yearly':
      return String(y);
    case 'weekly':
      return `Week of ${start}`;
    case 'daily':
      return start;
    default: {
      if (!end) return `From ${start}`;
      const last = new Date(Date.parse(`${end}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
      return `${start} – ${last}`;
    }
  }
}

const cellHtml = (r: Row | undefined, unit: string, compare: boolean, scale: number, good?: Polarity) =>
  r ? `${escapeHtml(formatMetric(r.value, unit, scale))}${compare ? changeHtml(r, unit, false, good) : ''}` : '<span class="qm-na">—</span>';

function cards(rows: Row[], metrics: MetricInfo[], compare: boolean): string {
  const items = metrics.map((m) => {
    const r = rows.find((x) => x.metric === m.name);
    return `<div class="qm-card"${attr('title', m.description)}><p class="qm-label">${escapeHtml(m.display_name)}</p><p class="qm-value">${escapeHtml(formatMetric(r?.value ?? null, m.unit))}</p>${compare && r ? changeHtml(r, m.unit, true, m.good) : ''}</div>`;
  });
  return `<div class="qm-cards">\n${items.join('\n')}\n</div>`;
}

/** Rows: metric (overall) then its slice values, per segment; columns given by `columns`. */
function pivot(
  rows: Row[],
  metrics: MetricInfo[],
  compare: boolean,
  columns: Array<{ labelHtml: string; pick: (r: Row) => boolean }>,
  perSlice: boolean,
  segments: string[],
): { html: string; capped: boolean } {
  const sliceValues = [...new Map(rows.filter((r) => r.sliceType !== 'none').map((r) => [sliceKey(r), r])).entries()];
  const body: string[] = [];
  let capped = false;
  for (const seg of segments) {
    if (segments.length > 1) body.push(`<tr class="qm-seg"><td${attr('colspan', columns.length + 1)}>${escapeHtml(seg === 'all' ? 'All rows' : `Segment: ${seg}`)}</td></tr>`);
    for (const m of metrics) {
      const scale = rows.reduce((mx, r) => (r.metric === m.name ? Math.max(mx, Math.abs(r.value ?? 0)) : mx), 0);
      const lines: Array<{ labelHtml: string; sub: boolean; match: (r: Row) => boolean }> = [
        { labelHtml: escapeHtml(m.display_name), sub: false, match: perSlice ? (r) => r.sliceType === 'none' : () => true },
      ];
      if (perSlice) for (const [key, sv] of sliceValues) lines.push({ labelHtml: sliceLabelHtml(sv.sliceType, sv.sliceValue), sub: true, match: (r) => sliceKey(r) === key });
      for (const line of lines) {
        if (body.length >= MAX_ROWS) {
          capped = true;
          break;
        }
        const mine = rows.filter((r) => r.metric === m.name && r.segment === seg && line.match(r));
        const cells = columns.map((c) => `<td class="num">${cellHtml(mine.find(c.pick), m.unit, compare, scale, m.good)}</td>`).join('');
        body.push(`<tr><td class="${line.sub ? 'qm-metric qm-sub' : 'qm-metric'}"${attr('title', line.sub ? undefined : m.description)}>${line.labelHtml}</td>${cells}</tr>`);
      }
    }
  }
  const head = `<tr><th scope="col"><span class="col-name">Metric</span></th>${columns.map((c) => `<th scope="col" class="num"><span class="col-name">${c.labelHtml}</span></th>`).join('')}</tr>`;
  return { html: `<div class="table-wrap"><table class="data qm-table"><thead>${head}</thead><tbody>\n${body.join('\n')}\n</tbody></table></div>`, capped };
}

export function renderMetrics(output: MetricsOutput): string {
  const rows = rowsOf(output);
  const compare = Boolean(output.compare);
  const periods = [...new Set(rows.map((r) => r.period))].sort((a, b) => String(a).localeCompare(String(b)));
  const segments = [...new Set(rows.map((r) => r.segment))].sort((a, b) => (a === 'all' ? -1 : b === 'all' ? 1 : 0));
  const sliced = rows.some((r) => r.sliceType !== 'none');
  const notes: string[] = [];
  let body: string;
  let caption = '';
  const compareText = output.compare ? ` · compared with the ${output.compare.replace('_', ' ')}` : '';
  if (periods.length <= 1) {
    const first = rows[0];
    caption = `${periodLabel(first?.period ?? null, first?.periodEnd ?? null, output.grain)}${compareText}`;
    if (!sliced && segments.length <= 1) body = cards(rows, output.metrics, compare);
    else {
      const values = [...new Map(rows.filter((r) => r.sliceType !== 'none').map((r) => [sliceKey(r), r])).entries()];
      const columns = [
        { labelHtml: 'Overall', pick: (r: Row) => r.sliceType === 'none' },
        ...values.map(([key, v]) => ({ labelHtml: sliceLabelHtml(v.sliceType, v.sliceValue), pick: (r: Row) => r.sliceType !== 'none' && sliceKey(r) === key })),
      ];
      const p = pivot(rows, output.metrics, compare, columns, false, segments);
      body = p.html;
      if (p.capped) notes.push(`Showing the first ${MAX_ROWS} rows`);
    }
  } else {
    const shown = periods.slice(-MAX_PERIODS);
    if (shown.length < periods.length) notes.push(`Showing the latest ${shown.length} of ${periods.length} periods`);
    caption = `${output.grain[0].toUpperCase()}${output.grain.slice(1)}${compareText}`;
    const ends = new Map(rows.map((r) => [r.period, r.periodEnd]));
    const columns = shown.map((p) => ({ labelHtml: escapeHtml(periodLabel(p, ends.get(p) ?? null, output.grain)), pick: (r: Row) => r.period === p }));
    const p = pivot(rows, output.metrics, compare, columns, sliced, segments);
    body = p.html;
    if (p.capped) notes.push(`Showing the first ${MAX_ROWS} rows`);
  }
  if (output.table.rows.length < output.table.rowCount) notes.push(`KPIs from the first ${countOf(output.table.rows.length, 'row')} of ${countOf(output.table.rowCount, 'row')}`);
  notes.push(`Long table: ${countOf(output.table.rowCount, 'row')} (in exports and to later cells)`);
  return [`<p class="qm-caption">${escapeHtml(caption)}</p>`, rows.length ? body : '<p class="muted no-output">No values</p>', `<p class="qm-note">${escapeHtml(notes.join(' · '))}</p>`].join('\n');
}
