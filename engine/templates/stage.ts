/** A throwaway project on a given warehouse, to run templates in as a user would after `use`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `dir/quire.yaml` (database, metrics folder, runs) and the empty folders. */
export function stageProject(dir: string, database: string): void {
  mkdirSync(join(dir, 'metrics'), { recursive: true });
  mkdirSync(join(dir, 'notebooks'), { recursive: true });
  writeFileSync(join(dir, 'quire.yaml'), `database: ${JSON.stringify(database)}\nmetrics: [metrics]\nruns_dir: runs\ntimezone: UTC\n`);
}
