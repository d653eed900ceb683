/**
 * The metric engine: YAML metric, slice and segment specs compiled to one-scan SQL whose result
 * is the long table of shared/spec/metrics-format.md.
 *
 * Choices where shared/spec/metrics-format.md leaves room (README material):
 * - Results always hold the overall rows (slice_type 'none', slice_value 'all'), with slices too;
 *   they come first (newest period first), so text cells' `metric` filter finds them.
 * - period_end_date is exclusive, like time windows and `_end` params. all_time without a window
 *   has NULL period dates. count_distinct, like sum and count, is 0 where nothing was counted.
 * - A column slice's NULL value is the slice value '(null)'. metric_value is DOUBLE; Infinity and
 *   NaN become NULL. change_pct = (value - comparison) / |comparison|, NULL when that is 0.
 * - compare on an all_time window: previous_period is the same number of whole calendar months
 *   before (else of days); previous_year is the window a year earlier. With a grain: each period
 *   against the one before, or a year before (weeks: 52 weeks, so Mondays stay Mondays).
 * - Accepted beyond the format: a numerator without an aggregate is wrapped in the aggregation
 *   (`numerator: amount` + sum → SUM(amount)); `source: db.<table>` names the default database.
 *
 * @example
 *   const { catalog, errors } = await loadCatalog({ project, parser: conn });
 *   const { resolved, compiled } = await planMetrics(conn, catalog, { metrics: ['total_revenue'], grain: 'monthly' }, project);
 *   const { rows } = await computeRows(conn, resolved, compiled);
 */
export { loadCatalog, specFiles, type MetricCatalog, type LoadCatalogOptions } from './catalog.js';
export { compileRequest, BASE_COLUMNS, COMPARE_COLUMNS, type CompiledQuery } from './compile.js';
export { planMetrics, computeIntoTable, computeRows, diagnose } from './compute.js';
export type { MetricServers } from './compute.js';
export { resolveRequest, type MetricRequest, type ResolvedRequest, type RequestLocator } from './request.js';
export { bindMetric, bindFilterSpec, bindSource } from './bind.js';
export { resolveSource, type ResolvedSource } from './sources.js';
export { GRAINS, COMPARES, UNITS, AGGREGATIONS, specLabel, type MetricSpec, type SliceSpec, type SegmentSpec, type Grain, type Compare, type Unit } from './specs.js';
