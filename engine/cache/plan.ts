/**
 * Cache planning: each cell's key and whether it will be served from the cache or run, and why.
 * Pure: the data fingerprints and the store lookup come in as values and functions.
 */
import type { CellReads } from '../cell-type.js';
import { CACHE_VERSION, describeChange, keyOf, normalizeSpec, type KeyParts } from './key.js';
import { sha256 } from '../util/hash.js';

export interface PlanCell {
  id: string;
  type: string;
  spec: Record<string, unknown>;
  upstream: readonly string[];
  reads: CellReads | undefined;
}

export interface PlanInputs {
  /** Cells in an order where upstream cells come first. */
  cells: readonly PlanCell[];
  params: { values: Record<string, unknown>; types: Record<string, string> };
  quire: string;
  /** Fingerprint of the databases; of the project's spec files (for cells that don't declare reads). */
  database: string;
  /** Fingerprints of named connections, for cells that declare one (`reads.connection`); null: it can't tell, never cached. */
  connections?: Readonly<Record<string, string | null>>;
  /** Fingerprints of cells that declare their own `cache:`, in place of their connection's. */
  cellData?: Readonly<Record<string, string | null>>;
  project: string;
  /** size:mtime stamps of files a cell declares; null when one is remote (not cacheable). */
  files: (cell: PlanCell) => string[] | null;
}

export interface CellKey {
  id: string;
  key: string | null;
  parts: KeyParts | null;
  /** Why there is no key (the cell is never cached). */
  uncacheable?: string;
}

/** Keys of every cell, upstream first; a cell never cached makes its downstream cells never cached. */
export function cellKeys(input: PlanInputs): Map<string, CellKey> {
  const out = new Map<string, CellKey>();
  for (const cell of input.cells) {
    const reads = cell.reads;
    const none = (why: string) => out.set(cell.id, { id: cell.id, key: null, parts: null, uncacheable: why });
    if (reads?.volatile) {
      none('never cached: it writes to the database or reads the clock or randomness');
      continue;
    }
    const blocked = cell.upstream.find((u) => !out.get(u)?.key);
    if (blocked) {
      none(`never cached: upstream cell ${blocked} is never cached`);
      continue;
    }
    const files = input.files(cell);
    if (files === null) {
      none('never cached: it reads a remote file');
      continue;
    }
    const conn = reads?.connection;
    const own = input.cellData && cell.id in input.cellData ? input.cellData[cell.id] : undefined;
    const database = own !== undefined ? own : conn !== undefined && input.connections && conn in input.connections ? input.connections[conn] : input.database;
    if (database === null) {
      none(`never cached: connection ${conn} can't tell when its data changes (give it \`cache: { ttl: 1h }\` or \`cache: { freshness: <SQL> }\` in quire.yaml)`);
      continue;
    }
    const names = reads?.params ?? Object.keys(input.params.values);
    const params: KeyParts['params'] = {};
    for (const n of [...names].sort()) if (n in input.params.values) params[n] = [input.params.types[n], input.params.values[n]];
    const dataParts = [reads?.database === false ? '' : database, reads ? '' : input.project, ...files];
    const parts: KeyParts = {
      v: CACHE_VERSION,
      quire: input.quire,
      type: cell.type,
      spec: normalizeSpec(cell.spec),
      params,
      upstream: Object.fromEntries([...cell.upstream].sort().map((u) => [u, out.get(u)!.key!])),
      data: dataParts.some(Boolean) ? sha256(JSON.stringify(dataParts)) : '',
    };
    out.set(cell.id, { id: cell.id, key: keyOf(parts), parts });
  }
  return out;
}

export interface CellDecision {
  id: string;
  action: 'cache' | 'run';
  key: string | null;
  reason: string;
}

/** What the store knows of a cell: whether this key is stored, and the newest stored key's parts. */
export interface StoreView {
  has(id: string, key: string): boolean;
  latest(id: string): { parts: KeyParts; created: string } | null;
}

export function decide(keys: ReadonlyMap<string, CellKey>, store: StoreView, opts: { noCache?: boolean } = {}): CellDecision[] {
  return [...keys.values()].map((k) => {
    if (!k.key || !k.parts) return { id: k.id, action: 'run', key: null, reason: k.uncacheable ?? 'never cached' };
    if (opts.noCache) return { id: k.id, action: 'run', key: k.key, reason: '--no-cache' };
    if (store.has(k.id, k.key)) return { id: k.id, action: 'cache', key: k.key, reason: `cached (key ${k.key.slice(0, 12)})` };
    const latest = store.latest(k.id);
    return { id: k.id, action: 'run', key: k.key, reason: latest ? describeChange(k.parts, latest.parts) : 'not in the cache yet' };
  });
}
