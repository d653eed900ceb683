/**
 * The input columns code sees, made INSIDE the cell's isolate (isolate.bundle.js). Like
 * the columns of `aq.fromArrow`, they are lazy: a value (a number, a Date, a string from the
 * dictionary) is made when Arquero asks for row i, not for every row up front, and nothing is
 * copied again. The copied buffers stay private to these closures: code only ever gets primitives
 * read from them, or objects made here.
 * Each column remembers which input column it is, so a column that comes back unchanged is sent
 * back as the buffers it came in.
 */
export function makeColumns() {
  const DAY = 864e5;
  /** Column object → the id of the run's input column it shows. */
  const sources = new WeakMap<object, number>();
  // Rows are read as x[i | 0]: an index like 'constructor' must not reach the arrays' properties.

  /** An Arquero column (length, at, iterator, toArray) that can't be changed under Arquero. */
  function column(id: number, n: number, at: (i: number) => unknown, extra: object = {}) {
    const col = Object.assign(
      {
        length: n,
        at,
        *[Symbol.iterator]() {
          for (let i = 0; i < n; i++) yield at(i);
        },
        toArray() {
          const out = new Array(n);
          for (let i = 0; i < n; i++) out[i] = at(i);
          return out;
        },
      },
      extra,
    );
    sources.set(col, id);
    return Object.freeze(col);
  }

  return {
    /** The input column id of a column object, if it is one made here. */
    sourceOf: (col: unknown): number | undefined => (col !== null && typeof col === 'object' ? sources.get(col) : undefined),
    number(id: number, x: Float64Array, v: Uint8Array | null) {
      return column(id, x.length, v ? (i) => (v[i | 0] ? x[i | 0] : null) : (i) => x[i | 0]);
    },
    boolean(id: number, x: Uint8Array, v: Uint8Array | null) {
      return column(id, x.length, (i) => (v && !v[i | 0] ? null : x[i | 0] === 1));
    },
    /** Days since the epoch → Date at UTC midnight. */
    date(id: number, x: Int32Array, v: Uint8Array | null) {
      return column(id, x.length, (i) => (v && !v[i | 0] ? null : new Date(x[i | 0] * DAY)));
    },
    /** Milliseconds since the epoch → Date. */
    timestamp(id: number, x: Float64Array, v: Uint8Array | null) {
      return column(id, x.length, (i) => (v && !v[i | 0] ? null : new Date(x[i | 0])));
    },
    /**
     * `text` holds the dictionary's entries back to back at UTF-16 `offsets`; row i is entry c[i]
     * (entry i when c is null). `keys`: the codes again when entries are distinct values.
     */
    string(id: number, text: string, offsets: Int32Array, keys: Int32Array | null, c: Int32Array | null, v: Uint8Array | null) {
      const s = String(text);
      const size = offsets.length - 1;
      const dict: string[] = new Array(size);
      for (let k = 0; k < size; k++) dict[k] = s.substring(offsets[k], offsets[k + 1]);
      const n = c ? c.length : size;
      const at = c ? (i: number) => (v && !v[i | 0] ? null : dict[c[i | 0]]) : (i: number) => (v && !v[i | 0] ? null : dict[i | 0]);
      if (!keys) return column(id, n, at);
      // groupby on this column alone: the groups Arquero would make (in order of first row), from the codes.
      const groups = (names: string[]) => {
        const group = new Int32Array(size + 1).fill(-1); // by code; size: NULL
        const groupOf = new Uint32Array(n);
        const rows: number[] = [];
        for (let i = 0; i < n; i++) {
          const k = v && !v[i] ? size : keys[i];
          let g = group[k];
          if (g < 0) g = group[k] = rows.push(i) - 1;
          groupOf[i] = g;
        }
        return { keys: groupOf, get: [(row: number) => at(row)], names, rows, size: rows.length };
      };
      return column(id, n, at, { groups });
    },
  };
}
