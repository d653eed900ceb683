/**
 * The entry of a code cell's run, run INSIDE the cell's isolate (isolate.bundle.js):
 * builds the input tables from the copied column data, calls the cell's function, and turns what
 * it returned (or threw) into plain data (strings, numbers, typed arrays) that the host copies out.
 * It never throws: whatever the cell throws or returns, a getter, a `valueOf` or a replaced
 * `JSON.stringify` included, ends as an error description. Nothing the host reads can run code.
 */
import type { makeBridge } from './bridge.js';
import type { makeColumns } from './columns.js';
import { ARRAY_FIELDS, type BridgeExport, type IsolateColumn, type IsolateResult } from '../protocol.js';

// biome-ignore lint/suspicious/noExplicitAny: the Arquero module as loaded inside the isolate; its internals (ColumnTable, column data) are used beyond its typings
export function makeRunner(aq: any, stats: unknown, cols: ReturnType<typeof makeColumns>, bridge: ReturnType<typeof makeBridge>, takeLogs: () => string) {
  const text = (v: unknown, fallback: string): string => {
    try {
      return typeof v === 'string' ? v : fallback;
    } catch {
      return fallback;
    }
  };
  const logs = (): string => {
    try {
      return text(takeLogs(), '');
    } catch {
      return '';
    }
  };
  const fail = (kind: 'thrown' | 'return', e: unknown): IsolateResult => {
    let info = { name: 'Error', message: 'an error that could not be read', stack: '' };
    try {
      info = bridge.errorInfo(e);
    } catch {
      /* keep the fallback */
    }
    return { type: 'error', kind, name: text(info.name, 'Error'), message: text(info.message, ''), stack: text(info.stack, ''), logs: logs() };
  };
  const column = (packed: Record<string, unknown>, arrays: ArrayBufferView[]): unknown => {
    const c = { ...packed } as unknown as IsolateColumn;
    for (const field of ARRAY_FIELDS) if (typeof packed[field] === 'number') (c as unknown as Record<string, unknown>)[field] = arrays[packed[field] as number];
    switch (c.kind) {
      case 'number':
        return cols.number(c.id, c.values as Float64Array, c.valid);
      case 'boolean':
        return cols.boolean(c.id, c.values as Uint8Array, c.valid);
      case 'date':
        return cols.date(c.id, c.values as Int32Array, c.valid);
      case 'timestamp':
        return cols.timestamp(c.id, c.values as Float64Array, c.valid);
      case 'string':
        return cols.string(c.id, c.text as string, c.offsets as Int32Array, c.keys ?? null, c.codes ?? null, c.valid);
      default:
        return bridge.parseJson(c.text as string);
    }
  };

  /** `arrays`: the input columns' typed arrays, which their fields name by index (packColumns). */
  return function run(fn: (...args: unknown[]) => unknown, inputs: { name: string; columns: Record<string, unknown>[] }[], paramsJson: string, arrays: ArrayBufferView[]): IsolateResult {
    try {
      let tables: unknown[];
      let params: unknown;
      try {
        tables = inputs.map((t) =>
          bridge.makeTable(
            t.columns.map((c) => String(c.name)),
            t.columns.map((c) => column(c, arrays)),
          ),
        );
        params = bridge.parseJson(paramsJson);
      } catch (e) {
        return fail('thrown', e);
      }
      let result: unknown;
      try {
        result = fn(aq, aq.op, params, stats, ...tables);
      } catch (e) {
        return fail('thrown', e);
      }
      let exp: BridgeExport;
      try {
        exp = bridge.exportResult(result);
      } catch (e) {
        return fail('return', e);
      }
      return bridge.plainExport(exp, logs());
    } catch (e) {
      return fail('return', e);
    }
  };
}
