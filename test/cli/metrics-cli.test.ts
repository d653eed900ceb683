import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { quire } from '../helpers/cli.js';
import { REPO, STARTER_METRICS } from '../helpers/paths.js';

/** A project holding the starter pack (metrics/ of the repo) over the test warehouse. */
function starterProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quire-metrics-cli-'));
  mkdirSync(join(dir, 'metrics'));
  for (const f of STARTER_METRICS) copyFileSync(join(REPO, 'metrics', `${f}.yaml`), join(dir, 'metrics', `${f}.yaml`));
  // biome-ignore lint/suspicious/noTemplateCurlyInString: quire.yaml's ${VAR} environment substitution, not a JS template
  writeFileSync(join(dir, 'quire.yaml'), 'database: ${QUIRE_TEST_DB}\nmetrics: [metrics]\n');
  return dir;
}

let dir: string;
let db: DuckDBInstance;
let hand: DuckDBConnection;
beforeAll(async () => {
  dir = starterProject();
  db = await DuckDBInstance.create(process.env.QUIRE_TEST_DB!, { access_mode: 'READ_ONLY' });
  hand = await db.connect();
});
afterAll(() => {
  hand?.closeSync();
  db?.closeSync();
});

const near = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)));

describe('the starter pack (metrics/)', () => {
  it('has at least 12 metrics, each with description, unit and category, plus slices and segments', () => {
    const r = quire(['metrics', 'list', '--json'], dir);
    expect(r.code).toBe(0);
    const { metrics, slices, segments } = JSON.parse(r.stdout) as Record<string, Array<Record<string, unknown>>>;
    expect(metrics.length).toBeGreaterThanOrEqual(12);
    for (const m of metrics) {
      expect(typeof m.description, m.name as string).toBe('string');
      expect(typeof m.unit, m.name as string).toBe('string');
      expect(typeof m.category, m.name as string).toBe('string');
    }
    const names = metrics.map((m) => m.name);
    for (const n of [
      'total_revenue',
      'order_count',
      'avg_order_value',
      'refund_rate',
      'active_customers',
      'new_customers',
      'mrr',
      'churn_rate',
      'homepage_ctr',
      'conversion_rate',
      'ticket_resolution_time',
    ])
      expect(names).toContain(n);
    expect(slices.length).toBeGreaterThanOrEqual(3);
    expect(segments.length).toBeGreaterThanOrEqual(3);
  });

  it('validates against the demo data: every expression binds, every slice and segment fits some source', () => {
    const r = quire(['metrics', 'validate'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ \d+ metrics, \d+ slices, \d+ segments/);
  });

  it('computes every metric', () => {
    const list = JSON.parse(quire(['metrics', 'list', '--json'], dir).stdout) as { metrics: Array<{ name: string }> };
    const r = quire(['metrics', 'compute', ...list.metrics.map((m) => m.name), '--format', 'json'], dir);
    expect(r.stderr).toBe('');
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((x) => x.metric_name)).toEqual(list.metrics.map((m) => m.name));
    for (const row of rows) expect(typeof row.metric_value, String(row.metric_name)).toBe('number');
  });
});

describe('quire metrics', () => {
  it('list: by category; --category filters and suggests', () => {
    const all = quire(['metrics', 'list'], dir);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^revenue\n(.*\n)* {2}total_revenue +currency +sum over orders — Amount charged on completed orders/m);
    expect(all.stdout).toContain('geography');
    const support = quire(['metrics', 'list', '--category', 'support'], dir);
    expect(
      support.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/)[0]),
    ).toEqual(['open_ticket_share', 'ticket_count', 'ticket_resolution_time']);
    const typo = quire(['metrics', 'list', '--category', 'suport'], dir);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("no metrics in category 'suport' — did you mean 'support'?");
  });

  it('show: the definition and the SQL it compiles to (one scan)', () => {
    const r = quire(['metrics', 'show', 'avg_order_value'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('metric avg_order_value (metrics/revenue.yaml:');
    expect(r.stdout).toContain('expression: total_revenue / NULLIF(order_count, 0)');
    expect(r.stdout).toContain('-- compiles to (1 scan):');
    const sliced = quire(['metrics', 'show', 'refund_rate', '--slice', 'region', '--segment', 'discounted_orders', '--grain', 'monthly', '--from', '2026-01-01', '--to', '2026-04-01'], dir);
    expect(sliced.stdout).toContain("$quire_start = DATE '2026-01-01', $quire_end = DATE '2026-04-01'");
    expect(sliced.stdout).toContain('GROUP BY GROUPING SETS ((__quire_p, __quire_k0), (__quire_p))');
    const sql = sliced.stdout.slice(sliced.stdout.indexOf('WITH'));
    expect(sql).toContain('"order_date" >= $quire_start AND "order_date" < $quire_end');
    expect(sql).not.toContain('2026-01-01'); // dates are bound values, never SQL text
    const unknown = quire(['metrics', 'show', 'total_revenu'], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no metric, slice or segment named 'total_revenu' — did you mean 'total_revenue'?");
    const slice = quire(['metrics', 'show', 'geography'], dir);
    expect(slice.stdout).toContain('slice geography (metrics/slices.yaml:');
  });

  it('compute: table, csv and json, equal to hand-written SQL', async () => {
    const args = ['metrics', 'compute', 'total_revenue', 'order_count', '--slice', 'region', '--segment', 'discounted_orders', '--from', '2026-01-01', '--to', '2026-02-01'];
    const csv = quire([...args, '--format', 'csv'], dir);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('period_type,period_start_date,period_end_date,metric_name,slice_type,slice_value,segment_name,metric_value');
    const expected = await hand.runAndReadAll(`SELECT region, discount > 0 AS d, sum(amount) AS revenue, count(*) AS n FROM orders
      WHERE status = 'completed' AND order_date >= DATE '2026-01-01' AND order_date < DATE '2026-02-01' GROUP BY ALL`);
    const rows = expected.getRowsJson().map(([region, d, revenue, n]) => ({ region: String(region), d: Boolean(d), revenue: Number(revenue), n: Number(n) }));
    for (const line of lines.slice(1)) {
      const [type, start, end, metric, sliceType, sliceValue, segment, value] = line.split(',');
      expect([type, start, end]).toEqual(['all_time', '2026-01-01', '2026-02-01']);
      const pick = rows.filter((r) => (sliceType === 'none' || r.region === sliceValue) && (segment === 'all' || r.d));
      const want = metric === 'total_revenue' ? pick.reduce((s, r) => s + r.revenue, 0) : pick.reduce((s, r) => s + r.n, 0);
      expect(near(Number(value), want)).toBe(true);
    }
    expect(lines).toHaveLength(1 + 2 * 5 * 2);
    const json = JSON.parse(quire([...args, '--format', 'json'], dir).stdout) as Array<Record<string, unknown>>;
    expect(json).toHaveLength(20);
    expect(Object.keys(json[0])).toEqual(lines[0].split(','));
    const table = quire(args, dir).stdout.split('\n');
    expect(table[0]).toMatch(/^period_type +period_start_date +period_end_date +metric_name +slice_type +slice_value +segment_name +metric_value$/);
    expect(table).toHaveLength(2 + 20 + 1);
  });

  it('compute: mistakes are named', () => {
    const typo = quire(['metrics', 'compute', 'total_revnue'], dir);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("unknown metric 'total_revnue' in the request — did you mean 'total_revenue'?");
    const half = quire(['metrics', 'compute', 'total_revenue', '--from', '2026-01-01'], dir);
    expect(half.code).toBe(1);
    expect(half.stderr).toContain('give both --from and --to');
    const untimed = quire(['metrics', 'compute', 'mrr', '--from', '2026-01-01', '--to', '2026-02-01'], dir);
    expect(untimed.code).toBe(1);
    expect(untimed.stderr).toContain("metric mrr (metrics/subscriptions.yaml:3) has no time_column, so the request can't use it with a time_window");
    const grain = quire(['metrics', 'compute', 'total_revenue', '--grain', 'hourly'], dir);
    expect(grain.code).toBe(2);
  });
});
