/**
 * Thrift's compact protocol, as much as Parquet's page headers and footer need: structs of
 * non-negative integers, strings, lists and nested structs. A field is [id, type, value].
 */
export type Field =
  | [id: number, type: 'i32', value: number]
  | [id: number, type: 'i64', value: number]
  | [id: number, type: 'string', value: string]
  | [id: number, type: 'struct', value: Field[]]
  | [id: number, type: 'list<i32>', value: number[]]
  | [id: number, type: 'list<string>', value: string[]]
  | [id: number, type: 'list<struct>', value: Field[][]];

const TYPE = { i32: 5, i64: 6, string: 8, list: 9, struct: 12 } as const;

export class ThriftWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private byte(b: number): void {
    if (this.len === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = b;
  }

  /** Unsigned varint; numbers up to 2^53 (no 32-bit operators on the way). */
  private varint(n: number): void {
    while (n >= 0x80) {
      this.byte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.byte(n);
  }

  /** Zigzag of a non-negative integer is twice it. */
  private int(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0 || n > Number.MAX_SAFE_INTEGER / 2) throw new Error(`parquet: bad integer ${n}`);
    this.varint(n * 2);
  }

  private string(s: string): void {
    const bytes = new TextEncoder().encode(s);
    this.varint(bytes.length);
    for (const b of bytes) this.byte(b);
  }

  private listHeader(size: number, type: number): void {
    if (size < 15) this.byte((size << 4) | type);
    else {
      this.byte(0xf0 | type);
      this.varint(size);
    }
  }

  struct(fields: readonly Field[]): this {
    let last = 0;
    for (const f of fields) {
      const [id, type] = f;
      const code = type === 'i32' || type === 'i64' || type === 'string' || type === 'struct' ? TYPE[type] : TYPE.list;
      if (id > last && id - last <= 15) this.byte(((id - last) << 4) | code);
      else {
        this.byte(code);
        this.int(id);
      }
      last = id;
      if (f[1] === 'i32') this.int(f[2]);
      else if (f[1] === 'i64') this.int(f[2]);
      else if (f[1] === 'string') this.string(f[2]);
      else if (f[1] === 'struct') this.struct(f[2]);
      else if (f[1] === 'list<i32>') {
        this.listHeader(f[2].length, TYPE.i32);
        for (const v of f[2]) this.int(v);
      } else if (f[1] === 'list<string>') {
        this.listHeader(f[2].length, TYPE.string);
        for (const v of f[2]) this.string(v);
      } else {
        this.listHeader(f[2].length, TYPE.struct);
        for (const v of f[2]) this.struct(v);
      }
    }
    this.byte(0);
    return this;
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
