/**
 * Locale-fixed number formatting ('en-US' style: `,` groups, `.` decimals), done on decimal strings
 * so DuckDB's BIGINT/HUGEINT/DECIMAL digit strings keep every digit and output never depends on the
 * host's ICU data.
 */

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** `1234567` → `1,234,567` (digits only, no sign). */
export function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A finite number as a plain decimal string, never in exponent notation (`1e-7` → `0.0000001`). */
export function plainDecimal(n: number): string {
  const s = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, rest = '', expText] = m;
  const digits = lead! + rest;
  const exp = Number(expText);
  if (exp >= 0) {
    const intDigits = digits.padEnd(exp + 1, '0');
    return `${sign}${intDigits.slice(0, exp + 1)}${intDigits.length > exp + 1 ? `.${intDigits.slice(exp + 1)}` : ''}`;
  }
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}

/** An integer (number or digit string) with thousands separators; `null` if it is not one. */
export function formatInteger(value: number | string): string | null {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? plainDecimal(value) : null) : value.trim();
  if (text === null) return null;
  const m = /^([+-]?)(\d+)$/.exec(text);
  if (!m) return null;
  const digits = m[2]!.replace(/^0+(?=\d)/, '');
  return `${m[1] === '-' && digits !== '0' ? '-' : ''}${groupThousands(digits)}`;
}

/**
 * A decimal (number or digit string) with thousands separators and 2 decimals (`1234.5` → `1,234.50`);
 * magnitudes below 1 keep 3 significant digits (`0.0123` → `0.0123`, `0.12345` → `0.123`).
 * Rounds half away from zero. `null` if the value is not a plain decimal.
 */
export function formatDecimal(value: number | string): string | null {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  let text = typeof value === 'number' ? plainDecimal(value) : value.trim();
  if (typeof value === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)e[+-]?\d+$/i.test(text)) {
    const n = Number(text);
    if (!Number.isFinite(n)) return null;
    text = plainDecimal(n);
  }
  const m = DECIMAL_RE.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const negative = m[1] === '-';
  const intPart = (m[2] ?? '').replace(/^0+/, '') || '0';
  const frac = m[3] ?? '';

  let places = 2;
  if (intPart === '0') {
    const firstSignificant = frac.search(/[1-9]/);
    if (firstSignificant >= 0) places = Math.max(2, firstSignificant + 3);
  }

  let scaled = BigInt(intPart + frac.padEnd(places, '0').slice(0, places));
  if ((frac[places] ?? '0') >= '5') scaled += 1n;
  const all = scaled.toString().padStart(places + 1, '0');
  const whole = all.slice(0, all.length - places);
  let decimals = all.slice(all.length - places);
  if (places > 2) decimals = decimals.replace(/0+$/, '').padEnd(2, '0');
  const isZero = scaled === 0n;
  return `${negative && !isZero ? '-' : ''}${groupThousands(whole)}.${decimals}`;
}

/** `1 row`, `0 rows`, `12,345 rows`. */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatInteger(n) ?? String(n)} ${n === 1 ? singular : plural}`;
}
