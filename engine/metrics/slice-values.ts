/**
 * How a slice value is written in the long table (docs/metrics-format.md). A single slice's
 * value is the column's value as is: a NULL there is a NULL `slice_value`, never a label a real
 * value could also be. A cross-product's value joins its parts with `|`; inside a part `\` and
 * `|` are escaped with `\`, and a NULL part is `\N`, which no escaped value can be.
 */

/** One part of a cross-product value. */
export function slicePart(value: string): string {
  return value.replace(/[\\|]/g, (c) => `\\${c}`);
}

/** The parts of a `slice_value` of `slice_type` (one per slice; null: NULL). */
export function sliceParts(sliceType: string, value: string | null): Array<string | null> {
  if (value === null || !sliceType.includes('|')) return [value];
  const parts: Array<string | null> = [];
  for (const m of value.matchAll(/((?:[^\\|]|\\.)*)(\||$)/gs)) {
    parts.push(m[1] === '\\N' ? null : m[1].replace(/\\(.)/gs, '$1'));
    if (m[2] === '') break;
  }
  return parts;
}
