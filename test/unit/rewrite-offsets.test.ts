import { describe, expect, it } from 'vitest';
import { originalOffset } from '../../engine/sql/rewrite-offsets.js';

describe('offsets through a rewrite of SQL text', () => {
  it('maps offsets before, inside and after each replacement back to the text as written', () => {
    // "WHERE a = $region AND b = $n" → "WHERE a = $1 AND b = $2"
    const written = 'WHERE a = $region AND b = $n';
    const rewritten = 'WHERE a = $1 AND b = $2';
    const at = originalOffset([
      { from: 10, fromLength: 7, to: 10, toLength: 2 },
      { from: 26, fromLength: 2, to: 21, toLength: 2 },
    ]);
    expect(at(6)).toBe(6); // before any: unchanged
    expect(at(11)).toBe(10); // inside the first placeholder: where $region began
    expect(rewritten.slice(13, 16)).toBe('AND');
    expect(written.slice(at(13), at(13) + 3)).toBe('AND'); // between: shifted by the first
    expect(at(22)).toBe(26); // inside the second
  });
});
