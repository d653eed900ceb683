import type { CellType, BaseCell } from '../engine/cell-type.js';
import { queryCell } from './query.js';
import { textCell } from './text.js';
import { visualizationCell } from './visualization.js';
import { metricCell } from './metric.js';
import { codeCell } from './code/index.js';
import { forecastCell } from './forecast.js';
import { experimentCell } from './experiment.js';

/** The cell-type registry: adding a cell type is one file in cells/ and one line here. */
export const cellTypes: readonly CellType<BaseCell>[] = [queryCell, textCell, visualizationCell, metricCell, codeCell, forecastCell, experimentCell] as unknown as CellType<BaseCell>[];

export function cellTypeByName(name: string): CellType<BaseCell> | undefined {
  return cellTypes.find((c) => c.type === name);
}
