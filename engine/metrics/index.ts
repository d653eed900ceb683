/**
 * The metric engine: YAML metric, slice and segment specs compiled to one-scan SQL whose result
 * is the long table of shared/spec/metrics-format.md.
 *
 * @example
 *   const { catalog, errors } = await loadCatalog({ project, parser: conn });
 *   const { resolved, compiled } = await planMetrics(conn, catalog, { metrics: ['total_revenue'], grain: 'monthly' }, project);
 *   const { rows } = await computeRows(conn, resolved, compiled);
 */
export { loadCatalog, specFiles, type MetricCatalog, type LoadCatalogOptions } from './catalog.js';
export { compileRequest, BASE_COLUMNS, COMPARE_COLUMNS, type CompiledQuery } from './compile.js';
export { planMetrics, computeIntoTable, computeRows, diagnose } from './compute.js';
export { resolveRequest, type MetricRequest, type ResolvedRequest, type RequestLocator } from './request.js';
export { bindMetric, bindFilterSpec, bindSource } from './bind.js';
export { resolveSource, type ResolvedSource } from './sources.js';
export { GRAINS, COMPARES, UNITS, AGGREGATIONS, specLabel, type MetricSpec, type SliceSpec, type SegmentSpec, type Grain, type Compare, type Unit } from './specs.js';
