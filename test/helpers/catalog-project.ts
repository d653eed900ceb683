/**
 * A throwaway project for the server's catalog services: a copy of the 20,000-order test
 * warehouse (uploads write into it), the starter metric specs, and a ServiceContext with its own
 * engine state and a settable clock.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../../engine/project.js';
import { EngineState } from '../../engine/util/state.js';
import type { ServiceContext } from '../../engine/server/services/context.js';
import { REPO, STARTER_METRICS } from './paths.js';

export interface CatalogProject extends ServiceContext {
  dir: string;
  database: string;
  /** Moves the clock. */
  setNow(d: Date): void;
  close(): Promise<void>;
}

export function catalogProject(opts: { database?: boolean } = {}): CatalogProject {
  const dir = mkdtempSync(join(tmpdir(), 'quire-catalog-'));
  const database = join(dir, 'data', 'warehouse.duckdb');
  mkdirSync(join(dir, 'metrics'), { recursive: true });
  mkdirSync(join(dir, 'notebooks'), { recursive: true });
  if (opts.database !== false) {
    mkdirSync(join(dir, 'data'));
    copyFileSync(process.env.QUIRE_TEST_DB!, database);
  }
  for (const f of STARTER_METRICS) writeFileSync(join(dir, 'metrics', `${f}.yaml`), readFileSync(join(REPO, 'metrics', `${f}.yaml`)));
  writeFileSync(join(dir, 'quire.yaml'), `database: ${opts.database === false ? "':memory:'" : 'data/warehouse.duckdb'}\nmetrics: [metrics]\nruns_dir: runs\ntimezone: UTC\n`);
  let now = new Date('2026-11-21T12:00:00Z');
  const state = new EngineState();
  return {
    dir,
    database,
    project: loadProject(dir),
    state,
    clock: () => now,
    setNow(d) {
      now = d;
    },
    async close() {
      await state.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
