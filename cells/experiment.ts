import type { CellType } from '../engine/cell-type.js';
import { quoteIdent } from '../engine/duck/duck.js';
import { UserError, type QuireError } from '../engine/util/errors.js';
import { checkMetrics, experimentSchema, type ExperimentSpec } from './experiment/spec.js';
import { columnsOf, unknownColumns } from './experiment/columns.js';

export const experimentCell: CellType<ExperimentSpec> = {
  type: 'experiment',
  description: 'An A/B test readout: each variant against control per metric (Welch, z, CUPED, Bayesian, mSPRT), corrected p-values and a sample-ratio check',
  schema: experimentSchema,
  outputKind: 'experiment',
  timeoutMs: (spec, project) => spec.timeout_ms ?? project.config.sql_timeout_ms,

  async analyze(spec, ctx) {
    const locate = (p: readonly (string | number)[]) => ctx.source.locate([...ctx.path, ...p]);
    const errors: QuireError[] = checkMetrics(spec, locate);
    if (spec.source === spec.id) {
      errors.push(new UserError('E_EXPERIMENT_SOURCE', `cell ${spec.id} reads itself`, { location: locate(['source']), hint: 'source: names a table or another cell' }));
    } else if (!ctx.cellIds.includes(spec.source)) {
      // A table of the project database: its columns are known now (a table a cell creates is checked when it runs).
      const columns = await columnsOf(ctx.parser, quoteIdent(spec.source)).catch(() => null);
      if (columns) errors.push(...unknownColumns(spec, columns, locate));
    }
    return { references: [spec.source], errors, reads: { params: [] } };
  },

  async run(spec, ctx) {
    // The readout's statistics (@stdlib, ~200 KB) load when an experiment runs, not when a notebook is validated.
    return (await import('./experiment/run.js')).runExperiment(spec, ctx);
  },
};
