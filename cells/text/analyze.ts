// What validate checks of a text cell, loaded only for notebooks with one: its Liquid (liquidjs is large).
import { join } from 'node:path';
import type { AnalyzeContext, CellAnalysis, ColumnUse } from '../../engine/cell-type.js';
import { analyzeTemplate, isTemplate, liquid, PARTIALS_DIR } from '../../engine/text/liquid.js';
import { templateColumns, type TemplateColumn } from '../../engine/text/liquid-columns.js';
import type { YamlPath } from '../../engine/source/source.js';
import { unknownTemplateNames } from '../../engine/text/liquid-check.js';
import { templateParams, templateReadsClock } from '../../engine/text/liquid-params.js';
import type { TextSpec } from './spec.js';

/** The cells the Markdown's Liquid reads, the params it depends on, and its syntax errors or unknown names. */
export async function analyzeText(spec: TextSpec, ctx: AnalyzeContext): Promise<CellAnalysis> {
  const partials = join(ctx.project.root, PARTIALS_DIR);
  const path = [...ctx.path, 'markdown'];
  const { variables, error } = analyzeTemplate(spec.markdown, ctx.source, path, partials);
  const reads = { params: templateParams(spec.markdown, partials), database: false, volatile: templateReadsClock(spec.markdown) };
  if (error) return { references: variables.filter((v) => v !== 'params'), errors: [error], reads };
  const cellIds = ctx.cellIds.filter((id) => id !== spec.id);
  const unknown = unknownTemplateNames(spec.markdown, ctx.source, path, { cellIds, paramNames: ctx.paramNames }, partials);
  const columns = isTemplate(spec.markdown) ? templateColumns(spec.markdown, liquid(partials).parse(spec.markdown), cellIds).map((c) => columnUse(c, ctx, path)) : [];
  return { references: variables.filter((v) => v !== 'params'), errors: unknown, reads, columns };
}

function columnUse(c: TemplateColumn, ctx: AnalyzeContext, path: YamlPath): ColumnUse {
  return { cell: c.cell, column: c.column, location: ctx.source.locateInString(path, c.offset), code: 'E_LIQUID_UNKNOWN_COLUMN', what: `'${c.column}' in {{ ${c.expression} }}` };
}
