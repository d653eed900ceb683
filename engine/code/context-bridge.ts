/**
 * The code-cell side of the data bridge, evaluated INSIDE the sandbox context
 * (`makeBridge.toString()`): it copies the worker's column buffers into arrays of the context's
 * own realm before user code runs, and turns what user code returned into plain column buffers
 * (or a JSON text) afterwards. Nothing it hands to user code comes from the host realm.
 *
 * Keep this function self-contained: it must not refer to anything outside its body.
 */
/* eslint-disable */
export interface BridgeExport {
  kind: 'table' | 'value' | 'error';
  message?: string;
  json?: string;
  rowCount?: number;
  columns?: {
    name: string;
    kind: string;
    values?: ArrayBufferView;
    valid: Uint8Array | null;
    text?: string;
    offsets?: Int32Array;
    integral?: boolean;
    min?: number;
    max?: number;
  }[];
}

export function makeBridge(aq: any) {
  const DAY = 864e5;
  const ColumnTable = aq.table({}).constructor;
  const isPlainObject = (v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
  };

  const withNulls = (n: number, valid: Uint8Array, at: (i: number) => unknown) => {
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = valid[i] ? at(i) : null;
    return out;
  };
  const copyValid = (valid: Uint8Array | null) => {
    if (!valid) return null;
    const v = new Uint8Array(valid.length);
    v.set(valid);
    return v;
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
          throw new Error(`${path} is a BigInt; convert it with Number(...)`);
      }
      if (v instanceof Date) return JSON.stringify(Number.isNaN(v.getTime()) ? null : v.toISOString());
      if (v instanceof Map || v instanceof Set) throw new Error(`${path} is a ${v instanceof Map ? 'Map' : 'Set'}; return a plain object or an array`);
      if (v instanceof ColumnTable) throw new Error(`${path} is an Arquero table; only the returned value itself can be a table`);
      if (v instanceof Promise) throw new Error(`${path} is a Promise; code cells are synchronous`);
      if (stack.includes(v)) throw new Error(`${path} is a circular reference`);
      if (stack.length > 100) throw new Error(`${path} is nested more than 100 levels deep`);
      stack.push(v);
      let out: string;
      if (Array.isArray(v) || ArrayBuffer.isView(v)) {
        const arr = Array.isArray(v) ? v : Array.from(v as unknown as ArrayLike<number>);
        out = '[' + arr.map((x, i) => (x === undefined ? 'null' : walk(x, `${path}[${i}]`))).join(',') + ']';
      } else {
        const parts: string[] = [];
        for (const key of Object.keys(v as object)) {
          const x = (v as Record<string, unknown>)[key];
          if (x === undefined) continue;
          parts.push(JSON.stringify(key) + ':' + walk(x, /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`));
        }
        out = '{' + parts.join(',') + '}';
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
    let numbers = 0, strings = 0, booleans = 0, dates = 0, nulls = 0, others = 0;
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
      let integral = true, min = Infinity, max = -Infinity;
      for (let i = 0; i < n; i++) {
        const raw = data[i];
        if (raw === null || raw === undefined) continue;
        const x = Number(raw);
        values[i] = x;
        if (integral && !Number.isInteger(x)) integral = false;
        if (x < min) min = x;
        if (x > max) max = x;
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
        if (Number.isNaN(t)) {
          if (valid) valid[i] = 0;
          continue;
        }
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
    // Strings, and anything mixed or nested: text per value (JSON for objects and mixed columns).
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
    return { name, kind: json ? 'json' : 'string', text: parts.join(''), offsets, valid };
  }

  function exportTable(table: any): BridgeExport {
    const names: string[] = table.columnNames();
    const n: number = table.numRows();
    const columns = [];
    for (const name of names) columns.push(exportColumn(String(name), table.array(name), n));
    return { kind: 'table', rowCount: n, columns };
  }

  return {
    numberColumn(values: Float64Array, valid: Uint8Array | null) {
      const n = values.length;
      const copy = new Float64Array(n);
      copy.set(values);
      const v = copyValid(valid);
      return v ? withNulls(n, v, (i) => copy[i]) : copy;
    },
    booleanColumn(values: Uint8Array, valid: Uint8Array | null) {
      const n = values.length;
      const copy = new Uint8Array(n);
      copy.set(values);
      const v = copyValid(valid);
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = v && !v[i] ? null : copy[i] === 1;
      return out;
    },
    dateColumn(values: Float64Array, valid: Uint8Array | null) {
      const n = values.length;
      const copy = new Float64Array(n);
      copy.set(values);
      const v = copyValid(valid);
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = v && !v[i] ? null : new Date(copy[i]);
      return out;
    },
    /** `text` is every value back to back; `offsets` are UTF-16 offsets into it. */
    stringColumn(text: string, offsets: Int32Array, valid: Uint8Array | null) {
      const s = String(text);
      const n = offsets.length - 1;
      const o = new Int32Array(offsets.length);
      o.set(offsets);
      const v = copyValid(valid);
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = v && !v[i] ? null : s.substring(o[i], o[i + 1]);
      return out;
    },
    /** A JSON text (a JSON column as an array, the params) as values of this realm. */
    parseJson(text: string) {
      return JSON.parse(String(text));
    },
    /** What was thrown, as plain strings (read here so no getter of it runs with host values). */
    errorInfo(e: unknown): string {
      let name = 'Error', message = '', stack = '';
      try {
        if (e instanceof Error) {
          name = String(e.name);
          message = String(e.message);
          stack = String(e.stack ?? '');
        } else message = `${typeof e === 'string' ? e : toJsonOr(e)} (thrown as a value, not an Error)`;
      } catch {
        message = 'an error that could not be read';
      }
      return JSON.stringify({ name, message, stack });
    },
    makeTable(names: string[], columns: unknown[]) {
      const obj: Record<string, unknown> = {};
      const order: string[] = [];
      for (let i = 0; i < names.length; i++) {
        const name = String(names[i]);
        obj[name] = columns[i];
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
