/** A cell's `expect:` checked against its result, so an empty month fails (or warns) instead of succeeding silently. */
import { UserError } from '../util/errors.js';
import type { BaseCell } from '../cell-type.js';
import type { YamlPath, YamlSource } from '../source/source.js';
import type { Logger } from '../util/log.js';
import type { CellProblem } from '../runs/runs.js';

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '=': (a, b) => a === b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

/** `">0"` → a test of a row count; a bare number means exactly that many. */
export function rowsExpectation(text: string): { test: (rows: number) => boolean; describe: string } {
  const m = /^\s*(>=|<=|>|<|==|=|!=)?\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`bad rows expectation ${JSON.stringify(text)}`);
  const op = m[1] ?? '==';
  const n = Number(m[2]);
  const compare = COMPARE[op] ?? COMPARE['=='];
  return { test: (rows) => compare(rows, n), describe: `${op === '=' ? '==' : op} ${n}` };
}

const HINT = 'check the params (is there data for this period?) or relax `expect:` of the cell';

/**
 * Throws a located `E_EXPECT_ROWS` when the result breaks the cell's `expect.rows`; with
 * `on_fail: warn` it logs the same and returns it, for the report to show on the cell. Cells
 * without a row count (text, charts) have nothing to check.
 */
export function checkExpectations(spec: BaseCell, rows: number | null, at: { source: YamlSource; path: YamlPath }, logger: Logger): CellProblem | null {
  if (!spec.expect || rows === null) return null;
  const { test, describe } = rowsExpectation(spec.expect.rows);
  if (test(rows)) return null;
  const message = `cell ${spec.id} returned ${rows} ${rows === 1 ? 'row' : 'rows'}; it expects rows ${describe}`;
  const location = at.source.locate([...at.path, 'expect', 'rows']);
  if (spec.expect.on_fail === 'warn') {
    const where = `${location.file}:${location.line}:${location.col}`;
    logger.log('warn', `${message} (${where})`);
    return { code: 'E_EXPECT_ROWS', message, location: where, snippet: null, hint: HINT };
  }
  throw new UserError('E_EXPECT_ROWS', message, { location, hint: `${HINT} (\`on_fail: warn\` only warns)` });
}
