/**
 * A bound on what one cell may hand the report: its output is written to outputs.json and into
 * every report, so a runaway string (a 200 MB value, a huge text) fails the cell instead.
 */
import { UserError } from '../util/errors.js';
import type { CellOutput } from '../outputs.js';

/** About 50 MB of text per cell output (tables are counted by the rows the report shows). */
export const MAX_OUTPUT_CHARS = 50_000_000;

/** Characters in a value's strings (plus a few per other value), stopping once past `limit`. */
export function outputChars(value: unknown, limit: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length && total <= limit) {
    const v = stack.pop();
    if (typeof v === 'string') total += v.length;
    else if (v === null || typeof v !== 'object') total += 8;
    else if (!seen.has(v)) {
      seen.add(v);
      if (ArrayBuffer.isView(v)) total += v.byteLength;
      else if (Array.isArray(v)) stack.push(...v);
      else for (const [k, x] of Object.entries(v)) stack.push(k, x);
    }
  }
  return total;
}

export function checkOutputSize(cellId: string, output: CellOutput, limit = MAX_OUTPUT_CHARS): void {
  const chars = outputChars(output, limit);
  if (chars <= limit) return;
  throw new UserError('E_OUTPUT_TOO_LARGE', `cell ${cellId} returned more than ${limit / 1e6} MB for the report (${output.kind} output)`, {
    hint: 'return less: aggregate or limit rows in SQL, shorten long strings, keep big data in tables rather than text or values',
  });
}
