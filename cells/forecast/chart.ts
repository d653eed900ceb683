/**
 * The forecast cell's picture, a Vega-Lite spec: history as a line, the forecast dashed with its
 * interval as a band, anomalies as red points; one panel per series (the first few when many).
 */
import type { ChartOutput } from '../../engine/outputs.js';
import { CHART_HEIGHT, CHART_WIDTH, PALETTE } from '../../engine/report/charts/theme.js';
import type { ForecastColumns, SeriesSummary } from './compute.js';

/** Panels drawn at most; the table holds every series. */
export const MAX_PANELS = 6;
/** History points drawn per series at most (the latest). */
export const MAX_HISTORY = 730;

const ANOMALY = '#d92d20';

export interface ChartFacts {
  cellId: string;
  valueTitle: string;
  methodText: string;
  level: number;
  threshold: number;
  horizon: number;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const num = (v: number) => v.toFixed(2);

/** The note under the chart: method, interval, backtest errors and anomaly count. */
export function forecastNote(summaries: readonly SeriesSummary[], facts: ChartFacts): string {
  const parts = [`${facts.methodText}, season ${summaries[0]?.period ?? '?'}; band: ${Math.round(facts.level * 1000) / 10}% prediction interval.`];
  const scored = summaries.filter((s) => s.holdout > 0);
  if (scored.length) {
    const mean = (xs: (number | null)[]) => {
      const v = xs.filter((x): x is number => x !== null);
      return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
    };
    const m = mean(scored.map((s) => s.mape));
    const k = mean(scored.map((s) => s.mase));
    const holdout = Math.min(...scored.map((s) => s.holdout));
    parts.push(
      `Backtest on the last ${holdout} point${holdout === 1 ? '' : 's'}${summaries.length > 1 ? ` (mean of ${scored.length} series)` : ''}: MAPE ${m === null ? 'n/a' : pct(m)}, MASE ${k === null ? 'n/a' : num(k)}.`,
    );
  } else parts.push('Too short for a backtest.');
  const anomalies = summaries.reduce((a, s) => a + s.anomalies, 0);
  parts.push(`${anomalies} anomal${anomalies === 1 ? 'y' : 'ies'} (|robust z| > ${facts.threshold}).`);
  if (summaries.length > MAX_PANELS) parts.push(`Showing ${MAX_PANELS} of ${summaries.length} series; the table has all.`);
  return parts.join(' ');
}

export function forecastChart(c: ForecastColumns, summaries: readonly SeriesSummary[], facts: ChartFacts): ChartOutput {
  const shown = new Set(summaries.slice(0, MAX_PANELS).map((s) => s.name));
  const historyCount = new Map<string, number>();
  for (let i = 0; i < c.time.length; i++) if (c.actual[i] !== null) historyCount.set(c.series[i], (historyCount.get(c.series[i]) ?? 0) + 1);
  const seen = new Map<string, number>();
  const values: Record<string, number | string | boolean | null>[] = [];
  for (let i = 0; i < c.time.length; i++) {
    const s = c.series[i];
    if (!shown.has(s)) continue;
    if (c.actual[i] !== null) {
      const k = (seen.get(s) ?? 0) + 1;
      seen.set(s, k);
      if (k <= (historyCount.get(s) ?? 0) - MAX_HISTORY) continue;
    }
    values.push({
      date: c.time[i] / 1000,
      series: s,
      actual: c.actual[i],
      fitted: c.fitted[i],
      forecast: c.forecast[i],
      lower: c.lower[i],
      upper: c.upper[i],
      is_anomaly: c.is_anomaly[i],
      anomaly_z: c.anomaly_z[i],
    });
  }
  const y = (field: string) => ({ field, type: 'quantitative', title: facts.valueTitle, scale: { zero: false } });
  const layer = [
    { mark: { type: 'area', color: PALETTE[0], opacity: 0.18 }, encoding: { y: y('lower'), y2: { field: 'upper' } } },
    { mark: { type: 'line', color: '#475467', strokeWidth: 1.4 }, encoding: { y: y('actual') } },
    { mark: { type: 'line', color: PALETTE[0], strokeWidth: 2, strokeDash: [6, 3] }, encoding: { y: y('forecast') } },
    {
      transform: [{ filter: 'datum.is_anomaly' }],
      mark: { type: 'point', filled: true, size: 70, color: ANOMALY },
      encoding: {
        y: y('actual'),
        tooltip: [
          { field: 'date', type: 'temporal', format: '%Y-%m-%d' },
          { field: 'actual', type: 'quantitative', format: ',.2f' },
          { field: 'fitted', type: 'quantitative', format: ',.2f', title: 'expected' },
          { field: 'anomaly_z', type: 'quantitative', format: '+.1f', title: 'robust z' },
        ],
      },
    },
  ];
  const x = { field: 'date', type: 'temporal', title: null };
  const many = shown.size > 1;
  const spec: Record<string, unknown> = many
    ? {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        data: { values },
        facet: { row: { field: 'series', type: 'nominal', title: null, sort: [...shown] } },
        spec: { width: CHART_WIDTH - 80, height: Math.round(CHART_HEIGHT * 0.55), encoding: { x }, layer },
        resolve: { scale: { y: 'independent' } },
      }
    : { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', data: { values }, width: CHART_WIDTH, height: CHART_HEIGHT, encoding: { x }, layer };
  return {
    kind: 'chart',
    engine: 'vega-lite',
    chart: 'forecast',
    data: facts.cellId,
    spec,
    points: values.length,
    totalRows: c.time.length,
    note: forecastNote(summaries, facts),
  };
}
