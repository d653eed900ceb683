/**
 * Checks of what a code cell passes to the experiment functions of `stats` (stats-experiment.ts):
 * a wrong shape is a TypeError, a number out of its range a RangeError, each naming the function
 * and the argument, instead of a NaN further down.
 */
import { countsOf, momentsOf, pairMomentsOf } from '../../../engine/stats/experiment-moments.js';
import type { Counts, Moments, PairMoments } from '../../../engine/stats/experiment-tests.js';

type Obj = Record<string, unknown>;

export function typeError(fn: string, message: string): never {
  throw new TypeError(`stats.${fn}: ${message}`);
}

export function rangeError(fn: string, message: string): never {
  throw new RangeError(`stats.${fn}: ${message}`);
}

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null;
export const isValues = (v: unknown): v is ArrayLike<number | null> => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

/** A finite number, optionally within [min, max] or (min, max) when `open`. */
export function num(fn: string, what: string, v: unknown, range?: { min?: number; max?: number; open?: boolean }): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) typeError(fn, `${what} must be a finite number (got ${describe(v)})`);
  const { min, max, open } = range ?? {};
  const low = min !== undefined && (open ? v <= min : v < min);
  const high = max !== undefined && (open ? v >= max : v > max);
  if (low || high) rangeError(fn, `${what} must be ${rangeText(range!)} (got ${v})`);
  return v;
}

function rangeText({ min, max, open }: { min?: number; max?: number; open?: boolean }): string {
  if (min !== undefined && max !== undefined) return open ? `between ${min} and ${max}, exclusive` : `between ${min} and ${max}`;
  if (min !== undefined) return open ? `greater than ${min}` : `at least ${min}`;
  return open ? `less than ${max}` : `at most ${max}`;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `'${v.length > 20 ? `${v.slice(0, 20)}…` : v}'`;
  return String(v);
}

/** The significance level: a fraction in (0, 1), 0.05 when left out. */
export function alphaOf(fn: string, v: unknown): number {
  return v === undefined ? 0.05 : num(fn, 'alpha', v, { min: 0, max: 1, open: true });
}

function fields<K extends string>(fn: string, what: string, v: Obj, keys: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of keys) {
    if (v[k] === undefined) typeError(fn, `${what}.${k} is missing: ${what} is { ${keys.join(', ')} } (it has ${Object.keys(v).join(', ') || 'no keys'})`);
    out[k] = num(fn, `${what}.${k}`, v[k]);
  }
  return out;
}

function enoughUnits(fn: string, what: string, n: number, least: number): void {
  if (!Number.isInteger(n) || n < least) rangeError(fn, `${what} needs at least ${least} units (n = ${n})`);
}

/** A group's moments: `{ n, mean, variance }`, or its per-unit values. */
export function momentsArg(fn: string, what: string, v: unknown): Moments {
  let m: Moments;
  if (isValues(v)) m = momentsOf(numbers(fn, what, v));
  else if (isObject(v)) m = fields(fn, what, v, ['n', 'mean', 'variance'] as const);
  else typeError(fn, `${what} is { n, mean, variance } or an array of per-unit values (got ${describe(v)})`);
  enoughUnits(fn, what, m.n, 2);
  if (m.variance < 0) rangeError(fn, `${what}.variance must be at least 0 (got ${m.variance})`);
  return m;
}

/** A group's pair moments: `{ n, meanY, varY, meanX, varX, covXY }`, or `{ y, x }` per-unit values. */
export function pairArg(fn: string, what: string, v: unknown): PairMoments {
  let m: PairMoments;
  if (isObject(v) && isValues(v.y) && isValues(v.x)) {
    if (v.y.length !== v.x.length) rangeError(fn, `${what}.y has ${v.y.length} values and ${what}.x ${v.x.length}: one of each per unit`);
    m = pairMomentsOf(numbers(fn, `${what}.y`, v.y), numbers(fn, `${what}.x`, v.x));
  } else if (isObject(v)) m = fields(fn, what, v, ['n', 'meanY', 'varY', 'meanX', 'varX', 'covXY'] as const);
  else typeError(fn, `${what} is { n, meanY, varY, meanX, varX, covXY } or { y, x } arrays of per-unit values (got ${describe(v)})`);
  enoughUnits(fn, what, m.n, 2);
  return m;
}

/** A group's conversions: `{ n, successes }`, or its per-unit 0/1 (true/false) values. */
export function countsArg(fn: string, what: string, v: unknown): Counts {
  let c: Counts;
  if (isValues(v)) {
    try {
      c = countsOf(v as ArrayLike<number | boolean | null>);
    } catch (e) {
      rangeError(fn, `${what}: ${(e as Error).message}`);
    }
  } else if (isObject(v)) c = fields(fn, what, v, ['n', 'successes'] as const);
  else typeError(fn, `${what} is { n, successes } or an array of per-unit 0/1 values (got ${describe(v)})`);
  enoughUnits(fn, what, c.n, 1);
  if (!Number.isInteger(c.successes) || c.successes < 0 || c.successes > c.n) rangeError(fn, `${what}.successes must be a whole number from 0 to n = ${c.n} (got ${c.successes})`);
  return c;
}

/** Per-unit values: numbers, with null/undefined/NaN for a missing one. */
export function numbers(fn: string, what: string, v: ArrayLike<unknown>): ArrayLike<number | null> {
  if (ArrayBuffer.isView(v)) return v as ArrayLike<number>;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x !== null && x !== undefined && typeof x !== 'number') typeError(fn, `${what} holds per-unit numbers; value ${i} is ${describe(x)}`);
  }
  return v as ArrayLike<number | null>;
}

/** p-values: numbers in [0, 1], or null for rows without one (they stay null). */
export function pValuesArg(fn: string, v: unknown): (number | null)[] {
  if (!isValues(v)) typeError(fn, `takes an array of p-values (got ${describe(v)})`);
  return Array.from(v as ArrayLike<unknown>, (p, i) => (p === null ? null : num(fn, `p-value ${i}`, p, { min: 0, max: 1 })));
}

/** A beta prior `{ a, b }` (both positive); Beta(1, 1), uniform, when left out. */
export function priorArg(fn: string, v: unknown): { a: number; b: number } {
  if (v === undefined) return { a: 1, b: 1 };
  if (!isObject(v)) typeError(fn, `prior is { a, b } (got ${describe(v)})`);
  return { a: num(fn, 'prior.a', v.a, { min: 0, open: true }), b: num(fn, 'prior.b', v.b, { min: 0, open: true }) };
}
