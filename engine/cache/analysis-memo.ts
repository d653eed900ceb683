/**
 * A notebook's last successful analysis (its DAG and what each cell reads), kept in
 * `<runs dir>/.cache/<notebook id>/analysis.json` so a rerun of an unchanged notebook needs no
 * DuckDB parser before its cells run. Keyed on everything analysis reads: the notebook text,
 * quire.yaml, the metric spec files and definitions, and quire's build. Problems are never kept:
 * a notebook with errors is analysed (and reported) every time.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CellReads } from '../cell-type.js';
import { CACHE_DIR } from './store.js';
import { canonicalJson, sha256 } from '../util/hash.js';
import { projectFilesFingerprint } from './fingerprint.js';
import type { Dag } from '../plan/graph.js';
import { buildStamp } from '../util/package-root.js';
import type { Notebook } from '../notebook/load.js';

export interface Analysis {
  dag: Dag;
  reads: Map<string, CellReads | undefined>;
}

interface Stored {
  key: string;
  dag: Omit<Dag, 'upstream'> & { upstream: [string, string[]][] };
  reads: [string, CellReads | null][];
}

export interface AnalysisMemo {
  get(): Analysis | null;
  set(analysis: Analysis): void;
}

export function analysisMemo(runsDir: string, nb: Notebook): AnalysisMemo {
  const file = join(runsDir, CACHE_DIR, nb.id, 'analysis.json');
  const { root, config } = nb.project;
  const key = sha256(
    canonicalJson({
      build: buildStamp(),
      notebook: nb.sha256,
      root,
      config,
      project: projectFilesFingerprint(root, config.metrics, nb.top.definitions ?? null),
    }),
  );
  return {
    get() {
      try {
        const s = JSON.parse(readFileSync(file, 'utf8')) as Stored;
        if (s.key !== key || !Array.isArray(s.dag?.ids) || !Array.isArray(s.dag.levels) || !Array.isArray(s.dag.upstream) || !Array.isArray(s.reads)) return null;
        if (s.dag.ids.join('\n') !== nb.cells.map((c) => c.spec.id).join('\n')) return null;
        return {
          dag: { ...s.dag, upstream: new Map(s.dag.upstream), sources: s.dag.sources ?? {} },
          reads: new Map(s.reads.map(([id, r]) => [id, r ?? undefined])),
        };
      } catch {
        return null;
      }
    },
    set({ dag, reads }) {
      const stored: Stored = { key, dag: { ...dag, upstream: [...dag.upstream] }, reads: [...reads].map(([id, r]) => [id, r ?? null]) };
      try {
        mkdirSync(dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(stored));
        renameSync(tmp, file);
      } catch {
        /* not kept: the next run analyses again */
      }
    },
  };
}
