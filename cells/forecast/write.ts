/** The forecast cell's result table: columns appended into a staging table, then typed into the cell's table. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, RESULTS_CATALOG } from '../../engine/duck/duck.js';
import type { ForecastColumns } from './compute.js';

export const RESULT_COLUMNS = ['date', 'series', 'actual', 'fitted', 'forecast', 'lower', 'upper', 'is_anomaly', 'anomaly_z', 'backtest_mape', 'backtest_mase'] as const;

const DOUBLES = ['actual', 'fitted', 'forecast', 'lower', 'upper', 'anomaly_z', 'backtest_mape', 'backtest_mase'] as const;

/** Writes the rows into `<RESULTS_CATALOG>.main.<id>`, `date` of `timeType` (the source's DATE or TIMESTAMP type). */
export async function writeForecastTable(conn: DuckDBConnection, id: string, timeType: string, c: ForecastColumns): Promise<void> {
  const staging = quoteIdent(`__quire_forecast_${id}`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${staging} (t_us DOUBLE, series VARCHAR, ${DOUBLES.map((d) => `${d} DOUBLE`).join(', ')}, is_anomaly BOOLEAN)`);
  try {
    const appender = await conn.createAppender(`__quire_forecast_${id}`, 'main', 'temp');
    try {
      for (let i = 0; i < c.time.length; i++) {
        appender.appendDouble(c.time[i]);
        appender.appendVarchar(c.series[i]);
        for (const d of DOUBLES) {
          const v = c[d][i];
          if (v === null) appender.appendNull();
          else appender.appendDouble(v);
        }
        appender.appendBoolean(c.is_anomaly[i]);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const date = timeType === 'DATE' ? 'CAST(make_timestamp(CAST(t_us AS BIGINT)) AS DATE)' : 'make_timestamp(CAST(t_us AS BIGINT))';
    await conn.run(
      `CREATE OR REPLACE TABLE ${RESULTS_CATALOG}.main.${quoteIdent(id)} AS SELECT ${date} AS date, series, actual, fitted, forecast, lower, upper, is_anomaly, anomaly_z, backtest_mape, backtest_mase FROM temp.main.${staging} ORDER BY rowid`,
    );
  } finally {
    await conn.run(`DROP TABLE IF EXISTS temp.main.${staging}`);
  }
}
