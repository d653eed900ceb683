import { join } from 'node:path';
import type { CellType } from '../engine/cell-type.js';
import { analyzeTemplate, PARTIALS_DIR } from '../engine/text/liquid.js';
import { unknownTemplateNames } from '../engine/text/liquid-check.js';
import { templateParams, templateReadsClock } from '../engine/text/liquid-params.js';
import { textSchema, type TextSpec } from './text/spec.js';

export type { TextSpec };

export const textCell: CellType<TextSpec> = {
  type: 'text',
  description: 'Markdown with Liquid templating over params and other cells',
  schema: textSchema,
  outputKind: 'text',

  async analyze(spec, ctx) {
    const partials = join(ctx.project.root, PARTIALS_DIR);
    const { variables, error } = analyzeTemplate(spec.markdown, ctx.source, [...ctx.path, 'markdown'], partials);
    const reads = { params: templateParams(spec.markdown, partials), database: false, volatile: templateReadsClock(spec.markdown) };
    const unknown = error
      ? []
      : unknownTemplateNames(spec.markdown, ctx.source, [...ctx.path, 'markdown'], { cellIds: ctx.cellIds.filter((id) => id !== spec.id), paramNames: ctx.paramNames }, partials);
    return { references: variables.filter((v) => v !== 'params'), errors: error ? [error] : unknown, reads };
  },

  async run(spec, ctx) {
    // Markdown (marked) and the sanitizer load when a text cell runs, not when a notebook is validated.
    return (await import('./text/run.js')).runText(spec, ctx);
  },
};
