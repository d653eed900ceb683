import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { quire } from '../helpers/cli.js';

/** Events at instants near midnight UTC; in New York some fall on the previous day. */
async function project(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-metrics-tz-'));
  const db = await DuckDBInstance.create(join(dir, 'tz.duckdb'));
  const conn = await db.connect();
  await conn.run(`CREATE TABLE events AS SELECT * FROM (VALUES
    (TIMESTAMPTZ '2026-03-02 03:00:00+00'), (TIMESTAMPTZ '2026-03-02 04:30:00+00'),
    (TIMESTAMPTZ '2026-03-02 06:00:00+00'), (TIMESTAMPTZ '2026-03-03 12:00:00+00')) t(happened_at)`);
  conn.closeSync();
  db.closeSync();
  writeFileSync(join(dir, 'quire.yaml'), 'database: tz.duckdb\ntimezone: America/New_York\nmetrics: [metrics]\n');
  const spec =
    'metric:\n  name: events\n  display_name: Events\n  description: Events\n  category: activity\n  unit: count\n  source: events\n  time_column: happened_at\n  aggregation: count\n  numerator: "COUNT(*)"\n';
  mkdirSync(join(dir, 'metrics'));
  writeFileSync(join(dir, 'metrics', 'events.yaml'), spec);
  return dir;
}

describe('TIMESTAMPTZ columns are grouped in the project timezone', () => {
  it('daily counts are the same whatever the machine TZ', async () => {
    const dir = await project();
    const daily = (tz: string) => {
      const r = quire(['metrics', 'compute', 'events', '--grain', 'daily', '--from', '2026-03-01', '--to', '2026-03-04', '--format', 'json'], dir, { TZ: tz });
      expect(r.stderr).toBe('');
      return (JSON.parse(r.stdout) as Array<Record<string, unknown>>).map((row) => [row.period_start_date, row.metric_value]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    };
    const expected = [
      ['2026-03-01', 2],
      ['2026-03-02', 1],
      ['2026-03-03', 1],
    ];
    expect(daily('UTC')).toEqual(expected);
    expect(daily('Asia/Tokyo')).toEqual(expected);
  });
});
