/**
 * Cell cache keys: a SHA-256 of what a cell's result depends on. Pure functions, no IO.
 */
import { canonicalJson, sha256 } from '../util/hash.js';

/** Bump when the key recipe or the entry format changes: old entries then never match. */
export const CACHE_VERSION = 1;

export interface KeyParts {
  v: number;
  /** quire's version: a new engine may compute a cell differently. */
  quire: string;
  type: string;
  /** The cell's spec without keys that don't change its result (title, on_error, depends_on). */
  spec: unknown;
  /** Param name → [DuckDB type, resolved value], for the params the cell reads. */
  params: Record<string, [string, unknown]>;
  /** Upstream cell id → its key. */
  upstream: Record<string, string>;
  /** Digest of the data the cell reads besides its upstream cells ('' for none). */
  data: string;
}

const COSMETIC = new Set(['title', 'on_error', 'depends_on']);

export function normalizeSpec(spec: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec).filter(([k, v]) => !COSMETIC.has(k) && v !== undefined));
}

export function keyOf(parts: KeyParts): string {
  return sha256(canonicalJson(parts));
}

/** Why a key differs from an earlier one, in words ("param region changed (all → EU)"). */
export function describeChange(now: KeyParts, before: KeyParts): string {
  const reasons: string[] = [];
  if (now.v !== before.v || now.quire !== before.quire) reasons.push(`quire changed (${before.quire} → ${now.quire})`);
  if (canonicalJson(now.spec) !== canonicalJson(before.spec) || now.type !== before.type) reasons.push('the cell itself changed');
  const names = [...new Set([...Object.keys(now.params), ...Object.keys(before.params)])].sort();
  for (const name of names) {
    const a = before.params[name];
    const b = now.params[name];
    if (canonicalJson(a) === canonicalJson(b)) continue;
    if (!a) reasons.push(`now reads param ${name}`);
    else if (!b) reasons.push(`no longer reads param ${name}`);
    else reasons.push(`param ${name} changed (${show(a[1])} → ${show(b[1])})`);
  }
  const ups = [...new Set([...Object.keys(now.upstream), ...Object.keys(before.upstream)])].sort();
  const changed = ups.filter((u) => now.upstream[u] !== before.upstream[u]);
  if (changed.length) reasons.push(`upstream ${changed.length === 1 ? 'cell' : 'cells'} ${changed.join(', ')} changed`);
  if (now.data !== before.data) reasons.push('the data it reads changed');
  return reasons.length ? reasons.join('; ') : 'changed';
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
