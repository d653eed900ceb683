/**
 * A code cell's worker thread. For each run it builds a fresh `vm` context (its own realm, no
 * require, import(), process, fs, network or timers), loads Arquero into it from source, waits for
 * the input columns, shows them to the code as lazy columns of that realm (context-columns.ts),
 * runs the user's code, and posts back the result as column buffers or JSON. The host terminates
 * this thread on timeout; resource limits cap its heap. A thread that finished a run cleanly may
 * get the next one (sandbox.ts): nothing of a run outlives it but this module's compiled Arquero.
 */
import { parentPort } from 'node:worker_threads';
import vm from 'node:vm';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { installShims } from './context-shims.js';
import { makeBridge } from './context-bridge.js';
import { makeColumns } from './context-columns.js';
import { buffersOf, type TransferColumn } from './columns.js';
import { fromExport, toContextColumn } from './worker-columns.js';
import { wrapCode } from './analyze.js';
import { withLocalGlobals } from './context-globals.js';
import { codeFileName, lineInCode, type CodeErrorInfo, type WorkerInput, type WorkerInputs, type WorkerMessage } from './protocol.js';

type Bridge = ReturnType<typeof makeBridge>;
type Columns = ReturnType<typeof makeColumns>;

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

function arqueroSource(): string {
  const pkg = createRequire(import.meta.url).resolve('arquero/package.json');
  return readFileSync(join(dirname(pkg), 'dist', 'arquero.min.js'), 'utf8');
}

/** Arquero's bundle, compiled once per thread (with V8's code cache from an earlier thread when there is one). */
let arquero: vm.Script | null = null;

function compileArquero(cache: Uint8Array | null | undefined): vm.Script {
  const script = new vm.Script(withLocalGlobals(`(function () {\n${arqueroSource()}\n})`, ['TextDecoder', 'TextEncoder']) + '.call(globalThis)', { filename: 'arquero.min.js', cachedData: cache ? Buffer.from(cache) : undefined });
  if (!cache || script.cachedDataRejected) {
    const data = script.createCachedData();
    post({ type: 'cache', arqueroCache: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
  }
  return script;
}

/**
 * A context of its own realm: the global is a null-prototype object, so no host constructor is
 * reachable from it. Its promise jobs run only inside runInContext (afterEvaluate), and it has no
 * FinalizationRegistry: nothing of a run can run later, during another run of this thread.
 */
function newContext(cellId: string, cache: Uint8Array | null | undefined): { ctx: vm.Context; aq: { op: unknown }; bridge: Bridge; cols: Columns; takeLogs: () => string } {
  const ctx = vm.createContext(Object.create(null), { name: `code cell ${cellId}`, codeGeneration: { strings: true, wasm: false }, microtaskMode: 'afterEvaluate' });
  vm.runInContext('delete globalThis.FinalizationRegistry', ctx);
  const shims = vm.runInContext(`${withLocalGlobals(installShims.toString())}(globalThis)`, ctx) as ReturnType<typeof installShims>;
  arquero ??= compileArquero(cache);
  arquero.runInContext(ctx);
  const aq = vm.runInContext('(() => { const aq = globalThis.aq; delete globalThis.aq; return aq; })()', ctx);
  const cols = (vm.runInContext(withLocalGlobals(makeColumns.toString()), ctx) as typeof makeColumns)();
  const bridge = (vm.runInContext(withLocalGlobals(makeBridge.toString()), ctx) as typeof makeBridge)(aq, cols);
  return { ctx, aq, bridge, cols, takeLogs: shims.takeLogs };
}

function errorOf(bridge: Bridge | null, e: unknown, cellId: string, kind: CodeErrorInfo['kind']): CodeErrorInfo {
  // A context error is read inside the context; a host error (ours) directly.
  const info = bridge ? (JSON.parse(bridge.errorInfo(e)) as { name: string; message: string; stack: string }) : { name: 'Error', message: String((e as Error)?.message ?? e), stack: String((e as Error)?.stack ?? '') };
  const where = lineInCode(info.stack, cellId);
  return { kind, name: info.name, message: info.message, line: where?.line ?? null, column: where?.column ?? null };
}

type Context = ReturnType<typeof newContext>;

function main(input: WorkerInput, { inputs }: WorkerInputs, { ctx, aq, bridge, cols, takeLogs }: Context): void {
  const names = inputs.map((i) => i.name);
  const wrapper = wrapCode(input.code, names);
  let fn: (...args: unknown[]) => unknown;
  try {
    fn = new vm.Script(wrapper, { filename: codeFileName(input.cellId), lineOffset: -1 }).runInContext(ctx);
  } catch (e) {
    // SyntaxErrors of vm.Script come from this (host) realm.
    const info = errorOf(null, e, input.cellId, 'syntax');
    post({ type: 'error', error: info, logs: '' });
    return;
  }
  // Every input column gets an id: the index of its buffers in `sources`.
  const sources: TransferColumn[] = [];
  const tables = inputs.map(({ table }) =>
    bridge.makeTable(
      table.columns.map((c) => c.name),
      table.columns.map((c) => toContextColumn(cols, bridge.parseJson, sources.push(c) - 1, c)),
    ),
  );
  const params = bridge.parseJson(input.paramsJson);
  let result: unknown;
  try {
    result = fn(aq, aq.op, params, ...tables);
  } catch (e) {
    post({ type: 'error', error: errorOf(bridge, e, input.cellId, 'thrown'), logs: takeLogs() });
    return;
  }
  const exp = bridge.exportResult(result);
  const logs = takeLogs();
  if (exp.kind === 'error') {
    post({ type: 'error', error: { kind: 'return', name: 'Error', message: String(exp.message), line: null, column: null }, logs });
  } else if (exp.kind === 'value') {
    post({ type: 'value', json: String(exp.json), logs });
  } else {
    const table = fromExport(exp, sources);
    post({ type: 'table', table, logs }, buffersOf(table));
  }
}

// Code can leave a rejected promise behind (`import('x')` rejects: no module loader here); it
// must not end this thread later, in the middle of another run.
process.on('unhandledRejection', () => {});

// A run: 'start' (the context is made while the host still reads the inputs), then 'inputs'.
let started: { input: WorkerInput; context: Context } | null = null;
parentPort!.on('message', (m: WorkerInput | WorkerInputs) => {
  if (m.type === 'start') started = { input: m, context: newContext(m.cellId, m.arqueroCache) };
  else if (started) {
    const { input, context } = started;
    started = null;
    main(input, m, context);
  }
});
