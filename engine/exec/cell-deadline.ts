/**
 * A cell's time limit: when it passes, the cell's signal aborts and `interrupt` is called (again
 * every 50 ms, as a query starting just then would miss one call) until the cell ends.
 */
export interface CellDeadline {
  /** Aborts on the run's signal or when the time is up. */
  signal: AbortSignal;
  expired(): boolean;
  clear(): void;
}

export function cellDeadline(ms: number | undefined, runSignal: AbortSignal, interrupt: () => void): CellDeadline {
  if (!ms) return { signal: runSignal, expired: () => false, clear: () => {} };
  const own = new AbortController();
  let expired = false;
  let repeat: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    expired = true;
    own.abort('timeout');
    interrupt();
    repeat = setInterval(interrupt, 50);
  }, ms);
  return {
    signal: AbortSignal.any([runSignal, own.signal]),
    expired: () => expired,
    clear: () => {
      clearTimeout(timer);
      clearInterval(repeat);
    },
  };
}
