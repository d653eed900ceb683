import * as z from 'zod';
import { cellSchema, type AnalyzeContext, type RunContext } from '../../engine/cell-type.js';
import { offsetOf } from './analyze.js';

export const codeSchema = cellSchema('code', {
  inputs: z.array(z.string()).optional().describe('Cells whose tables arrive as Arquero tables under their ids'),
  code: z.string().min(1).describe('JavaScript with aq, op, params and the inputs in scope; return a table, an array of objects or a JSON value'),
  timeout_ms: z.number().int().positive().max(3_600_000).optional().describe('Longest run in ms (default 30000); the code is stopped after it'),
  memory_mb: z.number().int().min(32).max(16_384).optional().describe('Memory limit of the code in MB, ArrayBuffers included (default 1024)'),
});
export type CodeSpec = z.infer<typeof codeSchema>;

/** Where line/column of the code is in the notebook file. */
export function codeLocation(spec: CodeSpec, ctx: AnalyzeContext | RunContext, line: number | null, column: number | null) {
  const path = [...ctx.path, 'code'];
  return line === null ? ctx.source.locate(path) : ctx.source.locateInString(path, offsetOf(spec.code, line, column ?? 1));
}
