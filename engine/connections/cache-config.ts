/**
 * `cache:` of a server connection or of a cell on one: server data has no file to stat, so it
 * is served from the cell cache only when a time window (`ttl`) or a freshness query says so.
 */
import * as z from 'zod';
import { sha256 } from '../util/hash.js';

const DURATION = /^(\d+)\s*(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function durationMs(text: string): number {
  const m = DURATION.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]] : NaN;
}

export const cacheSchema = z
  .strictObject({
    ttl: z.string().regex(DURATION, 'a duration like 30m, 1h or 1d').optional().describe('serve cells on it from the cache for this long (30m, 1h, 1d)'),
    freshness: z.string().min(1).optional().describe('SQL whose value changes when the data does (e.g. SELECT max(updated_at) FROM orders); part of the cache key'),
  })
  .describe('when server data may be served from the cell cache; without it, cells on the connection always run');
export type CacheConfig = z.infer<typeof cacheSchema>;

/**
 * The cache key part of a server connection's data: server data has no file to stat, so the
 * declared `cache:` decides. `ttl`: the time window (a result is served for at most that long);
 * `freshness`: its SQL's value, asked of the server. Neither: null, and cells on it always run.
 */
export async function serverFingerprint(cache: CacheConfig | undefined, now: number, freshness: (sql: string) => Promise<unknown>): Promise<string | null> {
  if (!cache || (!cache.ttl && !cache.freshness)) return null;
  const parts: unknown[] = [];
  if (cache.ttl) parts.push(['ttl', cache.ttl, Math.floor(now / durationMs(cache.ttl))]);
  if (cache.freshness) parts.push(['freshness', await freshness(cache.freshness)]);
  return sha256(JSON.stringify(parts));
}
