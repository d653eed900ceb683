/**
 * A code cell's worker thread: builds a fresh `vm` context (its own realm, no require, import(),
 * process, fs, network or timers), loads Arquero into it from source, copies the input columns
 * into arrays of that realm, runs the user's code, and posts back the result as column buffers
 * or JSON. The host terminates this thread on timeout; resource limits cap its heap.
 */
import { parentPort, workerData } from 'node:worker_threads';
import vm from 'node:vm';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { installShims } from './context-shims.js';
import { makeBridge, type BridgeExport } from './context-bridge.js';
import { buffersOf, type TransferColumn, type TransferTable } from './columns.js';
import { wrapCode } from './analyze.js';
import { withLocalGlobals } from './context-globals.js';
import { codeFileName, lineInCode, type CodeErrorInfo, type WorkerInput, type WorkerMessage } from './protocol.js';

const DAY = 864e5;
type Bridge = ReturnType<typeof makeBridge>;

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

function arqueroSource(): string {
  const pkg = createRequire(import.meta.url).resolve('arquero/package.json');
  return readFileSync(join(dirname(pkg), 'dist', 'arquero.min.js'), 'utf8');
}

/** A context of its own realm: the global is a null-prototype object, so no host constructor is reachable from it. */
function newContext(cellId: string, cache: Uint8Array | null | undefined): { ctx: vm.Context; aq: { op: unknown }; bridge: Bridge; takeLogs: () => string } {
  const ctx = vm.createContext(Object.create(null), { name: `code cell ${cellId}`, codeGeneration: { strings: true, wasm: false } });
  const shims = vm.runInContext(`${withLocalGlobals(installShims.toString())}(globalThis)`, ctx) as ReturnType<typeof installShims>;
  const script = new vm.Script(withLocalGlobals(`(function () {\n${arqueroSource()}\n})`, ['TextDecoder', 'TextEncoder']) + '.call(globalThis)', { filename: 'arquero.min.js', cachedData: cache ? Buffer.from(cache) : undefined });
  if (!cache || script.cachedDataRejected) {
    const data = script.createCachedData();
    post({ type: 'cache', arqueroCache: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
  }
  script.runInContext(ctx);
  const aq = vm.runInContext('(() => { const aq = globalThis.aq; delete globalThis.aq; return aq; })()', ctx);
  const bridge = (vm.runInContext(withLocalGlobals(makeBridge.toString()), ctx) as typeof makeBridge)(aq);
  return { ctx, aq, bridge, takeLogs: shims.takeLogs };
}

/** UTF-16 offsets of values whose UTF-8 byte offsets are `offsets` in `bytes` (decoded as `text`). */
function utf16Offsets(bytes: Uint8Array, offsets: Int32Array, text: string): Int32Array {
  if (text.length === bytes.length) return offsets; // ASCII: bytes and UTF-16 units line up
  const out = new Int32Array(offsets.length);
  let unit = 0;
  let byte = 0;
  for (let i = 1; i < offsets.length; i++) {
    const end = offsets[i];
    while (byte < end) {
      const b = bytes[byte];
      const len = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
      unit += len === 4 ? 2 : 1;
      byte += len;
    }
    out[i] = unit;
  }
  return out;
}

function toContextColumn(bridge: Bridge, c: TransferColumn, rowCount: number): unknown {
  switch (c.kind) {
    case 'number':
      return bridge.numberColumn(c.values, c.valid);
    case 'boolean':
      return bridge.booleanColumn(c.values, c.valid);
    case 'date': {
      const ms = new Float64Array(rowCount);
      for (let i = 0; i < rowCount; i++) ms[i] = c.values[i] * DAY;
      return bridge.dateColumn(ms, c.valid);
    }
    case 'timestamp':
      return bridge.dateColumn(c.values, c.valid);
    case 'string': {
      const text = new TextDecoder().decode(c.bytes);
      return bridge.stringColumn(text, utf16Offsets(c.bytes, c.offsets, text), c.valid);
    }
    case 'json': {
      const dec = new TextDecoder();
      const parts: string[] = new Array(rowCount);
      for (let i = 0; i < rowCount; i++) parts[i] = c.valid && !c.valid[i] ? 'null' : dec.decode(c.bytes.subarray(c.offsets[i], c.offsets[i + 1])) || 'null';
      return bridge.parseJson(`[${parts.join(',')}]`);
    }
  }
}

/** UTF-8 bytes and byte offsets of a text column exported with UTF-16 offsets. */
function encodeText(text: string, offsets16: Int32Array): { bytes: Uint8Array; offsets: Int32Array } {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length === text.length) return { bytes, offsets: offsets16 };
  const offsets = new Int32Array(offsets16.length);
  let unit = 0;
  let byte = 0;
  for (let i = 1; i < offsets16.length; i++) {
    const end = offsets16[i];
    while (unit < end) {
      const c = text.charCodeAt(unit);
      if (c < 0x80) byte += 1;
      else if (c < 0x800) byte += 2;
      else if (c >= 0xd800 && c < 0xdc00 && unit + 1 < text.length) {
        byte += 4;
        unit++;
      } else byte += 3;
      unit++;
    }
    offsets[i] = byte;
  }
  return { bytes, offsets };
}

/** Reads the context's export into host-realm buffers, checking every field's type. */
function fromExport(exp: BridgeExport): TransferTable {
  const rowCount = Number(exp.rowCount);
  const src = exp.columns ?? [];
  const columns: TransferColumn[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    const name = String(c.name);
    // Typed-array constructors copy another typed array's memory directly (no iteration, no context code).
    const valid = c.valid ? new Uint8Array(c.valid) : null;
    const kind = String(c.kind);
    if (kind === 'string' || kind === 'json') {
      if (typeof c.text !== 'string') throw new Error(`column ${name}: bad export`);
      const { bytes, offsets } = encodeText(c.text, new Int32Array(c.offsets as Int32Array));
      columns.push({ name, kind, bytes, offsets, valid });
    } else if (kind === 'number') {
      columns.push({ name, kind, values: new Float64Array(c.values as Float64Array), valid, integral: c.integral === true, min: Number(c.min), max: Number(c.max) });
    } else if (kind === 'boolean') {
      columns.push({ name, kind, values: new Uint8Array(c.values as Uint8Array), valid });
    } else if (kind === 'date') {
      columns.push({ name, kind, values: new Int32Array(c.values as Int32Array), valid });
    } else if (kind === 'timestamp') {
      columns.push({ name, kind, values: new Float64Array(c.values as Float64Array), valid });
    } else throw new Error(`column ${name}: unknown kind ${kind}`);
  }
  return { rowCount, columns };
}

function errorOf(bridge: Bridge | null, e: unknown, cellId: string, kind: CodeErrorInfo['kind']): CodeErrorInfo {
  // A context error is read inside the context; a host error (ours) directly.
  const info = bridge ? (JSON.parse(bridge.errorInfo(e)) as { name: string; message: string; stack: string }) : { name: 'Error', message: String((e as Error)?.message ?? e), stack: String((e as Error)?.stack ?? '') };
  const where = lineInCode(info.stack, cellId);
  return { kind, name: info.name, message: info.message, line: where?.line ?? null, column: where?.column ?? null };
}

function main(input: WorkerInput): void {
  const { ctx, aq, bridge, takeLogs } = newContext(input.cellId, input.arqueroCache);
  const names = input.inputs.map((i) => i.name);
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
  const tables = input.inputs.map(({ table }) =>
    bridge.makeTable(
      table.columns.map((c) => c.name),
      table.columns.map((c) => toContextColumn(bridge, c, table.rowCount)),
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
    const table = fromExport(exp);
    post({ type: 'table', table, logs }, buffersOf(table));
  }
}

main(workerData as WorkerInput);
