/**
 * Globals a code cell's context gets before Arquero loads, written in plain JS and evaluated
 * INSIDE the cell's isolate (isolate.bundle.js), before Arquero loads, so every object they make belongs to it.
 */
export function installShims(g: Record<string, unknown>): { takeLogs(): string } {
  /** UTF-8 in plain JS (Arquero's Arrow reader wants TextDecoder/TextEncoder to exist). */
  class TextEncoderShim {
    get encoding() {
      return 'utf-8';
    }
    encode(input = ''): Uint8Array {
      const s = String(input);
      const out: number[] = [];
      for (let i = 0; i < s.length; i++) {
        let c = s.charCodeAt(i);
        if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
          const d = s.charCodeAt(i + 1);
          if (d >= 0xdc00 && d < 0xe000) {
            c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            i++;
          }
        }
        if (c < 0x80) out.push(c);
        else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
        else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
        else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      }
      return new Uint8Array(out);
    }
  }
  class TextDecoderShim {
    get encoding() {
      return 'utf-8';
    }
    decode(input?: ArrayBufferView | ArrayBuffer): string {
      if (!input) return '';
      const b = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
      let s = '';
      for (let i = 0; i < b.length; ) {
        const c = b[i++];
        let cp = c;
        if (c >= 0xf0) cp = ((c & 7) << 18) | ((b[i++] & 63) << 12) | ((b[i++] & 63) << 6) | (b[i++] & 63);
        else if (c >= 0xe0) cp = ((c & 15) << 12) | ((b[i++] & 63) << 6) | (b[i++] & 63);
        else if (c >= 0xc0) cp = ((c & 31) << 6) | (b[i++] & 63);
        s += String.fromCodePoint(cp);
      }
      return s;
    }
  }
  const lines: string[] = [];
  let dropped = 0;
  const MAX_LINES = 200;
  const show = (v: unknown): string => {
    if (typeof v === 'string') return v;
    try {
      const json = JSON.stringify(v);
      if (json !== undefined) return json.length > 2000 ? `${json.slice(0, 2000)}…` : json;
    } catch {
      /* circular */
    }
    return String(v);
  };
  const log =
    (level: string) =>
    (...args: unknown[]) => {
      if (lines.length >= MAX_LINES) {
        dropped++;
        return;
      }
      lines.push(`${level}${args.map(show).join(' ')}`.slice(0, 4000));
    };
  g.TextEncoder = TextEncoderShim;
  g.TextDecoder = TextDecoderShim;
  g.console = { log: log(''), info: log(''), debug: log(''), warn: log('warning: '), error: log('error: ') };
  return {
    takeLogs() {
      const out = lines.join('\n') + (dropped ? `\n(${dropped} more console lines not shown)` : '');
      lines.length = 0;
      dropped = 0;
      return out;
    },
  };
}
