/** Exponential backoff with jitter, shared by run retries and mail retries. */
export interface Backoff {
  /** Delay before the first retry, ms. */
  baseMs: number;
  /** Longest delay, ms. */
  maxMs: number;
}

/**
 * Delay before retry number `n` (1-based): base·2^(n-1), capped, then scaled by a random factor
 * in [0.5, 1) ("equal jitter") so retries of many entries do not arrive together.
 */
export function backoffDelay(b: Backoff, n: number, random: () => number = Math.random): number {
  const raw = Math.min(b.maxMs, b.baseMs * 2 ** Math.max(0, n - 1));
  return Math.round(raw * (0.5 + random() / 2));
}
