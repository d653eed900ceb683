/**
 * A slice column's NULL stays a NULL slice value, apart from a real '(null)' string in the same
 * column (issue 14); in a cross-product a NULL part is `\N` and values holding `|` or `\` are
 * escaped, so no two slice values share a row. Checked against GROUP BY written by hand.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMetrics } from '../../engine/report/html/metrics.js';
import type { MetricsOutput, TableValue } from '../../engine/outputs.js';
import { comboKey, engineRows, openEngine, sliceValueOf, splitSliceValue, type EngineContext, type Row } from '../helpers/metrics.js';
import { FIXTURES } from '../helpers/paths.js';

const CSV = join(FIXTURES, 'metrics-null-slice', 'data', 'visits.csv').replaceAll("'", "''");

let ctx: EngineContext;
beforeAll(async () => {
  ctx = await openEngine('metrics-null-slice');
});
afterAll(() => ctx?.close());

/** sum(amount) by the given columns, written by hand: key → value. */
async function handSums(columns: string[], where = 'true'): Promise<Map<string, number>> {
  const reader = await ctx.hand.runAndReadAll(`SELECT ${columns.join(', ')}, sum(amount) FROM read_csv('${CSV}') WHERE ${where} GROUP BY ALL`);
  return new Map(reader.getRows().map((r) => [JSON.stringify(r.slice(0, -1).map((v) => (v === null ? null : String(v)))), Number(r.at(-1))]));
}

/** The engine's rows of one slice type, as parts (JSON) → value. */
function engineSums(rows: Row[], sliceType: string, metric = 'visit_amount'): Map<string, number> {
  const mine = rows.filter((r) => r.slice_type === sliceType && r.metric_name === metric);
  const keys = mine.map((r) => comboKey(r.slice_type, r.slice_value));
  expect(new Set(keys).size).toBe(keys.length); // one row per slice value
  return new Map(mine.map((r) => [JSON.stringify(splitSliceValue(sliceType, r.slice_value as string | null)), Number(r.metric_value)]));
}

describe('NULL slice values', () => {
  it("a NULL and a real '(null)' in one column are two slice values: NULL and '(null)'", async () => {
    const { rows } = await engineRows(ctx, { metrics: ['visit_amount', 'visits'], slices: ['device'] });
    const values = rows.filter((r) => r.slice_type === 'device' && r.metric_name === 'visit_amount').map((r) => r.slice_value);
    expect(new Set(values)).toEqual(new Set(['mobile', '(null)', null, '\\N']));
    expect(engineSums(rows, 'device')).toEqual(await handSums(['device']));
    const byValue = (v: string | null) => rows.find((r) => r.slice_type === 'device' && r.slice_value === v && r.metric_name === 'visit_amount')!.metric_value;
    expect(byValue(null)).toBe(4 + 8 + 256);
    expect(byValue('(null)')).toBe(2 + 16 + 128);
  });

  it('a cross-product escapes | and \\ inside values and writes a NULL part as \\N', async () => {
    const { rows } = await engineRows(ctx, { metrics: ['visit_amount'], slices: ['device', 'channel'] });
    expect(engineSums(rows, 'device|channel')).toEqual(await handSums(['device', 'channel']));
    const values = new Set(rows.filter((r) => r.slice_type === 'device|channel').map((r) => r.slice_value));
    for (const v of ['\\N|a\\|b', '(null)|a\\\\b', '\\\\N|a', '\\N|\\N', '(null)|\\N', 'mobile|\\N', '(null)|web']) expect(values).toContain(v);
    expect(sliceValueOf([null, 'a|b'])).toBe('\\N|a\\|b');
  });

  it('with a grain and compare, NULL rows find their comparison (periods × slice values stay whole)', async () => {
    const { rows } = await engineRows(ctx, { metrics: ['visit_amount'], slices: ['device'], window: { start: '2025-01-01', end: '2025-03-01' }, grain: 'monthly', compare: 'previous_period' });
    const feb = rows.filter((r) => r.period_start_date === '2025-02-01' && r.slice_type === 'device');
    const at = (v: string | null) => feb.find((r) => r.slice_value === v)!;
    expect([at(null).metric_value, at(null).comparison_value]).toEqual([256, 4 + 8]);
    expect([at('(null)').metric_value, at('(null)').comparison_value]).toEqual([128, 2 + 16]);
    expect(feb.map((r) => r.slice_value).filter((v) => v === null)).toHaveLength(1);
  });

  it("the report marks the NULL value, and shows a real '(null)' as text", async () => {
    const { columns, rows } = await engineRows(ctx, { metrics: ['visit_amount'], slices: ['device', 'channel'] });
    const output: MetricsOutput = {
      kind: 'metrics',
      table: { kind: 'table', columns: columns.map((name) => ({ name, type: 'VARCHAR' })), rows: rows.map((r) => columns.map((c) => r[c] as TableValue)), rowCount: rows.length },
      metrics: [{ name: 'visit_amount', display_name: 'Amount', unit: 'number' }],
      grain: 'all_time',
    };
    const html = renderMetrics(output);
    const heads = [...html.matchAll(/<span class="col-name">(.*?)<\/span><\/th>/g)].map((m) => m[1]);
    const mark = '<span class="null" title="NULL: rows without a value">∅ no value</span>';
    expect(heads).toContain(`${mark}|a|b`); // NULL × 'a|b'
    expect(heads).toContain('(null)|a\\b');
    expect(heads).toContain('\\N|a');
    expect(heads).toContain(`${mark}|${mark}`);
    expect(new Set(heads).size).toBe(heads.length);
  });
});
