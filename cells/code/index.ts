import type { AnalyzeContext, CellType } from '../../engine/cell-type.js';
import { UserError, type QuireError } from '../../engine/util/errors.js';
import { didYouMean } from '../../engine/util/suggest.js';
import { inputNameProblem, paramsUsed, syntaxError } from './analyze.js';
import { codeLocation, codeSchema, type CodeSpec } from './spec.js';

export type { CodeSpec };

function inputErrors(spec: CodeSpec, ctx: AnalyzeContext): QuireError[] {
  const errors: QuireError[] = [];
  const seen = new Set<string>();
  (spec.inputs ?? []).forEach((name, i) => {
    const location = ctx.source.locate([...ctx.path, 'inputs', i]);
    const problem = inputNameProblem(name);
    if (problem) {
      errors.push(new UserError('E_CODE_INPUT', `input ${problem}; cell ${spec.id} cannot take it as an input`, { location, hint: 'rename that cell' }));
    } else if (name === spec.id) {
      errors.push(new UserError('E_SELF_DEPENDENCY', `cell ${spec.id} lists itself as an input`, { location, hint: 'remove it from inputs' }));
    } else if (seen.has(name)) {
      errors.push(new UserError('E_CODE_INPUT', `cell ${spec.id} lists input '${name}' twice`, { location, hint: 'list each input once' }));
    } else if (!ctx.cellIds.includes(name)) {
      const dym = didYouMean(
        name,
        ctx.cellIds.filter((id) => id !== spec.id),
      );
      errors.push(
        new UserError('E_UNKNOWN_CELL', `cell ${spec.id} has unknown input '${name}'${dym ? ` — ${dym}` : ''}`, {
          location,
          hint: `cells in this notebook: ${ctx.cellIds.join(', ')}`,
        }),
      );
    }
    seen.add(name);
  });
  return errors;
}

export const codeCell: CellType<CodeSpec> = {
  type: 'code',
  description: 'JavaScript with Arquero over input tables, run isolated; returns a table or a value',
  schema: codeSchema,
  outputKind: ['table', 'value'],

  async analyze(spec, ctx) {
    const inputs = spec.inputs ?? [];
    const errors = inputErrors(spec, ctx);
    const usable = inputs.filter((n) => !inputNameProblem(n));
    const syntax = syntaxError(spec.id, spec.code, usable);
    if (syntax) {
      errors.push(
        new UserError('E_CODE_SYNTAX', `JavaScript syntax error in cell ${spec.id}: ${syntax.message} (line ${syntax.line} of its code)`, {
          location: codeLocation(spec, ctx, syntax.line, syntax.column),
          hint: 'fix the JavaScript; the code is the body of a function, so end it with `return ...`',
        }),
      );
    }
    return { references: inputs, errors, reads: { params: paramsUsed(spec.code), database: false } };
  },

  async run(spec, ctx) {
    // The isolate (isolated-vm, a native module) loads when a code cell runs, not when a notebook is validated.
    return (await import('./run.js')).runCode(spec, ctx);
  },
};
