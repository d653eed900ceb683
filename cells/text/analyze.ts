// What validate checks of a text cell, loaded only for notebooks with one: its Liquid (liquidjs is large).
import { join } from 'node:path';
import type { AnalyzeContext, CellAnalysis } from '../../engine/cell-type.js';
import { analyzeTemplate, PARTIALS_DIR } from '../../engine/text/liquid.js';
import { unknownTemplateNames } from '../../engine/text/liquid-check.js';
import { templateParams, templateReadsClock } from '../../engine/text/liquid-params.js';
import type { TextSpec } from './spec.js';

/** The cells the Markdown's Liquid reads, the params it depends on, and its syntax errors or unknown names. */
export async function analyzeText(spec: TextSpec, ctx: AnalyzeContext): Promise<CellAnalysis> {
  const partials = join(ctx.project.root, PARTIALS_DIR);
  const { variables, error } = analyzeTemplate(spec.markdown, ctx.source, [...ctx.path, 'markdown'], partials);
  const reads = { params: templateParams(spec.markdown, partials), database: false, volatile: templateReadsClock(spec.markdown) };
  const unknown = error
    ? []
    : unknownTemplateNames(spec.markdown, ctx.source, [...ctx.path, 'markdown'], { cellIds: ctx.cellIds.filter((id) => id !== spec.id), paramNames: ctx.paramNames }, partials);
  return { references: variables.filter((v) => v !== 'params'), errors: error ? [error] : unknown, reads };
}
