/**
 * Offsets through a rewrite of SQL text (named params turned into a server's placeholders): an
 * error the server reports at an offset of the rewritten text is located in the text as written.
 */

/** One piece of the text as written (`from`, `fromLength`) replaced at `to` (`toLength`) in the rewrite. */
export interface Replacement {
  from: number;
  fromLength: number;
  to: number;
  toLength: number;
}

/** Maps an offset of the rewritten text to the original; inside a replacement, to where it began. Replacements in order. */
export function originalOffset(replacements: readonly Replacement[]): (offset: number) => number {
  return (offset) => {
    let shift = 0;
    for (const r of replacements) {
      if (offset < r.to) break;
      if (offset < r.to + r.toLength) return r.from;
      shift = r.from + r.fromLength - (r.to + r.toLength);
    }
    return offset + shift;
  };
}
