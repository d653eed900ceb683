import * as z from 'zod';
import { cellSchema, type AnalyzeContext, type CellType, type RunContext } from '../../engine/cell-type.js';
import { UserError, type QuireError } from '../../engine/util/errors.js';
import { quoteIdent, RESULTS_CATALOG } from '../../engine/duck/duck.js';
import { didYouMean } from '../../engine/util/suggest.js';
import { tableOf, type CellOutput } from '../../engine/outputs.js';
import { inputNameProblem, offsetOf, paramsUsed, syntaxError } from './analyze.js';
import { readColumns } from './duck-read.js';
import { writeColumns } from './duck-write.js';
import { runInSandbox, SandboxError, type SandboxResult } from './sandbox.js';
import { buffersOf, type TransferTable } from './columns.js';
import { BUFFER_POOL } from './buffer-pool.js';
import { SCRATCH_FILES } from './scratch-files.js';

const schema = cellSchema('code', {
  inputs: z.array(z.string()).optional().describe('Cells whose tables arrive as Arquero tables under their ids'),
  code: z.string().min(1).describe('JavaScript with aq, op, params and the inputs in scope; return a table, an array of objects or a JSON value'),
  timeout_ms: z.number().int().positive().max(3_600_000).optional().describe('Longest run in ms (default 30000); the code is stopped after it'),
  memory_mb: z.number().int().min(32).max(16_384).optional().describe('Memory limit of the code in MB, ArrayBuffers included (default 1024)'),
});
export type CodeSpec = z.infer<typeof schema>;

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MEMORY_MB = 1024;
const TABLE_HINT = 'inputs are cells whose result is a table: query, metric, or code returning a table';

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

/** Where line/column of the code is in the notebook file. */
function codeLocation(spec: CodeSpec, ctx: AnalyzeContext | RunContext, line: number | null, column: number | null) {
  const path = [...ctx.path, 'code'];
  return line === null ? ctx.source.locate(path) : ctx.source.locateInString(path, offsetOf(spec.code, line, column ?? 1));
}

async function inputTable(spec: CodeSpec, name: string, ctx: RunContext): Promise<TransferTable> {
  const up = ctx.upstream.get(name);
  if (!up) {
    const ids = [...ctx.cellIds];
    const dym = didYouMean(name, ids);
    throw new UserError('E_UNKNOWN_CELL', `cell ${spec.id} has unknown input '${name}'${dym ? ` — ${dym}` : ''}`, {
      location: ctx.source.locate([...ctx.path, 'inputs', (spec.inputs ?? []).indexOf(name)]),
      hint: `cells in this notebook: ${ids.join(', ')}`,
    });
  }
  if (!tableOf(up.output)) {
    const what = `a ${up.output.kind} output`;
    throw new UserError('E_CODE_INPUT', `input '${name}' of cell ${spec.id} is not a table: cell ${name} gave ${what}`, {
      location: ctx.source.locate([...ctx.path, 'inputs', (spec.inputs ?? []).indexOf(name)]),
      hint: TABLE_HINT,
    });
  }
  return readColumns(ctx.conn, `${RESULTS_CATALOG}.main.${quoteIdent(name)}`, ctx.state.get(BUFFER_POOL));
}

/** Column names become DuckDB identifiers (quoted): they must be usable and distinct. */
function checkColumnNames(spec: CodeSpec, table: TransferTable, ctx: RunContext): void {
  const fail = (message: string) =>
    new UserError('E_CODE_RESULT', `cell ${spec.id} returned a table ${message}`, { location: ctx.source.locate([...ctx.path, 'code']), hint: 'rename the columns (e.g. with .rename({...}))' });
  if (table.columns.length === 0) throw fail('with no columns');
  const seen = new Map<string, string>();
  for (const { name } of table.columns) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what DuckDB column names can't hold
    if (name === '' || name.length > 255 || /[\u0000-\u001f]/.test(name)) throw fail(`with a column name DuckDB can't take: ${JSON.stringify(name)}`);
    const folded = name.toLowerCase();
    const other = seen.get(folded);
    if (other !== undefined) throw fail(`with columns '${other}' and '${name}', which differ only in case (DuckDB column names don't)`);
    seen.set(folded, name);
  }
}

function sandboxFailure(spec: CodeSpec, err: SandboxError, ctx: RunContext): UserError {
  const info = err.info;
  const where = info?.line ? ` (line ${info.line} of its code)` : '';
  const location = codeLocation(spec, ctx, info?.line ?? null, info?.column ?? null);
  switch (err.reason) {
    case 'timeout':
      return new UserError('E_CODE_TIMEOUT', `cell ${spec.id} ${err.message}`, { location, hint: 'look for an endless loop, or raise `timeout_ms` of the cell' });
    case 'memory':
      return new UserError('E_CODE_MEMORY', `cell ${spec.id} ${err.message}`, { location, hint: 'reduce the data first with SQL, or raise `memory_mb` of the cell' });
    case 'syntax':
      return new UserError('E_CODE_SYNTAX', `cell ${spec.id}: ${info?.name ?? 'SyntaxError'}: ${err.message}${where}`, { location, hint: 'fix the JavaScript' });
    case 'return':
      return new UserError('E_CODE_RESULT', `cell ${spec.id} ${err.message}`, { location, hint: 'return an Arquero table, an array of objects, or a JSON value' });
    case 'thrown': {
      const scope = /ReferenceError/.test(info?.name ?? '') && /\b(require|process|import|fetch|setTimeout|setInterval|module|Buffer)\b/.test(err.message);
      return new UserError('E_CODE_ERROR', `cell ${spec.id}: ${info?.name ?? 'Error'}: ${err.message}${where}`, {
        location,
        hint: scope
          ? 'code cells run isolated: no require/import, process, file system, network or timers; only aq, op, params and the inputs'
          : 'fix the code; console.log output goes to the run log',
      });
    }
    default:
      return new UserError('E_CODE_ERROR', `cell ${spec.id} ${err.message}`, { location, hint: 'see the run log' });
  }
}

export const codeCell: CellType<CodeSpec> = {
  type: 'code',
  description: 'JavaScript with Arquero over input tables, run isolated; returns a table or a value',
  schema,
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

  async run(spec, ctx): Promise<CellOutput> {
    const inputs = spec.inputs ?? [];
    // Read while the sandbox's isolate gets ready; the sandbox passes a failure of this on as it is.
    const reading = (async () => {
      const tables = [];
      for (const name of inputs) tables.push({ name, table: await inputTable(spec, name, ctx) });
      return tables;
    })();
    const hints = new Map<string, string>();
    let result: SandboxResult;
    try {
      result = await runInSandbox({
        cellId: spec.id,
        code: spec.code,
        params: ctx.params.values,
        inputs: reading.then((tables) => {
          for (const { table } of tables) for (const c of table.columns) if (c.sourceType && !hints.has(c.name)) hints.set(c.name, c.sourceType);
          return tables;
        }),
        timeoutMs: spec.timeout_ms ?? DEFAULT_TIMEOUT_MS,
        memoryMb: spec.memory_mb ?? DEFAULT_MEMORY_MB,
        signal: ctx.signal,
        state: ctx.state,
      });
    } catch (err) {
      if (err instanceof SandboxError) {
        if (err.logs) ctx.logger.log('info', `cell ${spec.id} console:\n${err.logs}`);
        throw sandboxFailure(spec, err, ctx);
      }
      throw err;
    }
    if (result.logs) ctx.logger.log('info', `cell ${spec.id} console:\n${result.logs}`);
    if (result.kind === 'value') return { kind: 'value', value: result.value };
    checkColumnNames(spec, result.table, ctx);
    await writeColumns(ctx.conn, RESULTS_CATALOG, spec.id, result.table, hints, ctx.state.get(SCRATCH_FILES));
    ctx.state.get(BUFFER_POOL).giveBack(buffersOf(result.table)); // the next code cell's read reuses them
    return ctx.readTable(spec.id, 100);
  },
};
