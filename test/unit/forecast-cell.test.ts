/**
 * The forecast cell on the 20,000-order test warehouse: its table is engine/stats' forecast of the
 * series read back by hand-written SQL (checked value for value), a metric cell's long table works
 * as a source, code cells get the same functions as `stats`, and bad input fails with a located,
 * typed error. The statistics themselves are checked against statsmodels in forecast-stats.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { runNotebook } from '../../engine/exec/run.js';
import { validateNotebook } from '../../engine/validate.js';
import { ValidationErrors } from '../../engine/util/errors.js';
import { backtest, forecast } from '../../engine/stats/forecast.js';
import { flagAnomalies } from '../../engine/stats/anomaly.js';
import { inferStep, futureTimes } from '../../cells/forecast/time-step.js';
import { fixtureProject } from '../helpers/cli.js';

const outputs = (dir: string) => JSON.parse(readFileSync(join(dir, 'outputs.json'), 'utf8')).outputs as Record<string, any>;

let db: DuckDBInstance;
let hand: DuckDBConnection;
/** The run of good.yaml, shared by the tests that read it. */
let good: Awaited<ReturnType<typeof runNotebook>>;
beforeAll(async () => {
  db = await DuckDBInstance.create(process.env.QUIRE_TEST_DB!, { access_mode: 'READ_ONLY' });
  hand = await db.connect();
  good = await runNotebook(join(fixtureProject('forecast'), 'good.yaml'), { cache: 'off', exports: ['html'] });
});
afterAll(() => {
  hand?.closeSync();
  db?.closeSync();
});

async function handSeries(region: string): Promise<number[]> {
  const r = await hand.runAndReadAll(
    `SELECT CAST(count(o.order_id) AS DOUBLE) FROM range(DATE '2025-03-01', DATE '2026-03-01', INTERVAL 1 DAY) c(day)
     LEFT JOIN orders o ON o.order_date = CAST(c.day AS DATE) AND o.region = $r AND o.status = 'completed' GROUP BY c.day ORDER BY c.day`,
    { r: region },
  );
  return r.getRows().map((row) => Number(row[0]));
}

describe('the forecast cell', () => {
  it('forecasts each series of a table, flags anomalies, backtests, and code cells get the same numbers from stats.*', async () => {
    const { manifest, dir } = good;
    expect(manifest.cells.filter((c) => c.status !== 'succeeded').map((c) => `${c.id}: ${c.error?.message}`)).toEqual([]);
    const out = outputs(dir);
    const t = out.by_region;
    expect(t.columns.map((c: any) => `${c.name} ${c.type}`)).toEqual([
      'date DATE',
      'series VARCHAR',
      'actual DOUBLE',
      'fitted DOUBLE',
      'forecast DOUBLE',
      'lower DOUBLE',
      'upper DOUBLE',
      'is_anomaly BOOLEAN',
      'anomaly_z DOUBLE',
      'backtest_mape DOUBLE',
      'backtest_mase DOUBLE',
    ]);
    expect(t.rowCount).toBe(2 * (365 + 14));
    const rows = t.rows.map((r: any[]) => Object.fromEntries(t.columns.map((c: any, i: number) => [c.name, r[i]])));
    const eu = rows.filter((r: any) => r.series === 'EU');
    const y = await handSeries('EU');
    const fc = forecast(y, { method: 'holt_winters_additive', period: 7, horizon: 14 });
    const bt = backtest(y, { method: 'holt_winters_additive', period: 7, horizon: 14, start: fc.params! })!;
    const flags = flagAnomalies(fc.residuals, 3.5);
    expect(eu.slice(0, 365).map((r: any) => r.actual)).toEqual(y);
    expect(eu.slice(0, 365).map((r: any) => r.fitted)).toEqual(fc.fitted);
    expect(eu.slice(0, 365).map((r: any) => r.is_anomaly)).toEqual(flags.isAnomaly);
    expect(eu.slice(365).map((r: any) => r.forecast)).toEqual(fc.forecast);
    expect(eu.slice(365).map((r: any) => r.lower)).toEqual(fc.lower);
    expect(eu.slice(365).map((r: any) => r.upper)).toEqual(fc.upper);
    expect(eu.slice(365).map((r: any) => r.date)).toEqual(Array.from({ length: 14 }, (_, k) => new Date(Date.UTC(2026, 2, 1 + k)).toISOString().slice(0, 10)));
    expect(eu.slice(365).every((r: any) => r.actual === null && r.is_anomaly === false)).toBe(true);
    expect(eu[0].backtest_mape).toBe(bt.mape);
    expect(eu[0].backtest_mase).toBe(bt.mase);
    // the report draws it above the table: history, forecast band, anomalies, and says the backtest errors
    expect(t.chart).toMatchObject({ kind: 'chart', engine: 'vega-lite', chart: 'forecast', data: 'by_region' });
    expect(t.chart.note).toMatch(
      /^Holt-Winters \(additive season\), season 7; band: 95% prediction interval\. Backtest on the last 14 points \(mean of 2 series\): MAPE \d+\.\d%, MASE \d\.\d\d\. \d+ anomal/,
    );
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    const section = html.slice(html.indexOf('id="cell-by_region"'), html.indexOf('id="cell-totals"'));
    expect(section).toContain('<svg');
    expect(section).toContain('Backtest on the last 14 points');
    // code cells: the same functions, the same numbers
    const code = out.in_code.value;
    expect(code.forecast).toEqual(fc.forecast);
    expect(code.lower).toEqual(fc.lower);
    expect(code.mape).toBe(bt.mape);
    expect(code.anomalies).toBe(flags.isAnomaly.filter(Boolean).length);
    expect(code.methods).toEqual(['seasonal_naive', 'holt_winters_additive', 'holt_winters_multiplicative']);
  });

  it("reads a metric cell's long table: weekly periods, seasonal naive, its own level and threshold", async () => {
    const out = outputs(good.dir);
    const t = out.weekly;
    const rows = t.rows.map((r: any[]) => Object.fromEntries(t.columns.map((c: any, i: number) => [c.name, r[i]])));
    const weeks = await hand.runAndReadAll(
      `SELECT CAST(count(o.order_id) AS DOUBLE) FROM range(DATE '2024-06-03', DATE '2026-06-01', INTERVAL 7 DAY) w(start)
       LEFT JOIN orders o ON o.order_date >= CAST(w.start AS DATE) AND o.order_date < CAST(w.start AS DATE) + 7 AND o.status = 'completed' GROUP BY w.start ORDER BY w.start`,
    );
    const y = weeks.getRows().map((r) => Number(r[0]));
    const fc = forecast(y, { method: 'seasonal_naive', period: 4, horizon: 8, level: 0.8 });
    expect(rows.filter((r: any) => r.actual !== null).map((r: any) => r.actual)).toEqual(y);
    expect(rows.slice(y.length).map((r: any) => r.forecast)).toEqual(fc.forecast);
    expect(rows.slice(y.length).map((r: any) => r.upper)).toEqual(fc.upper);
    expect(rows[y.length].date).toBe('2026-06-01');
    expect(new Set(rows.map((r: any) => r.series))).toEqual(new Set(['order_count']));
    expect(rows.filter((r: any) => r.is_anomaly)).toEqual(rows.filter((r: any) => r.anomaly_z !== null && Math.abs(r.anomaly_z) > 3));
    expect(t.chart.note).toMatch(/Seasonal naive, season 4; band: 80% prediction interval/);
  });

  it('fails with a located, typed error on gaps, unknown or non-numeric columns and too little history', async () => {
    const project = fixtureProject('forecast');
    const { manifest } = await runNotebook(join(project, 'bad.yaml'), { cache: 'off', exports: [] });
    const byId = Object.fromEntries(manifest.cells.map((c) => [c.id, c]));
    expect(byId.gaps.error).toMatchObject({ code: 'E_FORECAST_DATA' });
    expect(byId.gaps.error?.message).toMatch(/cell gaps: the series is not evenly spaced in time: a gap between \d{4}-\d\d-\d\d and \d{4}-\d\d-\d\d/);
    expect(byId.wrong_column.error?.code).toBe('E_FORECAST_COLUMN');
    expect(byId.wrong_column.error?.message).toMatch(/gappy has no column 'order' — did you mean 'orders'\?/);
    expect(byId.wrong_column.error?.location).toMatch(/bad\.yaml:21:\d+$/);
    expect(byId.not_numbers.error?.message).toMatch(/value: column 'label' is VARCHAR, not a number/);
    expect(byId.too_short.error?.message).toMatch(/has 10 points; holt_winters_additive with period 7 needs at least 14/);
    expect(byId.typo_metric.error?.message).toMatch(/totals computes no metric 'order_cont' — did you mean 'order_count'\?/);
    expect(manifest.status).toBe('partial');
  });

  it('checks its keys and source before anything runs', async () => {
    const project = fixtureProject('forecast');
    const err = await validateNotebook(join(project, 'invalid.yaml')).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationErrors);
    const messages = (err as ValidationErrors).errors.map((e) => `${e.code} ${e.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^E_FORECAST_METRIC cell no_metric forecasts metric cell 'totals' but names no metric/),
        expect.stringMatching(/^E_UNKNOWN_CELL cell unknown_source forecasts unknown cell 'total' — did you mean 'totals'\?/),
        expect.stringMatching(/^E_FORECAST_COLUMN cell no_columns names no time column/),
        expect.stringMatching(/arima/),
      ]),
    );
  });
});

describe('time steps', () => {
  it('are fixed (days) or calendar months, and the next times follow them', () => {
    const day = 86_400_000_000;
    const d = (s: string) => Date.parse(s) * 1000;
    expect(inferStep([d('2025-01-01'), d('2025-01-02'), d('2025-01-03')])).toEqual({ kind: 'fixed', us: day });
    expect(inferStep([d('2025-01-01'), d('2025-01-02'), d('2025-01-04')])).toBeNull();
    const months = [d('2025-01-01'), d('2025-02-01'), d('2025-03-01')];
    expect(inferStep(months)).toEqual({ kind: 'months', months: 1 });
    expect(futureTimes(months[2], { kind: 'months', months: 1 }, 11).map((t) => new Date(t / 1000).toISOString().slice(0, 10))).toContain('2026-02-01');
    expect(inferStep([d('2025-01-01'), d('2025-04-01'), d('2025-07-01'), d('2025-10-01')])).toEqual({ kind: 'months', months: 3 });
  });
});
