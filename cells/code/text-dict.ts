/**
 * Dictionary-encodes text as it is read: each distinct UTF-8 value is stored once and every row
 * gets its entry's code. Low-cardinality columns (regions, statuses) then cost a few bytes per
 * row to move and write back. When most values turn out to be new (ids, emails), it stops
 * looking values up and just appends them: entries may then repeat (`distinct` false).
 */
export class TextDictionary {
  private bytes = new Uint8Array(1 << 12);
  private len = 0;
  private offsets = new Int32Array(1 << 8);
  /**
   * Values of at most 12 bytes, by their DuckDB string_t words: open addressing, 8 words a slot
   * (entry + 1, 0 = empty; then length and the 3 words of bytes), kept at most half full.
   */
  private short: Int32Array = new Int32Array(8 << 9);
  private shortUsed = 0;
  /** Longer values: open addressing, entry + 1 (0 = empty), kept at most half full; their hashes by entry. */
  private slots = new Int32Array(1 << 9);
  private hashes: Int32Array = new Int32Array(1 << 8);
  private longUsed = 0;
  size = 0;
  /** Rows looked up so far (of finished vectors). */
  private looked = 0;
  /** Whether entries are distinct values, so that equal codes ⇔ equal values. */
  distinct = true;

  /**
   * Codes rows [0, rows) of a DuckDB string vector into codes[at, at + rows): `words` holds its
   * string_t structs (a length, then 12 inline bytes or a prefix and a pointer), `validity` its
   * validity bits (null: no NULL; NULL rows are left as they are) and `long(r)` the bytes of row
   * r's value when it has more than 12. Short values are hashed and compared as words, not bytes:
   * DuckDB zero-pads inlined strings (its own equality compares their 16 bytes too).
   */
  codeVector(words: Int32Array, rows: number, codes: Int32Array, at: number, validity: Uint32Array | null, long: (r: number) => Uint8Array): void {
    let short = this.short;
    let mask = short.length - 8;
    let distinct = this.distinct;
    for (let r = 0; r < rows; r++) {
      if (validity !== null && ((validity[r >>> 5] >>> (r & 31)) & 1) === 0) continue;
      const p = r << 2;
      const len = words[p];
      if (len > 12) {
        codes[at + r] = this.code(long(r), 0, len);
        distinct = this.distinct;
        continue;
      }
      if (!distinct) {
        codes[at + r] = this.append(new Uint8Array(words.buffer, words.byteOffset + 4 * p + 4, len), 0, len);
        continue;
      }
      const a = words[p + 1];
      const b = words[p + 2];
      const c = words[p + 3];
      let s = (shortHash(len, a, b, c) << 3) & mask;
      let e: number;
      for (;;) {
        const k = short[s];
        if (k === 0) {
          e = this.addShort(new Uint8Array(words.buffer, words.byteOffset + 4 * p + 4, len), s, len, a, b, c, r);
          short = this.short;
          mask = short.length - 8;
          distinct = this.distinct;
          break;
        }
        if (short[s + 2] === a && short[s + 1] === len && short[s + 3] === b && short[s + 4] === c) {
          e = k - 1;
          break;
        }
        s = (s + 8) & mask;
      }
      codes[at + r] = e;
    }
    this.looked += rows;
  }

  /** The code of a value of more than 12 bytes, src[start, start + len). */
  code(src: Uint8Array, start: number, len: number): number {
    if (!this.distinct) return this.append(src, start, len);
    let h = 0x811c9dc5 ^ len;
    for (let i = 0; i < len; i++) h = Math.imul(h ^ src[start + i], 0x01000193);
    const m = this.slots.length - 1;
    for (let slot = h & m; ; slot = (slot + 1) & m) {
      const e = this.slots[slot] - 1;
      if (e < 0) return this.addLong(src, start, len, h, slot);
      if (this.hashes[e] === h && this.equals(e, src, start, len)) return e;
    }
  }

  /** The dictionary as text buffers: entry k is bytes[offsets[k], offsets[k + 1]). */
  finish(): { bytes: Uint8Array; offsets: Int32Array; distinct: boolean } {
    return { bytes: this.bytes.slice(0, this.len), offsets: this.offsets.slice(0, this.size + 1), distinct: this.distinct };
  }

  private equals(e: number, src: Uint8Array, start: number, len: number): boolean {
    const from = this.offsets[e];
    if (this.offsets[e + 1] - from !== len) return false;
    for (let i = 0; i < len; i++) if (this.bytes[from + i] !== src[start + i]) return false;
    return true;
  }

  /** Stores a value as a new entry and returns its code. */
  private append(src: Uint8Array, start: number, len: number): number {
    if (this.len + len > this.bytes.length) this.bytes = grow(this.bytes, this.len + len);
    if (this.size + 2 > this.offsets.length) this.offsets = grow(this.offsets, this.size + 2);
    const bytes = this.bytes;
    if (len > 16) bytes.set(start === 0 && len === src.length ? src : src.subarray(start, start + len), this.len);
    else for (let i = 0; i < len; i++) bytes[this.len + i] = src[start + i];
    this.len += len;
    this.offsets[this.size + 1] = this.len;
    return this.size++;
  }

  /** Adds a short value at its free slot s; `r` values of the vector being read were looked up before it. */
  private addShort(src: Uint8Array, s: number, len: number, a: number, b: number, c: number, r: number): number {
    const e = this.append(src, 0, len);
    const short = this.short;
    short[s] = e + 1;
    short[s + 1] = len;
    short[s + 2] = a;
    short[s + 3] = b;
    short[s + 4] = c;
    if (++this.shortUsed * 16 > short.length) this.short = rehashShort(short);
    this.giveUpWhenMostlyNew(r);
    return e;
  }

  /** Adds a long value (hash h, not in the table yet) at its free slot. */
  private addLong(src: Uint8Array, start: number, len: number, h: number, slot: number): number {
    const e = this.append(src, start, len);
    if (e >= this.hashes.length) this.hashes = grow(this.hashes, e + 1);
    this.hashes[e] = h;
    this.slots[slot] = e + 1;
    if (++this.longUsed * 2 > this.slots.length) this.rehashLong();
    this.giveUpWhenMostlyNew(0);
    return e;
  }

  /** Mostly new values after a fair sample: looking them up costs more than it saves. */
  private giveUpWhenMostlyNew(pending: number): void {
    const looked = this.looked + pending;
    if (looked >= 65536 && this.size * 2 > looked) this.distinct = false;
  }

  private rehashLong(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let k = 0; k < this.slots.length; k++) {
      const e = this.slots[k] - 1;
      if (e < 0) continue;
      let slot = this.hashes[e] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
    this.slots = slots;
  }
}

function shortHash(len: number, a: number, b: number, c: number): number {
  const h = Math.imul(a ^ (b + c) ^ len, 0x9e3779b1);
  return h ^ (h >>> 16);
}

/** The short-value table at twice the size. */
function rehashShort(old: Int32Array): Int32Array {
  const next = new Int32Array(old.length * 2);
  const mask = next.length - 8;
  for (let q = 0; q < old.length; q += 8) {
    if (old[q] === 0) continue;
    let s = (shortHash(old[q + 1], old[q + 2], old[q + 3], old[q + 4]) << 3) & mask;
    while (next[s] !== 0) s = (s + 8) & mask;
    next.set(old.subarray(q, q + 8), s);
  }
  return next;
}

function grow<T extends Uint8Array | Int32Array>(a: T, need: number): T {
  const next = new (a.constructor as new (n: number) => T)(Math.max(a.length * 2, need));
  next.set(a);
  return next;
}
