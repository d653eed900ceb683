import type { CellType } from '../engine/cell-type.js';
import { textSchema, type TextSpec } from './text/spec.js';

export type { TextSpec };

export const textCell: CellType<TextSpec> = {
  type: 'text',
  description: 'Markdown with Liquid templating over params and other cells',
  schema: textSchema,
  outputKind: 'text',

  // Liquid (to check) and marked (to render) load when a notebook has a text cell.
  async analyze(spec, ctx) {
    return (await import('./text/analyze.js')).analyzeText(spec, ctx);
  },

  async run(spec, ctx) {
    return (await import('./text/run.js')).runText(spec, ctx);
  },
};
