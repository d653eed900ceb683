/**
 * Exact COUNT(DISTINCT x) for every variant (segment × `where` slice value) of one metric, at
 * both levels of the aggregation (per slice-column combination, and the total), from the cube
 * rather than a second read of the source. Conditional `count(DISTINCT ...)` builds a hash table
 * of values per variant and level, each about as big as the source; here values are deduplicated
 * once for all of them.
 *
 *   the cube     keeps `list(x)` per group (an append per row; groups also split by hash(x) so
 *                that the lists spread over threads) and numbers the slice-column combinations
 *                1..n (`__quire_slice`, see scan.ts)
 *   _ids         one row per (period, x): a bit mask of where x was seen, V bits (one per
 *                variant) per slot; slot 0 is the total, slot s the s-th slice combination
 *   _masks       how many values share each mask (few distinct masks)
 *   <name>       per (period, slot): the number of values with each variant's bit set
 *
 * A UBIGINT holds K = 64 / V slots; with more slice combinations the slots are split in blocks
 * of K (the block is part of the key), a value's total slot living in block 0.
 */

/** Variants one mask can hold (bits of a UBIGINT). */
export const MAX_DISTINCT_VARIANTS = 64;

export interface DistinctPipeline {
  ctes: string[];
  /** LEFT JOINs that bring the counts next to the cube rows (inside the aggregation's FROM). */
  joins: string[];
  /** The count of variant `v` inside the GROUP BY over the cube; `rollup` is `GROUPING(keys)` or null without slice columns. */
  value(v: number, rollup: string | null): string;
}

const bit = (v: number) => `CAST(${(1n << BigInt(v)).toString()} AS UBIGINT)`;
const ZERO = 'CAST(0 AS UBIGINT)';

/**
 * `name` is unique in the query; `list` the cube column holding list(x); `conds[v]` the flags
 * (cube columns) that select variant v's rows; `sliced`: the cube has `__quire_slice`;
 * `periodKeys` the cube's period key columns (`__quire_p`, maybe `__quire_cmp`).
 */
export function distinctPipeline(name: string, cube: string, list: string, conds: string[][], sliced: boolean, periodKeys: string[]): DistinctPipeline {
  const V = conds.length;
  if (V < 1 || V > MAX_DISTINCT_VARIANTS) throw new Error(`distinct counts hold 1..${MAX_DISTINCT_VARIANTS} variants, not ${V}`);
  const K = Math.floor(MAX_DISTINCT_VARIANTS / V);
  const bits = conds.map((c, v) => (c.length ? `CASE WHEN ${c.join(' AND ')} THEN ${bit(v)} ELSE ${ZERO} END` : bit(v))).join(' | ');
  const rows = `${name}_rows`;
  const ids = `${name}_ids`;
  const masks = `${name}_masks`;
  const slot = '__quire_slice';
  const P = periodKeys.join(', ');
  // The counts' own names for the period keys, which the cube keeps beside them in one FROM.
  const own = (k: string) => `__quire_d${k.slice('__quire_'.length)}`;
  const ctes = [
    `${rows} AS (\n  SELECT ${P}, ${sliced ? slot : `0 AS ${slot}`}, ${bits} AS __quire_bits, ${list} AS __quire_xs\n  FROM ${cube}\n)`,
    // A slice's slot, and the total's (slot 0) in the same row when both are in block 0.
    `${ids} AS (\n  SELECT ${P}, __quire_blk, bit_or(__quire_mask) AS __quire_mask\n  FROM (\n    SELECT ${P}, __quire_blk, __quire_mask, unnest(__quire_xs) AS __quire_x\n    FROM (\n` +
      `      SELECT ${P}, ${slot} // ${K} AS __quire_blk, (__quire_bits << CAST(${V} * (${slot} % ${K}) AS UBIGINT)) | CASE WHEN ${slot} // ${K} = 0 THEN __quire_bits ELSE ${ZERO} END AS __quire_mask, __quire_xs\n` +
      `      FROM ${rows} WHERE __quire_bits <> 0\n      UNION ALL\n` +
      `      SELECT ${P}, 0, __quire_bits, __quire_xs FROM ${rows} WHERE __quire_bits <> 0 AND ${slot} // ${K} <> 0\n    )\n  )\n` +
      `  WHERE __quire_x IS NOT NULL\n  GROUP BY ${P}, __quire_blk, __quire_x\n)`,
    `${masks} AS (\n  SELECT ${P}, __quire_blk, __quire_mask, count(*) AS __quire_n FROM ${ids} GROUP BY ${P}, __quire_blk, __quire_mask\n)`,
    `${name} AS MATERIALIZED (\n  SELECT ${periodKeys.map((k) => `m.${k} AS ${own(k)}`).join(', ')}, s.__quire_ds,\n    ` +
      conds.map((_, v) => `sum(m.__quire_n) FILTER (WHERE (m.__quire_mask >> CAST(${V} * (s.__quire_ds % ${K}) + ${v} AS UBIGINT)) & 1 = 1) AS __quire_dv${v}`).join(',\n    ') +
      `\n  FROM ${masks} m\n  JOIN (SELECT DISTINCT ${slot} AS __quire_ds FROM ${rows} UNION SELECT 0) s ON m.__quire_blk = s.__quire_ds // ${K}\n  GROUP BY ${periodKeys.map((k) => `m.${k}`).join(', ')}, s.__quire_ds\n)`,
  ];
  const s = `${name}_s`;
  const t = `${name}_t`;
  const on = (a: string) => periodKeys.map((k) => `${a}.${own(k)} = ${cube}.${k}`).join(' AND ');
  const joins = [`LEFT JOIN ${name} ${t} ON ${on(t)} AND ${t}.__quire_ds = 0`];
  if (sliced) joins.push(`LEFT JOIN ${name} ${s} ON ${on(s)} AND ${s}.__quire_ds = ${cube}.${slot}`);
  return {
    ctes,
    joins,
    // Every cube row of a group carries the group's count: max() picks it.
    value: (v, rollup) => `coalesce(${rollup ? `CASE WHEN ${rollup} = 0 THEN max(${s}.__quire_dv${v}) ELSE max(${t}.__quire_dv${v}) END` : `max(${t}.__quire_dv${v})`}, 0)`,
  };
}
