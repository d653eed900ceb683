/**
 * The code-cell side of the data bridge, evaluated INSIDE the cell's isolate
 (bundled into isolate.bundle.js by the build): it builds input tables from the columns of `makeColumns`, and turns
 * what user code returned into plain column buffers (or a JSON text) afterwards: an input column
 * returned unchanged is named, not copied. Nothing it hands to user code comes from the host.
 */
import type { BridgeExport, IsolateResult } from '../protocol.js';
import type { makeColumns } from './columns.js';

// biome-ignore lint/suspicious/noExplicitAny: the Arquero module as loaded inside the isolate; its internals (ColumnTable, column data) are used beyond its typings
export function makeBridge(aq: any, columns: ReturnType<typeof makeColumns>) {
  const DAY = 864e5;
  const ColumnTable = aq.table({}).constructor;
  const isPlainObject = (v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
  };

  /** Returns a JSON text of a value, or throws an Error naming where it is not JSON-able. */
  function toJson(value: unknown): string {
    const stack: unknown[] = [];
    const walk = (v: unknown, path: string): string => {
      if (v === null) return 'null';
      switch (typeof v) {
        case 'string':
          return JSON.stringify(v);
        case 'number':
          return Number.isFinite(v) ? String(v) : 'null';
        case 'boolean':
          return v ? 'true' : 'false';
        case 'undefined':
          throw new Error(`${path} is undefined`);
        case 'function':
          throw new Error(`${path} is a function`);
        case 'symbol':
          throw new Error(`${path} is a symbol`);
        case 'bigint':
          throw new Error(`${path} is a BigInt; convert it with Number(...) or, past 2^53, String(...)`);
      }
      if (v instanceof Date) {
        if (Number.isNaN(v.getTime())) throw new Error(`${path} is an invalid Date`);
        return JSON.stringify(v.toISOString());
      }
      if (v instanceof Map || v instanceof Set) throw new Error(`${path} is a ${v instanceof Map ? 'Map' : 'Set'}; return a plain object or an array`);
      if (v instanceof ColumnTable) throw new Error(`${path} is an Arquero table; only the returned value itself can be a table`);
      if (v instanceof Promise) throw new Error(`${path} is a Promise; code cells are synchronous`);
      if (stack.includes(v)) throw new Error(`${path} is a circular reference`);
      if (stack.length > 100) throw new Error(`${path} is nested more than 100 levels deep`);
      stack.push(v);
      let out: string;
      if (Array.isArray(v) || ArrayBuffer.isView(v)) {
        const arr = Array.isArray(v) ? v : Array.from(v as unknown as ArrayLike<number>);
        out = `[${arr.map((x, i) => (x === undefined ? 'null' : walk(x, `${path}[${i}]`))).join(',')}]`;
      } else {
        const parts: string[] = [];
        for (const key of Object.keys(v as object)) {
          const x = (v as Record<string, unknown>)[key];
          if (x === undefined) continue;
          parts.push(`${JSON.stringify(key)}:${walk(x, /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`)}`);
        }
        out = `{${parts.join(',')}}`;
      }
      stack.pop();
      return out;
    };
    return walk(value, 'the returned value');
  }

  function toJsonOr(v: unknown): string {
    try {
      return toJson(v);
    } catch {
      return String(v);
    }
  }

  function exportColumn(name: string, data: ArrayLike<unknown>, n: number) {
    let numbers = 0,
      strings = 0,
      booleans = 0,
      dates = 0,
      nulls = 0,
      others = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if (v === null || v === undefined) nulls++;
      else if (typeof v === 'number' || typeof v === 'bigint') numbers++;
      else if (typeof v === 'string') strings++;
      else if (typeof v === 'boolean') booleans++;
      else if (v instanceof Date) dates++;
      else others++;
    }
    const valid = nulls ? new Uint8Array(n) : null;
    if (valid) for (let i = 0; i < n; i++) valid[i] = data[i] === null || data[i] === undefined ? 0 : 1;
    const present = n - nulls;
    if (present && numbers === present) {
      const values = new Float64Array(n);
      let integral = true,
        min = Infinity,
        max = -Infinity;
      for (let i = 0; i < n; i++) {
        const raw = data[i];
        if (raw === null || raw === undefined) continue;
        const x = Number(raw);
        values[i] = x;
        if (integral && !Number.isInteger(x)) integral = false;
        if (x < min) min = x;
        if (x > max) max = x;
      }
      for (let i = 0; i < n; i++) {
        const raw = data[i];
        if (typeof raw === 'bigint' && (raw > BigInt(Number.MAX_SAFE_INTEGER) || raw < -BigInt(Number.MAX_SAFE_INTEGER))) {
          throw new Error(`column '${name}', row ${i + 1}: the BigInt ${raw} is past 2^53, where a number loses digits; return it as a string (String(x)) and CAST it in SQL`);
        }
      }
      return { name, kind: 'number', values, valid, integral, min, max };
    }
    if (present && booleans === present) {
      const values = new Uint8Array(n);
      for (let i = 0; i < n; i++) values[i] = data[i] === true ? 1 : 0;
      return { name, kind: 'boolean', values, valid };
    }
    if (present && dates === present) {
      const ms = new Float64Array(n);
      let dateOnly = true;
      for (let i = 0; i < n; i++) {
        const d = data[i] as Date | null;
        if (!d) continue;
        const t = d.getTime();
        if (Number.isNaN(t)) throw new Error(`column '${name}', row ${i + 1} is an invalid Date; return null for a missing date`);
        ms[i] = t;
        if (dateOnly && t % DAY !== 0) dateOnly = false;
      }
      if (dateOnly) {
        const days = new Int32Array(n);
        for (let i = 0; i < n; i++) days[i] = Math.floor(ms[i] / DAY);
        return { name, kind: 'date', values: days, valid };
      }
      return { name, kind: 'timestamp', values: ms, valid };
    }
    if (present && strings === present) {
      const dict = dictionary(data, n);
      if (dict) return { name, kind: 'string', ...dict, valid };
    }
    // Distinct strings, and anything mixed or nested: text per row (JSON for objects and mixed columns).
    const json = present > 0 && (others > 0 || strings !== present);
    const parts = new Array(n);
    const offsets = new Int32Array(n + 1);
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i];
      let s = '';
      if (v !== null && v !== undefined) {
        try {
          s = json ? toJson(v) : (v as string);
        } catch (err) {
          throw new Error(`column '${name}', row ${i + 1}: ${(err as Error).message.replace('the returned value', 'the value')}`);
        }
      }
      parts[i] = s;
      pos += s.length;
      offsets[i + 1] = pos;
    }
    return { name, kind: json ? 'json' : 'string', text: parts.join(''), offsets, codes: null, valid };
  }

  /** A string column as distinct entries and a code per row; null when most values are distinct. */
  function dictionary(data: ArrayLike<unknown>, n: number) {
    const limit = Math.max(1024, n >>> 2);
    const index = new Map<string, number>();
    const entries: string[] = [];
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const s = data[i];
      if (typeof s !== 'string') continue;
      let k = index.get(s);
      if (k === undefined) {
        if (entries.length === limit) return null;
        k = entries.length;
        entries.push(s);
        index.set(s, k);
      }
      codes[i] = k;
    }
    const offsets = new Int32Array(entries.length + 1);
    for (let k = 0; k < entries.length; k++) offsets[k + 1] = offsets[k] + entries[k].length;
    return { text: entries.join(''), offsets, codes };
  }

  // biome-ignore lint/suspicious/noExplicitAny: an Arquero table from user code, read through internals its typings don't show
  function exportTable(table: any): BridgeExport {
    const names: string[] = table.columnNames();
    const n: number = table.numRows();
    const total: number = table.totalRows();
    const out = [];
    let indices: Uint32Array | null = null;
    for (const name of names) {
      const col = table.column(name);
      const source = columns.sourceOf(col);
      if (source !== undefined && col.length === total) {
        // An input column, unchanged: the host still has its buffers.
        if (!indices && (table.isFiltered() || table.isOrdered())) indices = table.indices();
        out.push({ name: String(name), kind: 'source', source });
      } else out.push(exportColumn(String(name), table.array(name), n));
    }
    return { kind: 'table', rowCount: n, indices, columns: out };
  }

  return {
    /** A JSON text (a JSON column as an array, the params) as values of this realm. */
    parseJson(text: string) {
      return JSON.parse(String(text));
    },
    /** What was thrown, as plain strings (read here, inside the isolate, where its getters may run). */
    errorInfo(e: unknown): { name: string; message: string; stack: string } {
      let name = 'Error',
        message = '',
        stack = '';
      try {
        if (e instanceof Error) {
          name = String(e.name);
          message = String(e.message);
          stack = String(e.stack ?? '');
        } else message = `${typeof e === 'string' ? e : toJsonOr(e)} (thrown as a value, not an Error)`;
      } catch {
        message = 'an error that could not be read';
      }
      return { name, message, stack };
    },
    /** The export as fresh plain data of checked types: the only thing the host copies out. */
    plainExport(exp: BridgeExport, logs: string): IsolateResult {
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
      const view = (v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? v : undefined);
      if (exp.kind === 'value') return { type: 'value', json: str(exp.json) ?? 'null', logs };
      if (exp.kind !== 'table') return { type: 'error', kind: 'return', name: 'Error', message: str(exp.message) ?? 'returned something unusable', stack: '', logs };
      const src = Array.isArray(exp.columns) ? exp.columns : [];
      const columns = new Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const c = src[i];
        columns[i] = {
          name: str(c.name) ?? '',
          kind: str(c.kind) ?? '',
          source: num(c.source),
          values: view(c.values),
          valid: c.valid instanceof Uint8Array ? c.valid : null,
          text: str(c.text),
          offsets: c.offsets instanceof Int32Array ? c.offsets : undefined,
          codes: c.codes instanceof Int32Array ? c.codes : null,
          integral: c.integral === true,
          min: num(c.min),
          max: num(c.max),
        };
      }
      const indices = exp.indices instanceof Uint32Array ? exp.indices : null;
      return { type: 'table', rowCount: num(exp.rowCount) ?? 0, indices, columns, logs };
    },
    makeTable(names: string[], cols: unknown[]) {
      const obj: Record<string, unknown> = {};
      const order: string[] = [];
      for (let i = 0; i < names.length; i++) {
        const name = String(names[i]);
        obj[name] = cols[i];
        order.push(name);
      }
      return aq.table(obj, order);
    },
    exportResult(value: unknown): BridgeExport {
      try {
        if (value === undefined) return { kind: 'error', message: 'returned nothing (undefined): end the code with `return <an Arquero table, an array of objects or a JSON value>`' };
        if (typeof value === 'function') return { kind: 'error', message: 'returned a function: call it, or return a table or a JSON value' };
        if (value instanceof Promise) return { kind: 'error', message: 'returned a Promise: code cells are synchronous (no await, no timers)' };
        if (value instanceof ColumnTable) return exportTable(value);
        if (Array.isArray(value) && value.length > 0 && value.every(isPlainObject)) return exportTable(aq.from(value));
        return { kind: 'value', json: toJson(value) };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return { kind: 'error', message: `returned something that is not a table or JSON: ${message}` };
      }
    },
  };
}
