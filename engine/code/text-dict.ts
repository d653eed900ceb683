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
  private hashes = new Int32Array(1 << 8);
  /** Per entry: its length and, when at most 12 bytes, its bytes as 3 words (as DuckDB inlines them). */
  private inline = new Int32Array(4 << 8);
  /** Open addressing: entry + 1, 0 = empty; kept at most half full. */
  private slots = new Int32Array(1 << 9);
  size = 0;
  /** Values looked up so far. */
  private looked = 0;
  /** Whether entries are distinct values, so that equal codes ⇔ equal values. */
  distinct = true;

  /**
   * The code of a DuckDB string_t of at most 12 bytes: `words[p]` is its length and the next 3
   * words its bytes (zero-padded; masked anyway). Hashes and compares words, not bytes.
   */
  codeInline(words: Uint32Array, p: number): number {
    const len = words[p];
    if (!this.distinct) return this.append(new Uint8Array(words.buffer, words.byteOffset + 4 * p + 4, len), 0, len);
    this.looked++;
    const a = len >= 4 ? words[p + 1] | 0 : words[p + 1] & ((1 << (8 * len)) - 1);
    const b = len >= 8 ? words[p + 2] | 0 : len <= 4 ? 0 : words[p + 2] & ((1 << (8 * (len - 4))) - 1);
    const c = len >= 12 ? words[p + 3] | 0 : len <= 8 ? 0 : words[p + 3] & ((1 << (8 * (len - 8))) - 1);
    let h = Math.imul(len ^ a, 0x9e3779b1);
    h = Math.imul(h ^ b, 0x85ebca6b);
    h = Math.imul(h ^ c, 0xc2b2ae35);
    h ^= h >>> 15;
    const { slots, inline } = this;
    const m = slots.length - 1;
    for (let slot = h & m; ; slot = (slot + 1) & m) {
      const e = slots[slot] - 1;
      if (e < 0) break;
      const q = 4 * e;
      if (inline[q] === len && inline[q + 1] === a && inline[q + 2] === b && inline[q + 3] === c) return e;
    }
    const e = this.add(new Uint8Array(words.buffer, words.byteOffset + 4 * p + 4, len), 0, len, h);
    this.inline.set([len, a, b, c], 4 * e);
    return e;
  }

  /** The code of a value of more than 12 bytes, src[start, start + len). */
  code(src: Uint8Array, start: number, len: number): number {
    if (!this.distinct) return this.append(src, start, len);
    this.looked++;
    let h = 0x811c9dc5 ^ len;
    for (let i = 0; i < len; i++) h = Math.imul(h ^ src[start + i], 0x01000193);
    const m = this.slots.length - 1;
    for (let slot = h & m; ; slot = (slot + 1) & m) {
      const e = this.slots[slot] - 1;
      if (e < 0) return this.add(src, start, len, h);
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
    if (this.size + 2 > this.offsets.length) {
      this.offsets = grow(this.offsets, this.size + 2);
      if (this.distinct) {
        this.hashes = grow(this.hashes, this.size + 2);
        this.inline = grow(this.inline, 4 * this.offsets.length);
      }
    }
    const bytes = this.bytes;
    if (len > 16) bytes.set(start === 0 && len === src.length ? src : src.subarray(start, start + len), this.len);
    else for (let i = 0; i < len; i++) bytes[this.len + i] = src[start + i];
    this.len += len;
    this.offsets[this.size + 1] = this.len;
    return this.size++;
  }

  /** Adds a new value (its hash h not in the table yet) and returns its code. */
  private add(src: Uint8Array, start: number, len: number, h: number): number {
    const e = this.append(src, start, len);
    this.hashes[e] = h;
    this.inline[4 * e] = len; // an entry of more than 12 bytes never equals an inlined one
    const m = this.slots.length - 1;
    let slot = h & m;
    while (this.slots[slot] !== 0) slot = (slot + 1) & m;
    this.slots[slot] = e + 1;
    if (this.size * 2 > this.slots.length) this.rehash();
    // Mostly new values after a fair sample: looking them up costs more than it saves.
    if (this.looked >= 65536 && this.size * 2 > this.looked) this.distinct = false;
    return e;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.size; e++) {
      let slot = this.hashes[e] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
    this.slots = slots;
  }
}

function grow<T extends Uint8Array | Int32Array>(a: T, need: number): T {
  const next = new (a.constructor as new (n: number) => T)(Math.max(a.length * 2, need));
  next.set(a);
  return next;
}
