// The run of a code cell, loaded when one runs: the isolate (isolated-vm, a native module) and the column transfer.
import type { RunContext } from '../../engine/cell-type.js';
import { UserError } from '../../engine/util/errors.js';
import { quoteIdent, RESULTS_CATALOG } from '../../engine/duck/duck.js';
import { didYouMean } from '../../engine/util/suggest.js';
import { tableOf, type CellOutput } from '../../engine/outputs.js';
import { readColumns } from './duck-read.js';
import { writeColumns } from './duck-write.js';
import { runInSandbox, SandboxError, type SandboxResult } from './sandbox.js';
import { buffersOf, type TransferTable } from './columns.js';
import { BUFFER_POOL } from './buffer-pool.js';
import { SCRATCH_FILES } from './scratch-files.js';
import { codeLocation, type CodeSpec } from './spec.js';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MEMORY_MB = 1024;
const TABLE_HINT = 'inputs are cells whose result is a table: query, metric, or code returning a table';

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

/** Runs the cell's code in its isolate over its input tables: a table into the results catalog, or a value. */
export async function runCode(spec: CodeSpec, ctx: RunContext): Promise<CellOutput> {
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
}
